"""InfoGAN networks: a DCGAN-style generator, and a discriminator whose conv trunk is shared by
the real/fake head and the Q head (the paper's recipe: Q costs one small MLP on D's features).

Sizes follow the image: 4×4 maps doubled ``log2(size / 4)`` times (`ganzoo.nets.dcgan_stack`).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganzoo.interfaces import Discriminator, Generator
from ganzoo.nets.dcgan_stack import downsampling_trunk, upsampling_blocks


class CodeGenerator(Generator):
    """``[z, one_hot(c), c_cont]`` → linear → 4×4 map → (upsample, conv, BN, ReLU)* → tanh.

    Args:
        latent_dim: size of the noise z.
        code_dim: size of the codes appended to z (categories + continuous).
        channels: image channels.
        image_size: output side (power of two ≥ 8).
        width: channels of the 4×4 map; halved per stage (at least 32).
    """

    def __init__(self, latent_dim: int, code_dim: int, channels: int, image_size: int,
                 width: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
        self.project = nn.Sequential(nn.Linear(latent_dim + code_dim, width * 16),
                                     nn.BatchNorm1d(width * 16), nn.ReLU(True))
        self.blocks, c = upsampling_blocks(width, image_size)
        self.to_image = nn.Sequential(nn.Conv2d(c, channels, 3, 1, 1), nn.Tanh())

    def forward(self, latent_and_codes: Tensor) -> Tensor:
        h = self.project(latent_and_codes)
        return self.to_image(self.blocks(h.view(len(h), self.width, 4, 4)))


class InfoDiscriminator(Discriminator):
    """Shared trunk → features; ``forward`` gives the real/fake logit, `q` the code posterior.

    Args:
        channels: image channels.
        image_size: input side (power of two ≥ 8).
        width: channels of the first conv; doubled per halving.
        num_categories: categories of the categorical code.
        num_continuous: number of continuous codes.
        spectral_norm: spectral normalisation on the trunk and the real/fake head.
    """

    def __init__(self, channels: int, image_size: int, width: int, num_categories: int,
                 num_continuous: int, spectral_norm: bool = True):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        self.trunk, features = downsampling_trunk(channels, width, image_size, sn)
        self.head = sn(nn.Linear(features, 1))
        self.num_categories, self.num_continuous = num_categories, num_continuous
        # Q is not spectrally normalised: it must be free to be confident about the codes.
        self.q_head = nn.Sequential(nn.Linear(features, features), nn.LeakyReLU(0.2),
                                    nn.Linear(features, num_categories + 2 * num_continuous))

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.trunk(images)).squeeze(1)

    def image_input(self) -> nn.Module:
        # `both` and `q` bypass forward: the trunk is where every judged image enters.
        return self.trunk

    def both(self, images: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor, Tensor]]:
        """Real/fake logit and Q's ``(category_logits, mean, log_std)`` from one trunk pass."""
        h = self.trunk(images)
        return self.head(h).squeeze(1), self._q(h)

    def q(self, images: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return self._q(self.trunk(images))

    def _q(self, h: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        out = self.q_head(h)
        k, m = self.num_categories, self.num_continuous
        # log-std clamped: a collapsing std would turn the Gaussian NLL into a spike.
        return out[:, :k], out[:, k:k + m], out[:, k + m:].clamp(-5.0, 2.0)
