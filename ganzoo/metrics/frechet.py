"""Fréchet Inception Distance (Heusel et al. 2017) between two Gaussians fitted to features.

``FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))``. The trace of the matrix square
root is computed as ``sum(sqrt(eig(A S2 A)))`` with ``A = S1^(1/2)``: ``A S2 A`` is symmetric
positive semi-definite and similar to ``S1 S2``, so a symmetric eigensolver gives real
eigenvalues with no complex round-off to discard (``scipy.linalg.sqrtm(S1 @ S2)`` on rank-
deficient covariances, i.e. fewer images than feature dimensions, can return complex parts).
"""

from __future__ import annotations

import numpy as np


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(values.clip(min=0))) @ vectors.T


def frechet_distance(mean1: np.ndarray, cov1: np.ndarray, mean2: np.ndarray,
                     cov2: np.ndarray) -> float:
    """Fréchet distance between N(mean1, cov1) and N(mean2, cov2) (float64 throughout)."""
    mean1, mean2 = np.asarray(mean1, np.float64), np.asarray(mean2, np.float64)
    cov1, cov2 = np.asarray(cov1, np.float64), np.asarray(cov2, np.float64)
    root1 = _psd_sqrt(cov1)
    middle = root1 @ cov2 @ root1
    trace_sqrt = np.sqrt(np.linalg.eigvalsh((middle + middle.T) / 2).clip(min=0)).sum()
    diff = mean1 - mean2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_sqrt)
