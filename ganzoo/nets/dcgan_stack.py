"""DCGAN-style conv stacks sized by the image: 4×4 maps doubled up to it, or halved down to 4×4.

Shared by the cGAN and InfoGAN generators and discriminators, so 8×8 digits and 64×64 folders
use one code path. The module order inside each stack is fixed: shipped weights' state-dict
keys (``blocks.N.*``, ``trunk.N.*``) depend on it.
"""

from __future__ import annotations

import math
from typing import Callable

from torch import nn

from ..errors import GanzooError


def upsampling_stages(image_size: int) -> int:
    """How many ×2 stages take a 4×4 map to ``image_size`` (a power of two ≥ 8)."""
    stages = math.log2(image_size / 4) if image_size >= 8 else 0
    if image_size < 8 or not stages.is_integer():
        raise GanzooError(f"image_size must be a power of two of at least 8 (8, 16, 32, 64...), "
                          f"got {image_size}; resize the data or --set image_size=...")
    return int(stages)


def upsampling_blocks(width: int, image_size: int) -> tuple[nn.Sequential, int]:
    """``(upsample, conv, BN, ReLU)`` per stage from a 4×4 map of ``width`` channels.

    Channels halve at each stage (at least 32). Returns the stack and its output channels.
    """
    blocks: list[nn.Module] = []
    c = width
    for _ in range(upsampling_stages(image_size)):
        out = max(c // 2, 32)
        # Nearest upsample + 3×3 conv: no checkerboard artefacts on tiny images.
        blocks += [nn.Upsample(scale_factor=2), nn.Conv2d(c, out, 3, 1, 1, bias=False),
                   nn.BatchNorm2d(out), nn.ReLU(True)]
        c = out
    return nn.Sequential(*blocks), c


def downsampling_trunk(channels: int, width: int, image_size: int,
                       sn: Callable[[nn.Module], nn.Module]) -> tuple[nn.Sequential, int]:
    """Conv, then stride-2 halvings to 4×4 (channels doubling), flatten, linear → features.

    Args:
        channels: image channels.
        width: channels of the first conv.
        image_size: input side (power of two ≥ 8).
        sn: wraps each conv/linear (spectral normalisation, or the identity).

    Returns:
        The trunk and the size of its feature vector.
    """
    layers: list[nn.Module] = [sn(nn.Conv2d(channels, width, 3, 1, 1)), nn.LeakyReLU(0.2)]
    c = width
    for _ in range(upsampling_stages(image_size)):
        layers += [sn(nn.Conv2d(c, c * 2, 4, 2, 1)), nn.LeakyReLU(0.2)]
        c *= 2
    features = c * 2
    trunk = nn.Sequential(*layers, nn.Flatten(), sn(nn.Linear(c * 16, features)),
                          nn.LeakyReLU(0.2))
    return trunk, features
