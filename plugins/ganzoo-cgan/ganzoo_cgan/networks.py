"""cGAN networks: a label-conditioned DCGAN-style generator and two conditional discriminators.

Sizes follow the image (`ganzoo.nets.dcgan_stack`): the generator starts from a 4×4 map and
doubles ``log2(size / 4)`` times, the discriminator halves back to 4×4.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.errors import GanzooError
from ganzoo.interfaces import Discriminator, Generator
from ganzoo.nets.dcgan_stack import downsampling_trunk, upsampling_blocks


class ConditionalGenerator(Generator):
    """z ⊕ embed(label) → linear → 4×4 map → (upsample, conv, BN, ReLU)* → conv → tanh.

    Args:
        latent_dim: size of the noise vector z.
        num_classes: number of labels.
        embed_dim: size of the learned label embedding concatenated to z.
        channels: image channels.
        image_size: output side (power of two ≥ 8).
        width: channels of the 4×4 map; halved at each upsampling stage (at least 32).
    """

    def __init__(self, latent_dim: int, num_classes: int, embed_dim: int, channels: int,
                 image_size: int, width: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.embed = nn.Embedding(num_classes, embed_dim)
        self.project = nn.Sequential(nn.Linear(latent_dim + embed_dim, width * 16),
                                     nn.BatchNorm1d(width * 16), nn.ReLU(True))
        self.width = width
        self.blocks, c = upsampling_blocks(width, image_size)
        self.to_image = nn.Sequential(nn.Conv2d(c, channels, 3, 1, 1), nn.Tanh())

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        h = self.project(torch.cat([z, self.embed(labels)], dim=1))
        return self.to_image(self.blocks(h.view(len(z), self.width, 4, 4)))


class ConditionalDiscriminator(Discriminator):
    """Conv trunk (stride-2 halvings to 4×4) → features h, then the label enters either

    - ``projection`` (Miyato & Koyama 2018): ``score = w·h + <embed(y), h>``, or
    - ``concat``: ``score = MLP([h, embed(y)])``.

    Args:
        num_classes: number of labels.
        channels: image channels.
        image_size: input side (power of two ≥ 8).
        width: channels of the first conv; doubled at each halving.
        conditioning: ``"projection"`` or ``"concat"``.
        spectral_norm: wrap every linear/conv weight in spectral normalisation.
    """

    def __init__(self, num_classes: int, channels: int, image_size: int, width: int,
                 conditioning: str = "projection", spectral_norm: bool = True):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        self.trunk, features = downsampling_trunk(channels, width, image_size, sn)
        self.conditioning = conditioning
        if conditioning == "projection":
            self.score = sn(nn.Linear(features, 1))
            self.embed = sn(nn.Embedding(num_classes, features))
        elif conditioning == "concat":
            self.embed = nn.Embedding(num_classes, features)
            self.score = nn.Sequential(sn(nn.Linear(2 * features, features)), nn.LeakyReLU(0.2),
                                       sn(nn.Linear(features, 1)))
        else:
            raise GanzooError(f"conditioning must be 'projection' or 'concat', got "
                              f"{conditioning!r}; --set conditioning=projection")

    def forward(self, images: Tensor, labels: Tensor) -> Tensor:
        h = self.trunk(images)
        e = self.embed(labels)
        if self.conditioning == "projection":
            return self.score(h).squeeze(1) + (e * h).sum(1)
        return self.score(torch.cat([h, e], dim=1)).squeeze(1)
