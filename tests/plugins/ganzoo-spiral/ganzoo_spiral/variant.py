"""SpiralGAN: a small MLP GAN on 2-D points whose samples can be turned at sampling time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganzoo.conditioning import ConditionKey
from ganzoo.interfaces import Discriminator, GANModel, Generator, StepOutput
from ganzoo.losses import get_loss


@dataclass
class SpiralGANConfig:
    latent_dim: int = 4
    width: int = 64
    loss: str = "non-saturating"
    lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)


class PointGenerator(Generator):
    def __init__(self, latent_dim: int, width: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(nn.Linear(latent_dim, width), nn.ReLU(),
                                 nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 2))

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class PointCritic(Discriminator):
    def __init__(self, width: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, width), nn.LeakyReLU(0.2),
                                 nn.Linear(width, width), nn.LeakyReLU(0.2), nn.Linear(width, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class SpiralGAN(GANModel):
    Config = SpiralGANConfig
    task = "toy"
    conditioning: ClassVar[tuple[ConditionKey, ...]] = (
        ConditionKey("turn", "float", "rotate the samples by this many degrees",
                     minimum=-360, maximum=360),)
    data_kinds: ClassVar[tuple[str, ...]] = ("spiral",)
    test_config: ClassVar[dict[str, Any]] = {"width": 8}

    def __init__(self, config: SpiralGANConfig | None = None):
        super().__init__(config)
        self.generator = PointGenerator(self.config.latent_dim, self.config.width)
        self.discriminator = PointCritic(self.config.width)
        self.loss = get_loss(self.config.loss)

    def discriminator_step(self, batch: Tensor) -> StepOutput:
        fake = self.generator(torch.randn(len(batch), self.config.latent_dim)).detach()
        loss = self.loss.discriminator(self.discriminator(batch), self.discriminator(fake))
        return StepOutput(loss, {"d_loss": loss.item()})

    def generator_step(self, batch: Tensor) -> StepOutput:
        fake = self.generator(torch.randn(len(batch), self.config.latent_dim))
        loss = self.loss.generator(self.discriminator(fake))
        return StepOutput(loss, {"g_loss": loss.item()})

    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, turn: float = 0.0, **unused: Any) -> Tensor:
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(self.device)
        points = self.generator(z).cpu()
        angle = math.radians(float(turn))
        rotation = torch.tensor([[math.cos(angle), math.sin(angle)],
                                 [-math.sin(angle), math.cos(angle)]])
        return points @ rotation

    def preprocessing(self) -> dict[str, Any]:
        return {"output": "points"}
