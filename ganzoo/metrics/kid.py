"""Kernel Inception Distance (Bińkowski et al. 2018): unbiased MMD^2, cubic polynomial kernel.

``k(x, y) = (x . y / d + 1)^3`` on ``d``-dimensional features. For ``num_subsets`` random
subsets of ``m`` real and ``m`` fake features (drawn without replacement, seeded),

``MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
- 2 sum_{i, j} k(x_i, y_j) / m^2``,

and KID is the mean over subsets, reported with their standard deviation. Unlike FID it is
unbiased, so it is the number to trust when N is small (hundreds of images). Defaults follow
the paper's code and torch-fidelity, 100 subsets of 1,000, except that ``m`` is at most half
the smaller set: with ``m`` equal to a whole set every subset is that set reshuffled, every
MMD the same and the std a meaningless 0 (what those tools report below 1,000 images).
"""

from __future__ import annotations

import numpy as np

from ..errors import GanzooError

DEFAULT_SUBSETS = 100
DEFAULT_SUBSET_SIZE = 1000


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two equally sized feature sets with the cubic polynomial kernel."""
    m = len(x)
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    within = ((k_xx.sum() - np.trace(k_xx)) + (k_yy.sum() - np.trace(k_yy))) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def default_subset_size(n_real: int, n_fake: int) -> int:
    """1,000, or half the smaller set when that is less (at least 2)."""
    return max(2, min(DEFAULT_SUBSET_SIZE, min(n_real, n_fake) // 2))


def kernel_inception_distance(real: np.ndarray, fake: np.ndarray, *,
                              num_subsets: int = DEFAULT_SUBSETS,
                              subset_size: int | None = None,
                              seed: int = 0) -> dict[str, float]:
    """``{"mean": ..., "std": ...}`` of the subset MMD^2 values (features as float64).

    ``subset_size`` defaults to `default_subset_size`; a larger one is cut to the smaller set.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    if subset_size is None:
        subset_size = default_subset_size(len(real), len(fake))
    m = min(subset_size, len(real), len(fake))
    if m < 2:
        raise GanzooError(f"KID needs at least 2 real and 2 generated images, got {len(real)} "
                          f"real and {len(fake)} generated")
    rng = np.random.default_rng(seed)
    values = np.array([mmd2_unbiased(real[rng.choice(len(real), m, replace=False)],
                                     fake[rng.choice(len(fake), m, replace=False)])
                       for _ in range(num_subsets)])
    return {"mean": float(values.mean()), "std": float(values.std())}
