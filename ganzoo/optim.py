"""Adam as the variants build it, with torch's fused kernel where asked for and available."""

from __future__ import annotations

from collections.abc import Iterable

import torch


def adam(params: Iterable[torch.nn.Parameter], *, lr: float, betas: tuple[float, float],
         fused: bool = False) -> torch.optim.Adam:
    """``torch.optim.Adam``; ``fused`` runs each step as one kernel over all tensors.

    Fused and per-op Adam compute the same update up to float rounding (about 1e-7). Torch
    builds before 2.4 have no fused CPU kernel; there the per-op version runs instead.
    """
    params = list(params)
    if fused:
        try:
            return torch.optim.Adam(params, lr=lr, betas=betas, fused=True)
        except RuntimeError:  # no fused kernel for these tensors' device in this torch build
            pass
    return torch.optim.Adam(params, lr=lr, betas=betas)
