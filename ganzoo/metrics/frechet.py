"""Fréchet Inception Distance (Heusel et al. 2017) between two Gaussians fitted to features.

``FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))``. Two exact ways to get the last
trace, neither taking a non-symmetric matrix square root (``scipy.linalg.sqrtm(S1 @ S2)`` on
rank-deficient covariances, i.e. fewer images than feature dimensions, returns complex parts
that must be discarded):

- from covariances (any N, bounded memory): ``sum(sqrt(eig(R S2 R)))`` with ``R = S1^(1/2)``;
  ``R S2 R`` is symmetric positive semi-definite and similar to ``S1 S2``, so two symmetric
  eigensolves of ``D x D`` matrices give it;
- from the features themselves when there are fewer than ``D`` of them: with ``X``, ``Y`` the
  centred features, ``S1 = X^T X / (n1 - 1)`` and ``S2 = Y^T Y / (n2 - 1)``, so
  ``S1 S2 = X^T (X Y^T Y) / ((n1 - 1)(n2 - 1))`` has the non-zero eigenvalues of
  ``C C^T`` with ``C = X Y^T / sqrt((n1 - 1)(n2 - 1))`` (``AB`` and ``BA`` share them): the
  trace is the sum of ``C``'s singular values, an ``n1 x n2`` SVD instead of two ``D x D``
  eigensolves.
"""

from __future__ import annotations

import numpy as np

from .feature_statistics import FeatureStatistics


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


def frechet_distance_of_features(real: np.ndarray, fake: np.ndarray) -> float:
    """The same distance from the feature matrices ``(n1, D)``, ``(n2, D)`` (small-N path)."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    x, y = real - real.mean(0), fake - fake.mean(0)
    n1, n2 = len(x), len(y)
    cross = (x @ y.T) / np.sqrt((n1 - 1) * (n2 - 1))
    trace_sqrt = np.linalg.svd(cross, compute_uv=False).sum()
    diff = real.mean(0) - fake.mean(0)
    return float(diff @ diff + (x * x).sum() / (n1 - 1) + (y * y).sum() / (n2 - 1)
                 - 2.0 * trace_sqrt)


def fid(real_statistics: FeatureStatistics, fake_statistics: FeatureStatistics,
        real_features: np.ndarray | None = None, fake_features: np.ndarray | None = None) -> float:
    """FID of two feature sets: the SVD path when both sets' features are at hand and fewer
    than the feature dimension, else the covariance path."""
    dims = real_statistics.dims
    if (real_features is not None and fake_features is not None
            and max(len(real_features), len(fake_features)) < dims):
        return frechet_distance_of_features(real_features, fake_features)
    return frechet_distance(real_statistics.mean, real_statistics.covariance,
                            fake_statistics.mean, fake_statistics.covariance)
