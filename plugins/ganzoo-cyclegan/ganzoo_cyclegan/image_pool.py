"""The history of generated images CycleGAN's discriminators learn from (Shrivastava et al.).

Showing D a mix of current and older fakes keeps it from chasing the generator's latest trick
and damps oscillation. The pool is a module with buffers, so training checkpoints carry it and
a resumed run continues bit for bit; published weights leave it out (it is no network).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ImagePool(nn.Module):
    """Up to ``size`` past fakes; `query` returns a batch mixing new and stored images.

    Args:
        size: images kept (50 in CycleGAN); 0 disables the pool.
    """

    def __init__(self, size: int = 50):
        super().__init__()
        self.size = size
        self.register_buffer("images", torch.empty(0))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def query(self, fakes: Tensor) -> Tensor:
        """For each fake: while the pool fills, store and return it; then with probability
        ½ return it, else return a random stored image and store the fake in its place."""
        if self.size == 0:
            return fakes
        fakes = fakes.detach()
        if self.images.shape[1:] != fakes.shape[1:]:  # first use, or a new image size
            self.images = fakes.new_zeros((self.size, *fakes.shape[1:]))
            self.count.zero_()
        returned = []
        for fake in fakes:
            filled = int(self.count)
            if filled < self.size:
                self.images[filled] = fake
                self.count += 1
                returned.append(fake)
            elif torch.rand(()) < 0.5:
                slot = int(torch.randint(self.size, ()))
                returned.append(self.images[slot].clone())
                self.images[slot] = fake
            else:
                returned.append(fake)
        return torch.stack(returned)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # The stored images' shape is only known once filled: take it from the checkpoint.
        key = f"{prefix}images"
        if key in state_dict:
            self.images = torch.empty_like(state_dict[key], device=self.images.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
