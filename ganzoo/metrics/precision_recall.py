"""Precision and recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al. 2020).

Each set of features defines a manifold: the union of balls around its points, each ball's
radius the distance to that point's k-th nearest neighbour in the same set (self excluded).

- **precision**: fraction of generated points inside the real manifold (fidelity);
- **recall**: fraction of real points inside the generated manifold (diversity);
- **density**: how many real balls hold each generated point, over ``k``, averaged (can exceed
  1; ~1 when the two sets match; robust to real outliers, unlike precision);
- **coverage**: fraction of real points whose ball holds at least one generated point.

"Inside" is ``distance <= radius`` as both papers define it; the reference ``prdc`` package uses
``<``, which differs only on exact ties. Distances are Euclidean in float64, computed in chunks
so memory stays ``O(chunk x N)`` rather than ``O(N x M)``.
"""

from __future__ import annotations

import numpy as np

from ..errors import GanzooError

DEFAULT_NEAREST_K = 5
_CHUNK = 1024


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(squared.clip(min=0))


def knn_radii(features: np.ndarray, k: int) -> np.ndarray:
    """Distance of each point to its k-th nearest other point of the same set."""
    radii = np.empty(len(features))
    for start in range(0, len(features), _CHUNK):
        block = _distances(features[start:start + _CHUNK], features)
        # Column k of the sorted row: index 0 is the point itself (distance 0).
        radii[start:start + _CHUNK] = np.partition(block, k, axis=1)[:, k]
    return radii


def manifold_metrics(real, fake, nearest_k: int = DEFAULT_NEAREST_K) -> dict[str, float]:
    """``precision``, ``recall``, ``density`` and ``coverage`` of ``fake`` against ``real``."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if min(len(real), len(fake)) <= nearest_k:
        raise GanzooError(f"precision/recall with k={nearest_k} nearest neighbours needs more "
                          f"than {nearest_k} real and generated images, got {len(real)} real "
                          f"and {len(fake)} generated")
    real_radii, fake_radii = knn_radii(real, nearest_k), knn_radii(fake, nearest_k)
    in_real_balls = np.zeros(len(fake), dtype=np.int64)  # real balls holding each fake point
    real_covered = np.zeros(len(real), dtype=bool)
    real_recalled = np.zeros(len(real), dtype=bool)
    for start in range(0, len(real), _CHUNK):
        stop = start + _CHUNK
        block = _distances(real[start:stop], fake)  # (real chunk, fake)
        inside = block <= real_radii[start:stop, None]
        in_real_balls += inside.sum(0)
        real_covered[start:stop] = inside.any(1)
        real_recalled[start:stop] = (block <= fake_radii[None, :]).any(1)
    return {"precision": float((in_real_balls > 0).mean()),
            "recall": float(real_recalled.mean()),
            "density": float(in_real_balls.mean() / nearest_k),
            "coverage": float(real_covered.mean())}
