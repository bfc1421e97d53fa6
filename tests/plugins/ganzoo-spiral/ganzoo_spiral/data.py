"""``--data spiral:K``: points on K spiral arms, r = θ / (2π), θ in [0.5, 3π]."""

from __future__ import annotations

import math
from typing import Any

import torch

from ganzoo.data.training_data import TrainingData
from ganzoo.errors import GanzooError


def arm_points(arms: int, per_arm: int = 400) -> torch.Tensor:
    """Noise-free points along each arm, ``(arms * per_arm, 2)``."""
    theta = torch.linspace(0.5, 3 * math.pi, per_arm, dtype=torch.float64)
    radius = theta / (2 * math.pi)
    rows = []
    for arm in range(arms):
        phase = theta + 2 * math.pi * arm / arms
        rows.append(torch.stack([radius * phase.cos(), radius * phase.sin()], 1))
    return torch.cat(rows).float()


class Spiral(TrainingData):
    """``size`` noisy points on ``arms`` spiral arms (seeded)."""

    def __init__(self, arms: int, size: int = 4096, noise: float = 0.02, seed: int = 0):
        generator = torch.Generator().manual_seed(seed)
        self.arms, self.noise = arms, noise
        self.curve = arm_points(arms)
        which = torch.randint(len(self.curve), (size,), generator=generator)
        self.points = self.curve[which] + noise * torch.randn(size, 2, generator=generator)
        self.config_hints = {"data_shape": [2]}

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.points[index]

    def get_batch(self, indices: torch.Tensor) -> torch.Tensor:
        return self.points[indices]

    def preview_reference(self) -> torch.Tensor:
        return self.curve[:: max(1, len(self.curve) // 200)]

    def evaluate(self, model: Any) -> dict[str, Any]:
        from .metric import arm_distance

        return {"arm_distance": round(arm_distance(model, arms=self.arms), 4)}


def spiral(arg: str | None = None, **_: object) -> Spiral:
    arms = arg or "2"
    if not arms.isdigit() or not 1 <= int(arms) <= 6:
        raise GanzooError(f"--data spiral:{arg}: give the number of arms 1-6, e.g. spiral:2")
    return Spiral(int(arms))
