"""Toy 2-D Gaussian mixtures for mode-collapse experiments (VEEGAN, PacGAN, Unrolled GAN).

``ring8``: 8 modes at angles k·2π/8 on a circle of radius 1, std 0.01. ``grid25``: 25 modes at
{-4, -2, 0, 2, 4}², std 0.05. Centres are computed as k·2π/8 (``linspace(0, 2π, 8)`` would
repeat the first centre at 2π and lose one). Mode coverage: `ganzoo.metrics.modes`.
"""

from __future__ import annotations

import math

from typing import Any

import torch

from .training_data import TrainingData


def ring_centres(n: int = 8, radius: float = 1.0) -> torch.Tensor:
    angles = torch.arange(n, dtype=torch.float64) * (2 * math.pi / n)
    return (torch.stack([angles.cos(), angles.sin()], 1) * radius).float()


def grid_centres(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    coords = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(coords, coords)


class GaussianMixture(TrainingData):
    """``size`` points drawn (seeded) from equal-weight isotropic Gaussians at ``centres``.

    Args:
        centres: ``(K, 2)`` mode centres.
        std: standard deviation of every mode.
        size: number of points (an epoch); fixed so data order is reproducible.
        seed: seeds the points.
    """

    def __init__(self, centres: torch.Tensor, std: float, size: int = 100_000, seed: int = 0,
                 name: str = "mixture"):
        self.centres = centres
        self.std = std
        self.name = name
        generator = torch.Generator().manual_seed(seed)
        which = torch.randint(len(centres), (size,), generator=generator)
        self.points = centres[which] + std * torch.randn(size, 2, generator=generator)
        self.config_hints = {"data_shape": [2]}

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.points[index]

    def get_batch(self, indices: torch.Tensor) -> torch.Tensor:
        return self.points[indices]

    def preview_reference(self) -> torch.Tensor:
        return self.centres

    def evaluate(self, model: Any) -> dict[str, Any]:
        """Mode coverage of ``model.sample`` (`ganzoo.metrics.modes`)."""
        from ..metrics.modes import evaluate_mixture_model

        result = evaluate_mixture_model(model, self, seed=0)
        return {"modes_captured": f"{result['modes']}/{result['total_modes']}",
                "high_quality_percent": round(result["high_quality"], 2),
                "reverse_kl": round(result["reverse_kl"], 4),
                "mode_spread": round(result["spread"], 3)}


def ring8(arg: str | None = None, *, points: int = 100_000, data_seed: int = 0,
          **_: object) -> GaussianMixture:
    """8 Gaussians on a circle of radius 1, std 0.01."""
    _no_argument("ring8", arg)
    return GaussianMixture(ring_centres(8, 1.0), 0.01, points, data_seed, name="ring8")


def grid25(arg: str | None = None, *, points: int = 100_000, data_seed: int = 0,
           **_: object) -> GaussianMixture:
    """25 Gaussians on a 5×5 grid with spacing 2 over [-4, 4]², std 0.05."""
    _no_argument("grid25", arg)
    return GaussianMixture(grid_centres(5, 2.0), 0.05, points, data_seed, name="grid25")


def _no_argument(kind: str, arg: str | None) -> None:
    if arg:
        from ..errors import GanzooError

        raise GanzooError(f"--data {kind} takes no argument (got {kind}:{arg}); use --data {kind}")
