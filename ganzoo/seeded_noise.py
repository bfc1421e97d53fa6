"""Latent vectors for ``GANModel.sample``: the same seed gives the same vectors."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from .errors import GanzooError


def seeded_normal(n: Any, dim: int, seed: int | None, device: Any) -> Tensor:
    """``n`` standard-normal vectors of size ``dim`` drawn on ``device``: reproducible for a
    given ``seed``, a fresh random draw for None. Refuses an ``n`` that is not a positive
    integer (the user's number of samples)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise GanzooError(f"number of samples must be a positive integer, got {n!r}")
    generator = torch.Generator(device)
    if seed is not None:
        generator.manual_seed(seed)
    else:
        generator.seed()
    return torch.randn(n, dim, generator=generator, device=device)
