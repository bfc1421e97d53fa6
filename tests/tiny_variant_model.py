"""The model of the test-only ``tiny`` variant (imported lazily, like a real plugin's)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganzoo.interfaces import Discriminator, GANModel, Generator, StepOutput


@dataclass
class TinyConfig:
    hidden: int = 8  # width of the hidden layers
    latent_dim: int = 4


class TinyGenerator(Generator):
    def __init__(self, latent_dim: int, hidden: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(nn.Linear(latent_dim, hidden), nn.BatchNorm1d(hidden),
                                 nn.ReLU(), nn.Linear(hidden, 2))
        # Non-persistent: must never reach model.safetensors.
        self.register_buffer("scratch", torch.zeros(1), persistent=False)

    def forward(self, z):
        return self.net(z)


class TinyDiscriminator(Discriminator):
    def __init__(self, hidden: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x)


class TinyGAN(GANModel):
    """Test-only MLP GAN on 2-D points."""

    Config = TinyConfig
    task = "toy"

    def __init__(self, config=None):
        super().__init__(config)
        self.generator = TinyGenerator(self.config.latent_dim, self.config.hidden)
        self.discriminator = TinyDiscriminator(self.config.hidden)
        self.criterion = nn.BCEWithLogitsLoss()  # not a network: never saved

    def discriminator_step(self, batch):
        fake = self.generator(torch.randn(len(batch), self.config.latent_dim)).detach()
        real_score, fake_score = self.discriminator(batch), self.discriminator(fake)
        loss = (self.criterion(real_score, torch.ones_like(real_score))
                + self.criterion(fake_score, torch.zeros_like(fake_score)))
        return StepOutput(loss, {"d": loss.item()})

    def generator_step(self, batch):
        score = self.discriminator(self.generator(torch.randn(len(batch), self.config.latent_dim)))
        loss = self.criterion(score, torch.ones_like(score))
        return StepOutput(loss, {"g": loss.item()})

    def sample(self, n, seed=None, **conditioning):
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(self.device)
        with torch.no_grad():
            return self.generator(z)

    @classmethod
    def convert_checkpoint(cls, state_dict, config):
        """Foreign checkpoints name the generator ``G.*``; ours say ``generator.*``."""
        return {("generator." + k[2:] if k.startswith("G.") else k): v
                for k, v in state_dict.items()}
