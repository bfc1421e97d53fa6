"""Upscale one image with an SR model: channel handling, tiling, and the fast inference path.

- Alpha (a 4th channel) is upscaled separately with bicubic interpolation: the network was
  trained on colour, and a smooth alpha is what users expect from an upscaler.
- A 1-channel image through an RGB model runs as gray RGB and comes back as luma; a 3-channel
  image through a grayscale model is upscaled channel by channel.
- The network runs through `ganzoo.tiling.tiled_apply`: the whole image stays on the CPU and only
  one tile at a time moves to the device.
- Fast path (``config.inference_precision`` not ``fp32``): inference mode, channels_last memory layout and, when
  the CPU/GPU has fast bf16, bf16 autocast — used only if a probe shows the bf16 output within
  2/255 of fp32 for this model's weights (`ganzoo.nets.fast_inference`); otherwise fp32.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.nets.fast_inference import FastPath, fast_path
from ganzoo.channels import match_channels
from ganzoo.tiling import tiled_apply


def network_function(model: Any, precision: str | None = None) -> FastPath:
    """The tile function for ``model.generator``: fp32 eager, or the fast path."""
    network = model.generator.eval()
    if precision is None:
        precision = model.config.inference_precision
    # channels_last suits this network (no instance norm / reflection padding), and a copy
    # keeps the model's own weights contiguous for saving. A 32-px LR probe is already a
    # 128-px output at x4.
    return fast_path(network, channels=model.config.channels, precision=precision,
                     channels_last=precision != "fp32", probe_size=32)


def upscale_image(model: Any, image: Tensor, *, tile: int, overlap: int,
                  precision: str | None = None, progress: Any = None) -> Tensor:
    """``(1, C, H, W)`` in [0, 1] (C = 1, 3 or 4) → ``(1, C, sH, sW)`` in [0, 1] on the CPU."""
    scale = model.config.scale
    image = image.float().cpu()
    color, alpha = (image[:, :3], image[:, 3:]) if image.shape[1] == 4 else (image, None)
    want = model.config.channels
    run = network_function(model, precision)

    def upscale(planes: Tensor) -> Tensor:
        return tiled_apply(run, planes, tile, overlap, scale=scale, device=model.device,
                           progress=progress)

    if color.shape[1] == want:
        out = upscale(color)
    elif want == 3 and color.shape[1] == 1:
        out = match_channels(upscale(color.expand(1, 3, *color.shape[-2:]).contiguous()), 1)
    elif want == 1:
        out = torch.cat([upscale(color[:, c:c + 1]) for c in range(color.shape[1])], dim=1)
    else:
        raise ValueError(f"cannot upscale a {color.shape[1]}-channel image with a "
                         f"{want}-channel model")
    if alpha is not None:
        alpha = F.interpolate(alpha, scale_factor=scale, mode="bicubic", align_corners=False)
        out = torch.cat([out, alpha.clamp(0, 1)], dim=1)
    return out.clamp(0, 1)
