"""Style-changing augmentations of digit-like images, for InfoGAN's invariant clustering term.

A view keeps what a digit *is* and changes how it is *written*: a small random affine warp
(rotation, shear, scale, translation of about a pixel at 8×8), a stroke-thickness change
(a blend towards a dilated or an eroded image) and a contrast change. Images are in the
network range [-1, 1] with a dark (-1) background; every view stays in that range.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.errors import GanzooError

#: Mean border brightness (in [0, 1]) above which images are taken for a light background.
LIGHT_BORDER = 0.5


def _uniform(n: int, limit: float, like: Tensor) -> Tensor:
    return (torch.rand(n, device=like.device, dtype=like.dtype) * 2 - 1) * limit


def random_affine(images: Tensor, *, rotation: float = 12.0, shear: float = 0.15,
                  scale: float = 0.1, shift: float = 1.0) -> Tensor:
    """Warp each image by its own random rotation (degrees), shear, scale and shift (pixels).

    Pixels moved in from outside the frame are background (-1).
    """
    n, _, height, width = images.shape
    angle = _uniform(n, math.radians(rotation), images)
    zoom = 1 + _uniform(n, scale, images)
    skew = _uniform(n, shear, images)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    # affine_grid works in [-1, 1] coordinates: one pixel is 2 / side.
    dx, dy = _uniform(n, 2 * shift / width, images), _uniform(n, 2 * shift / height, images)
    theta = torch.stack([torch.stack([cos, -sin + skew, dx], 1),
                         torch.stack([sin, cos, dy], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    # Sample ink in [0, 2] so zero padding is background, then shift back to [-1, 1].
    warped = F.grid_sample(images + 1, grid, mode="bilinear", padding_mode="zeros",
                           align_corners=False)
    return warped - 1


def random_thickness(images: Tensor, strength: float = 0.5) -> Tensor:
    """Thicker or thinner strokes: blend towards a 3×3 dilation (t > 0) or erosion (t < 0)."""
    t = _uniform(len(images), strength, images).view(-1, 1, 1, 1)
    dilated = F.max_pool2d(images, 3, 1, 1)
    eroded = -F.max_pool2d(-images, 3, 1, 1)
    target = torch.where(t > 0, dilated, eroded)
    return images + t.abs() * (target - images)


def random_contrast(images: Tensor, strength: float = 0.3) -> Tensor:
    """Scale the ink (distance from the -1 background) by a random factor, clipped to range."""
    factor = 1 + _uniform(len(images), strength, images).view(-1, 1, 1, 1)
    return ((images + 1) * factor - 1).clamp(-1, 1)


def style_augment(images: Tensor, *, thickness: float) -> Tensor:
    """One random view of each image: affine warp, stroke thickness (blend of at most
    ``thickness`` towards the dilation or erosion), contrast.

    No default: InfoGAN's ``augment_thickness`` is the one place it is chosen. Keep it small:
    at 8×8 a 3×3 dilation or erosion can move a 5 towards a 9 and an 8 towards a 1, plausibly
    why InfoGAN's clustering merged those pairs at 0.5 (`ganzoo_infogan.variant.InfoGANConfig`
    has the sweep).
    """
    return random_contrast(random_thickness(random_affine(images), thickness)).clamp(-1, 1)


def require_dark_background(images: Tensor) -> None:
    """Refuse images in [0, 1] whose border is mostly light: the views pad with black and
    treat bright pixels as ink, so on dark-on-light images they would change what is drawn."""
    border = torch.cat([images[..., 0, :], images[..., -1, :], images[..., :, 0],
                        images[..., :, -1]], dim=-1)
    brightness = float(border.float().mean())
    if brightness > LIGHT_BORDER:
        raise GanzooError(f"invariant_clustering's style views assume light strokes on a dark "
                          f"background, and this data's image borders average {brightness:.2f} "
                          f"(light); drop invariant_clustering (and real_invariance_weight, "
                          f"fake_augment) to train the paper's InfoGAN")
