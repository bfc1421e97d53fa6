"""ResNet generator (Johnson et al. 2016, as used by CycleGAN): c7s1-64, d128, d256,
N residual blocks R256, u128, u64, c7s1-3, tanh.

Modules sit in one ``nn.Sequential`` named ``model`` with the reference's indices, so a
reference ``netG`` state dict loads as is. Input sides must be multiples of 4.
"""

from __future__ import annotations

from typing import Callable, Literal

import torch
from torch import Tensor, nn

from ganzoo.interfaces import Generator
from ganzoo.nets.norms import conv_bias, norm_layer

PaddingName = Literal["reflect", "replicate", "zero"]


def _padding(kind: str, size: int) -> tuple[list[nn.Module], int]:
    """Explicit pad layers for ``kind`` and the conv's own padding (only for ``zero``)."""
    if kind == "reflect":
        return [nn.ReflectionPad2d(size)], 0
    if kind == "replicate":
        return [nn.ReplicationPad2d(size)], 0
    if kind == "zero":
        return [], size
    raise ValueError(f"padding must be reflect, replicate or zero, got {kind!r}")


class ResnetBlock(nn.Module):
    """Two 3x3 convs with a residual connection; optional dropout between them.

    Args:
        channels: width in and out.
        norm: ``batch``, ``instance`` or ``none``.
        dropout: dropout 0.5 after the first conv (pix2pix-style training noise).
        padding: ``reflect`` (reference default), ``replicate`` or ``zero``.
    """

    def __init__(self, channels: int, norm: str = "instance", dropout: bool = False,
                 padding: str = "reflect", all_biases: bool = False):
        super().__init__()
        make_norm, bias = norm_layer(norm), conv_bias(norm, all_biases)
        pads, conv_pad = _padding(padding, 1)
        layers = [*pads, nn.Conv2d(channels, channels, 3, padding=conv_pad, bias=bias),
                  make_norm(channels), nn.ReLU(True)]
        if dropout:
            layers.append(nn.Dropout(0.5))
        pads, conv_pad = _padding(padding, 1)
        layers += [*pads, nn.Conv2d(channels, channels, 3, padding=conv_pad, bias=bias),
                   make_norm(channels)]
        self.conv_block = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv_block(x)


class ResnetGenerator(Generator):
    """Image-to-image ResNet generator; outputs in [-1, 1].

    Args:
        in_channels / out_channels: image channels (3 for RGB, 1 for grayscale).
        ngf: width of the first layer (64 in the paper).
        n_blocks: residual blocks at 1/4 resolution (9 for 256px images, 6 for 128px).
        norm: ``instance`` (CycleGAN), ``batch`` or ``none``.
        dropout: dropout in the residual blocks.
        padding: ``reflect``, ``replicate`` or ``zero`` inside the residual blocks.
        residual: return ``input + network(input)`` (see `UnetGenerator`); not in the reference.
        residual_space: where the residual correction is added. ``image``: to the image, so
            outputs span [-2, 2]. ``logit``: before the output tanh, ``tanh(atanh(input) +
            network(input))`` with the network's own tanh left out (the weights and their
            names are the same), so outputs stay in (-1, 1): a generator cannot hide the
            image in out-of-range values, nor park its tanh in saturation there.
    """

    size_multiple = 4  # two stride-2 convs down, two transposed convs up
    min_size = 8  # reflection padding at 1/4 resolution needs at least 2 pixels
    staged_forward = True

    def __init__(self, in_channels: int = 3, out_channels: int = 3, ngf: int = 64,
                 n_blocks: int = 9, norm: str = "instance", dropout: bool = False,
                 padding: str = "reflect", residual: bool = False,
                 residual_space: Literal["image", "logit"] = "image",
                 all_biases: bool = False):
        super().__init__()
        if n_blocks < 0:
            raise ValueError(f"n_blocks must be >= 0, got {n_blocks}")
        if residual and in_channels != out_channels:
            raise ValueError(f"residual needs as many input as output channels, got "
                             f"{in_channels} and {out_channels}")
        if residual_space not in ("image", "logit"):
            raise ValueError(f"residual_space must be image or logit, got {residual_space!r}")
        if residual_space == "logit" and not residual:
            raise ValueError("residual_space='logit' needs residual=True")
        self.residual = residual
        self.logit_residual = residual_space == "logit"
        make_norm, bias = norm_layer(norm), conv_bias(norm, all_biases)
        layers: list[nn.Module] = [nn.ReflectionPad2d(3),
                                   nn.Conv2d(in_channels, ngf, 7, bias=bias),
                                   make_norm(ngf), nn.ReLU(True)]
        width = ngf
        for _ in range(2):  # downsample
            layers += [nn.Conv2d(width, width * 2, 3, stride=2, padding=1, bias=bias),
                       make_norm(width * 2), nn.ReLU(True)]
            width *= 2
        layers += [ResnetBlock(width, norm, dropout, padding, all_biases)
                   for _ in range(n_blocks)]
        self._upsampling_starts = len(layers)
        for _ in range(2):  # upsample back
            layers += [nn.ConvTranspose2d(width, width // 2, 3, stride=2, padding=1,
                                          output_padding=1, bias=bias),
                       make_norm(width // 2), nn.ReLU(True)]
            width //= 2
        # Identity in place of the tanh keeps the reference's module indices.
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7),
                   nn.Identity() if self.logit_residual else nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_staged(x, _run_whole)

    def forward_staged(self, x: Tensor,
                       run_stage: Callable[[nn.Module, Tensor], Tensor]) -> Tensor:
        """``forward(x)``, with the output stage (the upsampling layers and the output
        convolution) run as ``run_stage(stage, h)``: fast inference keeps it in fp32 under
        ``mixed`` precision and channels-last on CPU (see `ganzoo.nets.fast_inference`)."""
        split = self._upsampling_starts
        out = run_stage(self.model[split:], self.model[:split](x))
        if self.logit_residual:
            # atanh(+-1) is infinite: pure black or white enters as +-(1 - 1e-3), logit +-3.8.
            return torch.tanh(torch.atanh(x.clamp(-1 + 1e-3, 1 - 1e-3)) + out)
        return x + out if self.residual else out


def _run_whole(stage: nn.Module, h: Tensor) -> Tensor:
    return stage(h)
