"""How any image becomes the FID Inception's input: 8-bit RGB, resized to 299x299 by PIL bicubic.

The steps, in order (the "clean" protocol of Parmar et al. 2022, clean-fid):

1. **Quantize to 8 bits**: ``round(clamp(x, 0, 1) * 255)``. Generated images are scored as they
   would be saved to PNG, so a model's float output and the PNG of it give the same FID.
2. **Channels**: grayscale is repeated into R, G and B; an alpha channel is dropped (the colour
   channels are used as stored, not composited on a background), which is what
   ``PIL.Image.convert("RGB")`` gives and so what pytorch-fid and clean-fid see for RGBA PNGs.
3. **Resize** to 299x299 (aspect ratio not kept, as every FID tool does) with PIL's bicubic
   filter applied to each channel as 32-bit float, the result clipped to [0, 255] and *not*
   re-quantized. PIL widens its filter when it shrinks (an antialiased resize), whereas
   ``torch.nn.functional.interpolate`` bilinear without antialiasing aliases and moves FID by
   whole points (clean-fid, Fig. 3). Images already 299x299 are left untouched.

The output is float pixels in [0, 255]; `FIDInceptionV3` scales them by ``/128 - 1`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import GanzooError

if TYPE_CHECKING:
    from torch import Tensor

#: Bump when the steps above change: it is part of every reference-statistics cache key.
PREPROCESS_VERSION = "clean-pil-bicubic-v1"


def quantize_rgb(image: Tensor) -> Tensor:
    """``(C, H, W)`` float in [0, 1] (C = 1, 2, 3 or 4) or uint8 → ``(3, H, W)`` uint8 RGB."""
    import torch

    if image.dim() != 3:
        raise GanzooError(f"expected an image (C, H, W), got shape {tuple(image.shape)}")
    if image.dtype != torch.uint8:
        image = (image.detach().float().clamp(0, 1) * 255).round().to(torch.uint8)
    channels = image.shape[0]
    if channels in (1, 2):  # gray, gray + alpha
        return image[:1].expand(3, -1, -1).contiguous()
    if channels in (3, 4):  # RGB, RGBA
        return image[:3].contiguous()
    raise GanzooError(f"cannot score an image with {channels} channels; give 1 (gray), 3 (RGB) "
                      f"or 4 (RGBA)")


def resize_pixels(rgb: Tensor, size: int) -> Tensor:
    """``(3, H, W)`` uint8 → ``(3, size, size)`` float32 pixels in [0, 255] (PIL bicubic)."""
    import numpy as np
    import torch
    from PIL import Image

    if rgb.shape[-2:] == (size, size):
        return rgb.float()
    channels = []
    for plane in rgb.cpu().numpy():
        resized = Image.fromarray(plane.astype(np.float32), mode="F").resize(
            (size, size), resample=Image.Resampling.BICUBIC)
        channels.append(np.asarray(resized, dtype=np.float32).clip(0, 255))
    return torch.from_numpy(np.stack(channels))


def fid_pixels(image: Tensor, size: int = 299) -> Tensor:
    """One image ``(C, H, W)`` (float in [0, 1] or uint8) → the extractor's input pixels."""
    return resize_pixels(quantize_rgb(image), size)
