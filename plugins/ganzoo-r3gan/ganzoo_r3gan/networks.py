"""R3GAN's generator and discriminator: mirror images of each other, one stage per resolution
from 4×4 to ``image_size``, each stage a transition (resampling, width change) and
``blocks_per_stage`` residual blocks (`ganzoo_r3gan.blocks`).

G: z → a 4×4 *basis* (a learned 4×4 pattern per channel, each scaled by a linear function of z)
→ stages, upsampling between them → a 1×1 convolution to the image's channels (no tanh: the
network's output is linear, as in the paper; sampling clips to the value range).
D: image → a 1×1 convolution → stages, downsampling between them → at 4×4 a depthwise 4×4
convolution (one weight per channel and position) and a linear layer to one raw score.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.interfaces import Discriminator, Generator

from .blocks import (ResidualBlock, change_width, downsample, linear_init, stage_widths,
                     upsample)


def _stage(width: int, blocks: int, expansion: int, group_size: int) -> nn.Sequential:
    return nn.Sequential(*(ResidualBlock(width, expansion, group_size) for _ in range(blocks)))


def _initialize_blocks(network: nn.Module) -> None:
    blocks = [m for m in network.modules() if isinstance(m, ResidualBlock)]
    for block in blocks:
        block.initialize(len(blocks))


class R3GANGenerator(Generator):
    """z ``(N, latent_dim)`` → images ``(N, channels, image_size, image_size)``, about [-1, 1]."""

    def __init__(self, latent_dim: int, channels: int, image_size: int, width: int,
                 min_width: int, blocks_per_stage: int, expansion: int, group_size: int):
        super().__init__()
        self.latent_dim = latent_dim
        widths = stage_widths(image_size, width, min_width)
        self.basis = nn.Parameter(torch.randn(widths[0], 4, 4))
        self.basis_weights = nn.Linear(latent_dim, widths[0])
        linear_init(self.basis_weights)
        self.transitions = nn.ModuleList(change_width(a, b) for a, b in zip(widths, widths[1:]))
        self.stages = nn.ModuleList(_stage(w, blocks_per_stage, expansion, group_size)
                                    for w in widths)
        self.to_image = nn.Conv2d(widths[-1], channels, 1)
        linear_init(self.to_image)
        _initialize_blocks(self)

    def forward(self, z: Tensor) -> Tensor:
        h = self.basis[None] * self.basis_weights(z)[:, :, None, None]
        h = self.stages[0](h)
        for transition, stage in zip(self.transitions, self.stages[1:]):
            h = stage(upsample(transition(h)))
        return self.to_image(h)


class R3GANDiscriminator(Discriminator):
    """Images ``(N, channels, image_size, image_size)`` → raw scores ``(N,)``."""

    def __init__(self, channels: int, image_size: int, width: int, min_width: int,
                 blocks_per_stage: int, expansion: int, group_size: int):
        super().__init__()
        widths = stage_widths(image_size, width, min_width)[::-1]  # from image_size down to 4×4
        self.from_image = nn.Conv2d(channels, widths[0], 1)
        linear_init(self.from_image)
        self.stages = nn.ModuleList(_stage(w, blocks_per_stage, expansion, group_size)
                                    for w in widths)
        self.transitions = nn.ModuleList(change_width(a, b) for a, b in zip(widths, widths[1:]))
        self.head = nn.Conv2d(widths[-1], widths[-1], 4, groups=widths[-1])
        self.score = nn.Linear(widths[-1], 1)
        linear_init(self.head)
        linear_init(self.score)
        _initialize_blocks(self)

    def forward(self, images: Tensor) -> Tensor:
        h = self.stages[0](self.from_image(images))
        for transition, stage in zip(self.transitions, self.stages[1:]):
            h = stage(transition(downsample(h)))
        return self.score(self.head(h).flatten(1)).flatten()
