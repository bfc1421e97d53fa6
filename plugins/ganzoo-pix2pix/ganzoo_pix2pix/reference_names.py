"""The reference implementation's network names (``--netG unet_256``, ``--netD basic``) → ours.

Variants expose these names in their configs (``--set netG=resnet_9blocks``) so that a user of
the reference code can carry their options over unchanged.
"""

from __future__ import annotations

from torch import nn

from ganzoo.nets.patchgan import NLayerDiscriminator, PixelDiscriminator
from .resnet_generator import ResnetGenerator
from .unet import UNET_LEVELS, UnetGenerator

GENERATORS: tuple[str, ...] = ("resnet_9blocks", "resnet_6blocks", "unet_128", "unet_256")
DISCRIMINATORS: tuple[str, ...] = ("basic", "n_layers", "pixel")


def build_generator(name: str, in_channels: int, out_channels: int, ngf: int = 64,
                    norm: str = "batch", dropout: bool = False,
                    residual: bool = False, residual_space: str = "image",
                    all_biases: bool = False) -> nn.Module:
    """``resnet_9blocks`` | ``resnet_6blocks`` | ``unet_128`` | ``unet_256``; ``all_biases``:
    every conv has a bias, whatever the norm (see `ganzoo.nets.norms.conv_bias`)."""
    if name in ("resnet_9blocks", "resnet_6blocks"):
        return ResnetGenerator(in_channels, out_channels, ngf, n_blocks=int(name[7]), norm=norm,
                               dropout=dropout, residual=residual,
                               residual_space=residual_space, all_biases=all_biases)
    if name in UNET_LEVELS:
        if residual_space != "image":
            raise ValueError(f"residual_space={residual_space!r} is only for the resnet "
                             f"generators; {name} adds its correction to the image")
        return UnetGenerator(in_channels, out_channels, UNET_LEVELS[name], ngf, norm=norm,
                             dropout=dropout, residual=residual, all_biases=all_biases)
    raise ValueError(f"netG must be one of {', '.join(GENERATORS)}, got {name!r}")


def build_discriminator(name: str, in_channels: int, ndf: int = 64, n_layers: int = 3,
                        norm: str = "batch", all_biases: bool = False) -> nn.Module:
    """``basic`` (70x70 PatchGAN) | ``n_layers`` (PatchGAN with ``n_layers``) | ``pixel``."""
    if name == "basic":
        return NLayerDiscriminator(in_channels, ndf, 3, norm, all_biases)
    if name == "n_layers":
        return NLayerDiscriminator(in_channels, ndf, n_layers, norm, all_biases)
    if name == "pixel":
        return PixelDiscriminator(in_channels, ndf, norm, all_biases)
    raise ValueError(f"netD must be one of {', '.join(DISCRIMINATORS)}, got {name!r}")


def size_multiple(generator: nn.Module) -> int:
    """The side length multiple a generator needs (4 for ResNets, 2**levels for U-Nets)."""
    return int(generator.size_multiple)
