"""Regularizers that keep the discriminator smooth; each returns a scalar to add to D's loss.

Each takes ``discriminator``, a callable from samples to raw scores (so a variant can close over
conditioning), and leaves the weight to the caller. ``lazy`` marks the penalties StyleGAN2
applies lazily (every k-th D step, weight × k); the WGAN-GP penalty is a constraint enforced at
every critic step, so it is not lazy.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from ..errors import GanzooError
from ..train.compiled_networks import eager_forward


def _input_gradient_norm_sq(discriminator: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Per-sample ``||∇_x D(x)||²``; ``create_graph`` so the penalty itself trains D."""
    _refuse_fp16(x)
    x = x.detach().requires_grad_(True)
    with eager_forward():  # compiled graphs cannot be differentiated twice (compile=true)
        scores = discriminator(x)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(1)


def _refuse_fp16(x: Tensor) -> None:
    # Under fp16 autocast the inner gradient is taken on unscaled scores (only the outer loss
    # goes through the GradScaler), so small input gradients underflow to zero. bf16 has
    # fp32's exponent range and needs no scaling, so it is the supported reduced precision.
    device = x.device.type
    if torch.is_autocast_enabled(device) and torch.get_autocast_dtype(device) == torch.float16:
        raise GanzooError("gradient penalties are not supported with precision fp16 (their "
                          "inner gradients underflow without loss scaling); use --set "
                          "precision=bf16 or fp32")


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


def r2_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor | None,
               fake: Tensor) -> Tensor:
    """R2 (Mescheder et al. 2018): ``½ E[||∇_x D(x)||²]`` on generated samples only.

    R1's twin on the other distribution; R1 + R2 together regularize the relativistic
    pairing GAN (Huang et al. 2024, "The GAN is dead; long live the GAN!").
    """
    return 0.5 * _input_gradient_norm_sq(discriminator, fake).mean()


def r1_r2_penalty(discriminator: Callable[[Tensor], Tensor], real: Tensor,
                  fake: Tensor) -> Tensor:
    """R1 + R2 with one weight, the regularizer that makes the relativistic pairing GAN
    converge (Huang et al. 2024, R3GAN: ``γ/2 (E||∇D(x)||² + E||∇D(G(z))||²)``)."""
    return r1_penalty(discriminator, real) + r2_penalty(discriminator, real, fake)


gradient_penalty.lazy = False
r1_penalty.lazy = True
r2_penalty.lazy = True
r1_r2_penalty.lazy = True


def check_penalty_target(discriminator: nn.Module, penalty: str, fix: str) -> None:
    """Refuse a gradient penalty on a discriminator with BatchNorm.

    The penalty is per sample, but under BatchNorm each score depends on the whole batch, so
    ``∇_x D(x)`` mixes samples and is not the quantity the papers constrain (WGAN-GP §4 drops
    BatchNorm from the critic for this reason). ``fix`` says how this variant avoids it.
    """
    from torch.nn.modules.batchnorm import _BatchNorm

    if any(isinstance(m, _BatchNorm) for m in discriminator.modules()):
        raise GanzooError(f"penalty {penalty} on a discriminator with BatchNorm is ill-defined "
                          f"(each sample's gradient depends on the whole batch); {fix}")


def check_lazy(penalty: Callable, name: str, every: int) -> None:
    """``every`` > 1 (lazy regularization) only for penalties StyleGAN2 applies lazily."""
    if every > 1 and not getattr(penalty, "lazy", False):
        raise GanzooError(f"penalty_every={every} is lazy regularization, which applies to "
                          f"r1/r2 (StyleGAN2); {name} is enforced at every discriminator step: "
                          f"set penalty_every=1 or use penalty r1")


def add_penalty(loss: Tensor, logs: dict, discriminator: Callable[[Tensor], Tensor],
                real: Tensor, fake: Tensor, *, penalty: Callable | None, name: str,
                weight: float, every: int, d_steps: Tensor) -> Tensor:
    """``loss`` plus ``weight`` × ``penalty`` on the discriminator steps it falls on.

    With ``every`` > 1 the penalty is applied on every ``every``-th step at ``weight × every``
    (StyleGAN2's lazy regularization: the same average strength at a fraction of the cost).
    ``d_steps`` is the caller's step counter, a registered buffer so checkpoints resume the
    schedule exactly; it is advanced in place. The penalty's value is logged under ``name``.
    """
    every = max(1, int(every))
    if penalty is not None and weight > 0 and int(d_steps) % every == 0:
        value = penalty(discriminator, real, fake)
        loss = loss + weight * every * value
        logs[name] = value.item()
    d_steps += 1
    return loss
