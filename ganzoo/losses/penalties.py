"""Regularizers that keep the discriminator smooth; each returns a scalar to add to D's loss.

Both take ``discriminator``, a callable from samples to raw scores (so a variant can close over
conditioning), and leave the weight to the caller.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def _input_gradient_norm_sq(discriminator: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Per-sample ``||∇_x D(x)||²``; ``create_graph`` so the penalty itself trains D."""
    x = x.detach().requires_grad_(True)
    scores = discriminator(x)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(1)


def gradient_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                     target: float = 1.0) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): ``E[(||∇D(x̂)|| - target)²]``.

    ``x̂`` are random interpolates between real and fake samples (one mixing weight per
    sample), where the 1-Lipschitz constraint is enforced.
    """
    alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device,
                       dtype=real.dtype)
    mixed = alpha * real.detach() + (1.0 - alpha) * fake.detach()
    norm = (_input_gradient_norm_sq(discriminator, mixed) + 1e-12).sqrt()
    return ((norm - target) ** 2).mean()


def r1_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor,
               fake: Tensor | None = None) -> Tensor:
    """R1 (Mescheder et al. 2018): ``½ E[||∇_x D(x)||²]`` on real samples only.

    Penalizing D's slope at the data makes the simultaneous game locally convergent.
    ``fake`` is accepted (and ignored) so every penalty has one signature.
    """
    return 0.5 * _input_gradient_norm_sq(discriminator, real).mean()
