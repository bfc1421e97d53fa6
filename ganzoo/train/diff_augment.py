"""DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

A discriminator trained on a few hundred images memorises them and stops teaching G. DiffAugment
applies the same random, *differentiable* transforms to every image D sees, real and generated,
in D's step and in G's step alike, so D cannot tell the two apart by the augmentation and G still
gets D's gradient through it (augmenting only reals would teach G to make augmented images).

The three transform families of the paper, on images in the networks' [-1, 1] range:

* ``color``: brightness ``x + (u - 0.5)``, saturation ``(x - mean_c) · 2u + mean_c`` (mean over
  channels), contrast ``(x - mean) · (u + 0.5) + mean`` (mean over the image), ``u ~ U(0, 1)``
  per sample;
* ``translation``: a shift by up to 1/8 of the side in each direction, filled with zeros;
* ``cutout``: a square of half the side, at a random place (it may hang over an edge), set to 0.

Each draws one set of random numbers per sample from the torch RNG of the images' device (or
``generator``): under the Trainer that is the seeded global stream whose state checkpoints keep,
so a resumed run augments exactly as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import GanzooError

#: Fraction of the side a translation may move an image (the paper's 1/8).
TRANSLATION_RATIO = 0.125
#: Side of the cutout square as a fraction of the image's side (the paper's 1/2).
CUTOUT_RATIO = 0.5


def _uniform(x: Tensor, generator: torch.Generator | None) -> Tensor:
    """One U(0, 1) number per sample, shaped to broadcast over (C, H, W)."""
    return torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype, generator=generator)


def _integers(low: int, high: int, n: int, x: Tensor,
              generator: torch.Generator | None) -> Tensor:
    """``n`` integers in ``[low, high)`` on ``x``'s device."""
    return torch.randint(low, high, (n,), device=x.device, generator=generator)


def random_brightness(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Add one number in [-0.5, 0.5) per sample to every pixel."""
    return x + (_uniform(x, generator) - 0.5)


def random_saturation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Scale each pixel's distance from its mean over channels by one factor in [0, 2) per
    sample (0: gray, 2: twice as saturated)."""
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (_uniform(x, generator) * 2.0) + mean


def random_contrast(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Scale each image's distance from its own mean by one factor in [0.5, 1.5) per sample."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, generator) + 0.5) + mean


def random_color(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Brightness, then saturation, then contrast, each by its own random amount per sample."""
    return random_contrast(random_saturation(random_brightness(x, generator), generator),
                           generator)


def random_translation(x: Tensor, generator: torch.Generator | None = None,
                       ratio: float = TRANSLATION_RATIO) -> Tensor:
    """Shift each image by its own whole number of pixels in ``[-s, s]`` per axis (``s`` is
    ``ratio`` of the side, rounded), filling the uncovered border with zeros."""
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = _integers(-sy, sy + 1, n, x, generator)
    dx = _integers(-sx, sx + 1, n, x, generator)
    padded = F.pad(x, (sx, sx, sy, sy))
    # Output pixel (i, j) reads input pixel (i - dy, j - dx): the content moves by (+dy, +dx).
    rows = torch.arange(h, device=x.device)[None, :] + sy - dy[:, None]
    cols = torch.arange(w, device=x.device)[None, :] + sx - dx[:, None]
    picked = padded[torch.arange(n, device=x.device)[:, None, None], :, rows[:, :, None],
                    cols[:, None, :]]  # advanced indices around a slice: (N, H, W, C)
    return picked.permute(0, 3, 1, 2)


def random_cutout(x: Tensor, generator: torch.Generator | None = None,
                  ratio: float = CUTOUT_RATIO) -> Tensor:
    """Zero a ``ratio``-of-the-side square per image, centred anywhere on it (clipped at the
    edges, so part of the square may fall outside)."""
    n, _, h, w = x.shape
    size_y, size_x = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = _integers(0, h + (1 - size_y % 2), n, x, generator) - size_y // 2
    left = _integers(0, w + (1 - size_x % 2), n, x, generator) - size_x // 2
    rows = torch.arange(h, device=x.device)[None, :]
    cols = torch.arange(w, device=x.device)[None, :]
    inside_y = (rows >= top[:, None]) & (rows < top[:, None] + size_y)
    inside_x = (cols >= left[:, None]) & (cols < left[:, None] + size_x)
    keep = ~(inside_y[:, :, None] & inside_x[:, None, :])
    return x * keep[:, None].to(x.dtype)


TRANSFORMS: dict[str, Callable[..., Tensor]] = {
    "color": random_color, "translation": random_translation, "cutout": random_cutout}


def parse_policy(text: str) -> tuple[str, ...]:
    """``"color,translation,cutout"`` → transform names in the paper's order; ``""`` → ()."""
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    unknown = [name for name in names if name not in TRANSFORMS]
    if unknown:
        raise GanzooError(f"diffaugment: unknown transform {unknown[0]!r}; use a comma list of "
                          f"{', '.join(TRANSFORMS)} (e.g. --set diffaugment=color,translation,"
                          f"cutout)")
    return tuple(name for name in TRANSFORMS if name in names)


def diff_augment(x: Tensor, policy: tuple[str, ...] | str,
                 generator: torch.Generator | None = None,
                 probability: float | None = None) -> Tensor:
    """``x`` (N, C, H, W) with the transforms of ``policy`` applied, differentiably: to every
    image, or (``probability``, adaptive augmentation) each transform to each image with that
    probability. Random numbers are drawn the same way whatever the probability, so a run's
    stream does not depend on it."""
    names = parse_policy(policy) if isinstance(policy, str) else policy
    for name in names:
        if probability is None:
            x = TRANSFORMS[name](x, generator)
        else:
            chosen = torch.rand(x.shape[0], 1, 1, 1, device=x.device,
                                generator=generator) < probability
            x = torch.where(chosen, TRANSFORMS[name](x, generator), x)
    return x
