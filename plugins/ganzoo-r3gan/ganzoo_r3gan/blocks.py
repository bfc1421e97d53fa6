"""The building blocks R3GAN's G and D share (Huang et al. 2024, §4, configs D and E).

* `ResidualBlock`: an inverted bottleneck ``1×1 → grouped 3×3 → 1×1`` with leaky ReLU between
  the layers and nothing on the residual path (no normalization, no activation): the ConvNeXt-
  style block the paper arrives at.
* Fix-up-style initialization (Zhang et al. 2019) replaces normalization: the branch's last
  layer starts at zero, so every block starts as the identity, and the other branch layers get
  He initialization scaled by ``L^(-1/(2m-2))`` for ``L`` blocks of ``m`` layers each, which
  keeps the output's variance from growing with depth once the last layers move.
* Resampling is bilinear; a change of width is a 1×1 convolution. The two commute (one mixes
  channels per pixel, the other mixes pixels per channel), so both run at the lower resolution.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.errors import GanzooError

#: Leaky ReLU slope, as in the paper (and StyleGAN2 before it).
SLOPE = 0.2
#: Layers of one residual branch (1×1, 3×3, 1×1): the ``m`` of the fix-up scaling.
BRANCH_LAYERS = 3


class ResidualBlock(nn.Module):
    """``x + branch(x)``; the branch widens ``width`` by ``expansion`` for its grouped 3×3
    convolution (``group_size`` channels per group) and narrows back."""

    def __init__(self, width: int, expansion: int, group_size: int):
        super().__init__()
        inner = width * expansion
        if inner % group_size:
            raise GanzooError(f"a residual block of {width} channels × expansion {expansion} = "
                              f"{inner} cannot be split into groups of {group_size}; set "
                              f"group_size to a divisor of {inner} (e.g. --set group_size=8)")
        self.expand = nn.Conv2d(width, inner, 1)
        self.mix = nn.Conv2d(inner, inner, 3, padding=1, groups=inner // group_size)
        self.project = nn.Conv2d(inner, width, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = F.leaky_relu(self.expand(x), SLOPE)
        h = F.leaky_relu(self.mix(h), SLOPE)
        return x + self.project(h)

    def initialize(self, blocks: int) -> None:
        """Fix-up: He-initialized inner layers scaled by ``blocks^(-1/(2m-2))``, zero last layer."""
        scale = blocks ** (-1.0 / (2 * BRANCH_LAYERS - 2))
        for conv in (self.expand, self.mix):
            nn.init.kaiming_normal_(conv.weight, a=SLOPE, nonlinearity="leaky_relu")
            conv.weight.data.mul_(scale)
            nn.init.zeros_(conv.bias)
        nn.init.zeros_(self.project.weight)
        nn.init.zeros_(self.project.bias)


def linear_init(layer: nn.Module) -> None:
    """Variance-preserving init for a layer with no activation after it: N(0, 1/fan_in)."""
    fan_in = layer.weight[0].numel()
    nn.init.normal_(layer.weight, 0.0, 1.0 / math.sqrt(fan_in))
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)


def change_width(width_in: int, width_out: int) -> nn.Module:
    """A 1×1 convolution between stages of different widths, else the identity."""
    if width_in == width_out:
        return nn.Identity()
    conv = nn.Conv2d(width_in, width_out, 1)
    linear_init(conv)
    return conv


def upsample(x: Tensor) -> Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def downsample(x: Tensor) -> Tensor:
    # Halving with bilinear weights and align_corners=False averages each 2×2 block.
    return F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False)


def stage_widths(image_size: int, width: int, min_width: int) -> list[int]:
    """Widths of the stages from 4×4 up to ``image_size``: ``width`` at 4×4, halving with every
    doubling of resolution, never below ``min_width``."""
    steps = math.log2(image_size / 4) if image_size >= 4 else -1
    if image_size < 8 or not float(steps).is_integer():
        raise GanzooError(f"r3gan needs a power-of-two image_size >= 8, got {image_size}; set "
                          f"it with --set image_size=32 (or pass images of such a size)")
    return [max(min_width, width // 2 ** k) for k in range(int(steps) + 1)]
