"""How far a model's samples land from the spiral arms (lower is better)."""

from __future__ import annotations

import torch

from .data import arm_points


def arm_distance(model, arms: int = 2, n: int = 2000, seed: int = 0) -> float:
    """Mean distance from each of ``n`` samples to the nearest point of ``arms`` arms."""
    with torch.no_grad():
        samples = model.sample(n, seed=seed).double()
    return float(torch.cdist(samples, arm_points(arms).double()).min(1).values.mean())
