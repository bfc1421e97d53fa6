"""Mean and covariance of features, accumulated batch by batch in bounded memory.

FID needs only the mean and covariance of each set's features. Keeping running sums (of the
features and of their outer products, in float64) makes the memory ``O(D^2)`` at any number of
images: 2,048-d Inception features need 32 MiB however many images stream through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FeatureStatistics:
    """Running sums of ``D``-dimensional features; `mean` and `covariance` on demand."""

    dims: int
    count: int = 0
    total: np.ndarray = field(init=False)
    outer: np.ndarray = field(init=False)

    def __post_init__(self):
        self.total = np.zeros(self.dims, dtype=np.float64)
        self.outer = np.zeros((self.dims, self.dims), dtype=np.float64)

    def update(self, features) -> None:
        """Add a batch ``(N, D)`` (array or tensor)."""
        if hasattr(features, "detach"):
            features = features.detach().cpu().numpy()
        batch = np.asarray(features, dtype=np.float64)
        if batch.ndim != 2 or batch.shape[1] != self.dims:
            raise ValueError(f"expected features (N, {self.dims}), got {batch.shape}")
        self.count += len(batch)
        self.total += batch.sum(axis=0)
        self.outer += batch.T @ batch

    @property
    def mean(self) -> np.ndarray:
        return self.total / self.count

    @property
    def covariance(self) -> np.ndarray:
        """Unbiased sample covariance (divides by ``N - 1``, as ``numpy.cov``)."""
        if self.count < 2:
            raise ValueError("a covariance needs at least 2 feature vectors")
        mean = self.mean
        return (self.outer - self.count * np.outer(mean, mean)) / (self.count - 1)
