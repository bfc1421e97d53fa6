"""U-Net generator (pix2pix): an encoder-decoder whose mirrored levels are joined by skips.

Built from the inside out like the reference: each `UnetLevel` wraps the next one, so the
reference's nested state-dict keys (``model.model.1.model.3...``) load unchanged.
``unet_256`` has 8 levels (256px → 1px at the bottleneck), ``unet_128`` has 7.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.interfaces import Generator
from ganzoo.nets.norms import conv_bias, norm_layer

#: Levels of the named U-Nets: an input side of 2**levels reaches 1x1 at the bottleneck.
UNET_LEVELS = {"unet_128": 7, "unet_256": 8}


class UnetLevel(nn.Module):
    """One level: downsample, the inner levels, upsample; concatenates its input as a skip.

    Args:
        outer_channels: channels this level returns to its parent (before the skip concat).
        inner_channels: channels after this level's downsampling conv.
        in_channels: input channels when different from ``outer_channels`` (outermost level).
        inner: the next level down (None for the innermost).
        outermost: the image-facing level (no norm on the way down, tanh on the way up).
        norm: ``batch``, ``instance`` or ``none``.
        dropout: dropout 0.5 after the up-convolution (pix2pix's only source of noise).
    """

    def __init__(self, outer_channels: int, inner_channels: int, in_channels: int | None = None,
                 inner: "UnetLevel | None" = None, outermost: bool = False, norm: str = "batch",
                 dropout: bool = False, all_biases: bool = False):
        super().__init__()
        self.outermost = outermost
        make_norm, bias = norm_layer(norm), conv_bias(norm, all_biases)
        in_channels = outer_channels if in_channels is None else in_channels
        down = nn.Conv2d(in_channels, inner_channels, 4, stride=2, padding=1, bias=bias)
        up_in = inner_channels if inner is None else inner_channels * 2  # skip doubles width
        if outermost:
            up = nn.ConvTranspose2d(up_in, outer_channels, 4, stride=2, padding=1)
            layers = [down, inner, nn.ReLU(True), up, nn.Tanh()]
        elif inner is None:
            up = nn.ConvTranspose2d(up_in, outer_channels, 4, stride=2, padding=1, bias=bias)
            layers = [nn.LeakyReLU(0.2), down, nn.ReLU(True), up, make_norm(outer_channels)]
        else:
            up = nn.ConvTranspose2d(up_in, outer_channels, 4, stride=2, padding=1, bias=bias)
            layers = [nn.LeakyReLU(0.2), down, make_norm(inner_channels), inner, nn.ReLU(True),
                      up, make_norm(outer_channels)]
            if dropout:
                layers.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        if self.outermost:
            return self.model(x)
        # The reference applies this LeakyReLU in place, so its skip carries the *activated*
        # input; we do the same explicitly so that converted checkpoints behave identically.
        x = F.leaky_relu(x, 0.2)
        return torch.cat([x, self.model[1:](x)], 1)


class UnetGenerator(Generator):
    """pix2pix U-Net generator; outputs in [-1, 1]. Input sides must be multiples of
    ``2**levels``.

    Args:
        in_channels / out_channels: image channels.
        levels: downsamplings (8 for ``unet_256``, 7 for ``unet_128``); at least 5.
        ngf: width of the outermost level (64).
        norm: ``batch`` (pix2pix), ``instance`` or ``none``.
        dropout: dropout in the innermost ``levels - 5`` decoder levels (pix2pix trains with it).
        residual: return ``input + U-Net(input)`` (range [-2, 2]; translate clamps): the net
            learns a correction and starts near the identity, which suits restoration tasks
            (deblur, denoise). Not in the reference; adds no weights, so keys are unchanged.
    """

    def __init__(self, in_channels: int = 3, out_channels: int = 3, levels: int = 8,
                 ngf: int = 64, norm: str = "batch", dropout: bool = False,
                 residual: bool = False, all_biases: bool = False):
        super().__init__()
        if levels < 5:
            raise ValueError(f"a U-Net needs at least 5 levels, got {levels}")
        if residual and in_channels != out_channels:
            raise ValueError(f"residual needs as many input as output channels, got "
                             f"{in_channels} and {out_channels}")
        self.residual = residual
        self.size_multiple = 2 ** levels
        biases = {"norm": norm, "all_biases": all_biases}
        level = UnetLevel(ngf * 8, ngf * 8, **biases)  # innermost
        for _ in range(levels - 5):
            level = UnetLevel(ngf * 8, ngf * 8, inner=level, dropout=dropout, **biases)
        for outer in (4, 2, 1):
            level = UnetLevel(ngf * outer, ngf * outer * 2, inner=level, **biases)
        self.model = UnetLevel(out_channels, ngf, in_channels=in_channels, inner=level,
                               outermost=True, **biases)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.model(x) if self.residual else self.model(x)
