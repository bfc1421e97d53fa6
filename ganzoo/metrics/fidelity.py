"""Full-reference image fidelity, the super-resolution literature's way: PSNR, SSIM, sharpness.

Convention (SRCNN, SRGAN, EDSR, BasicSR): images are compared on the luma channel Y of ITU-R
BT.601 in [16, 235] (``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` for RGB in [0, 1]), with
``crop_border`` pixels (the scale factor) removed from every side, on a 0-255 scale. SSIM is Wang
et al. 2004: an 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, valid positions only —
the same numbers as ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=255)``.

Inputs are float tensors ``(C, H, W)`` or ``(N, C, H, W)`` in [0, 1] (1 or 3 channels). A batch
gives the mean of the per-image values, which is how papers average over a test set.
Quantize to 8 bits first (``(x * 255).round() / 255``) to match numbers computed on PNG files.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..colour import LUMA, STUDIO_LUMA_SCALE

if TYPE_CHECKING:
    from torch import Tensor

#: BT.601 RGB [0, 1] → Y [16, 235] coefficients (MATLAB rgb2ycbcr: 65.481, 128.553, 24.966).
_Y_WEIGHTS = tuple(STUDIO_LUMA_SCALE * w for w in LUMA)


def rgb_to_y(images: Tensor) -> Tensor:
    """``(N, 3, H, W)`` RGB in [0, 1] → ``(N, 1, H, W)`` luma Y in [16, 235] (float64).

    Single-channel input is taken as gray and scaled to [0, 255] unchanged.
    """
    import torch

    images = images.to(torch.float64)
    if images.shape[1] == 1:
        return images * 255.0
    if images.shape[1] != 3:
        raise ValueError(f"expected 1 or 3 channels, got {images.shape[1]}")
    weights = torch.tensor(_Y_WEIGHTS, dtype=torch.float64, device=images.device)
    return 16.0 + (images * weights[None, :, None, None]).sum(dim=1, keepdim=True)


def _prepare(images: Tensor, crop_border: int, y_channel: bool) -> Tensor:
    """As ``(N, C, H, W)`` float64 on a 0-255 scale, border cropped, optionally luma only."""
    import torch

    if images.dim() == 3:
        images = images[None]
    if images.dim() != 4:
        raise ValueError(f"expected (C, H, W) or (N, C, H, W), got {tuple(images.shape)}")
    out = rgb_to_y(images) if y_channel else images.to(torch.float64) * 255.0
    if crop_border > 0:
        out = out[..., crop_border:-crop_border, crop_border:-crop_border]
    return out


def _pair(prediction: Tensor, target: Tensor, crop_border: int,
          y_channel: bool) -> tuple[Tensor, Tensor]:
    if prediction.shape != target.shape:
        raise ValueError(f"prediction {tuple(prediction.shape)} and target "
                         f"{tuple(target.shape)} differ in shape")
    return (_prepare(prediction, crop_border, y_channel),
            _prepare(target, crop_border, y_channel))


def psnr(prediction: Tensor, target: Tensor, crop_border: int = 0,
         y_channel: bool = True) -> float:
    """Peak signal-to-noise ratio in dB (peak 255), averaged over the batch.

    Args:
        prediction, target: images in [0, 1], same shape.
        crop_border: pixels removed on each side (the SR scale factor by convention).
        y_channel: compare luma only (the SR convention); False compares all channels.

    Identical images give ``inf``.
    """
    pred, ref = _pair(prediction, target, crop_border, y_channel)
    mse = ((pred - ref) ** 2).flatten(1).mean(dim=1)
    values = [math.inf if m == 0 else 10.0 * math.log10(255.0 ** 2 / float(m)) for m in mse]
    return sum(values) / len(values)


def _gaussian_window(size: int = 11, sigma: float = 1.5):
    import torch

    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    line = torch.exp(-(coords ** 2) / (2 * sigma ** 2))
    line /= line.sum()
    return line[:, None] * line[None, :]


def ssim(prediction: Tensor, target: Tensor, crop_border: int = 0,
         y_channel: bool = True) -> float:
    """Structural similarity (Wang et al. 2004), averaged over channels and the batch.

    Args:
        prediction, target: images in [0, 1], same shape, at least 11x11 after cropping.
        crop_border: pixels removed on each side (the SR scale factor by convention).
        y_channel: compare luma only (the SR convention).
    """
    import torch.nn.functional as F

    pred, ref = _pair(prediction, target, crop_border, y_channel)
    if min(pred.shape[-2:]) < 11:
        raise ValueError(f"SSIM needs at least 11x11 pixels after the border crop, got "
                         f"{tuple(pred.shape[-2:])}")
    channels = pred.shape[1]
    window = _gaussian_window().to(pred.device)[None, None].expand(channels, 1, 11, 11)

    def blur(x):
        return F.conv2d(x, window, groups=channels)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_p, mu_r = blur(pred), blur(ref)
    var_p = blur(pred * pred) - mu_p ** 2
    var_r = blur(ref * ref) - mu_r ** 2
    cov = blur(pred * ref) - mu_p * mu_r
    index = ((2 * mu_p * mu_r + c1) * (2 * cov + c2)
             / ((mu_p ** 2 + mu_r ** 2 + c1) * (var_p + var_r + c2)))
    return float(index.flatten(1).mean(dim=1).mean())


def sharpness(images: Tensor, crop_border: int = 0) -> float:
    """Mean gradient magnitude of the luma channel (Y in [0, 1] units), averaged over the batch.

    Central differences on the interior; blurrier images score lower. Compare an output's
    value with its ground truth's: closer is better, not higher.
    """
    import torch

    y = _prepare(images, crop_border, y_channel=True) / 255.0
    dx = (y[..., 1:-1, 2:] - y[..., 1:-1, :-2]) / 2.0
    dy = (y[..., 2:, 1:-1] - y[..., :-2, 1:-1]) / 2.0
    return float(torch.sqrt(dx ** 2 + dy ** 2).flatten(1).mean(dim=1).mean())
