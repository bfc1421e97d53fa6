"""Exponential moving average of the generator networks' weights.

Averaged weights give visibly cleaner samples than the last iterate of a GAN (Yazıcı et al.
2019), so they are what previews use and what gets saved; the live weights keep training.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn


class EMA:
    """Shadow copies of the parameters of ``networks`` (name → module). Buffers are not
    averaged: BatchNorm statistics of averaged weights must be measured for those weights
    (`ganzoo.train.standing_stats`), which the Trainer does inside `applied`."""

    def __init__(self, networks: dict[str, nn.Module], decay: float):
        self.networks = networks
        self.decay = decay
        self.shadow = {f"{name}.{k}": p.detach().clone()
                       for name, net in networks.items() for k, p in net.named_parameters()}

    def _live(self):
        for name, net in self.networks.items():
            for k, p in net.named_parameters():
                yield f"{name}.{k}", p

    @torch.no_grad()
    def update(self, step: int) -> None:
        """Blend in the live weights after iteration ``step`` (0-based), with warm-up."""
        decay = min(self.decay, (1.0 + step) / (10.0 + step))
        for key, p in self._live():
            self.shadow[key].lerp_(p.detach(), 1.0 - decay)

    @contextmanager
    def applied(self):
        """Temporarily put the averaged weights into the live networks; the live buffers
        (which the block may recompute for the averaged weights) are restored afterwards."""
        backup = {key: p.detach().clone() for key, p in self._live()}
        buffers = [(b, b.detach().clone()) for net in self.networks.values()
                   for b in net.buffers()]
        self.copy_to_live()
        try:
            yield
        finally:
            with torch.no_grad():
                for key, p in self._live():
                    p.copy_(backup[key])
                for buffer, saved in buffers:
                    buffer.copy_(saved)

    @torch.no_grad()
    def copy_to_live(self) -> None:
        for key, p in self._live():
            p.copy_(self.shadow[key])

    def state_dict(self) -> dict[str, torch.Tensor]:
        return dict(self.shadow)

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        missing = set(self.shadow) - set(state)
        if missing:
            raise KeyError(f"EMA state lacks {sorted(missing)[:3]}")
        for key in self.shadow:
            self.shadow[key].copy_(state[key])
