"""Vanilla GAN (Goodfellow et al. 2014): MLP generator and discriminator.

For toy 2-D mixtures and for flattened images (the seeds' MNIST experiment). The Config defaults
feed G a normal latent, as the paper does; the per-dataset ``recipes`` are the project's
mode-collapse recipes on the toy mixtures (``benchmarks/mode_collapse.py``): non-saturating
loss, Adam at 1e-3 decayed linearly to 0, an EMA of G, a learned Gaussian-mixture latent
(``latent_components``, DeLiGAN), and on grid25 a light lazy R1 penalty and the minibatch-std
feature in D. How they were chosen, and what was tried against lost modes and for speed:
``docs/experiments/toy_recipes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganzoo.interfaces import Discriminator, Generator

from .mixture_latent import MixtureLatent
from .noise_gan import NoiseDrivenGAN, flat_size


@dataclass
class VanillaGANConfig:
    """Architecture and objective of the MLP GAN (the dataset ``recipes`` override some)."""

    data_shape: list[int] = field(default_factory=lambda: [2])  # [D] points or [C, H, W] images
    latent_dim: int = 2          # G's input size (~64 for images); with a mixture, its dimension
    latent_components: int = 0   # 0: G reads N(0, I); K > 0: a learned mixture of K Gaussians
    latent_component_scale: float = 0.02  # initial std of each mixture component (learned)
    hidden: int = 192            # width of every hidden layer of G (and of D, see d_hidden)
    d_hidden: int | None = None  # width of D's hidden layers (None: hidden)
    layers: int = 3              # hidden layers in G and in D
    loss: str = "non-saturating"
    penalty: str = "r1"          # none | r1 | r2 | r1+r2 | gradient-penalty
    penalty_weight: float = 0.001
    penalty_every: int | None = None  # lazy r1/r2: every k-th D step, weight × k (None: 4; GP: 1)
    pack: int = 1                # PacGAN: D sees this many samples at once
    minibatch_std: bool = False  # append the batch's feature spread to D's last hidden layer
    top_k: float = 1.0           # fraction of fakes (highest D scores) G learns from
    n_critic: int = 1
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    fused_adam: bool = False     # torch's one-kernel Adam: the same update, ~2.7x faster


class FullPrecisionLinear(nn.Linear):
    """A Linear layer that stays fp32 under bf16/fp16 autocast (same weights and keys as
    ``nn.Linear``; in fp32 training it is ``nn.Linear``).

    For the layers that read or write data coordinates: bf16 keeps 8 significant bits, so a toy
    point near 4.0 is rounded to steps of 0.016 (below 4) or 0.031 (above), a third to over
    half of grid25's std of 0.05. They are the cheap layers (2 inputs or outputs); the wide
    hidden layers are where bf16 saves time.
    """

    def forward(self, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return super().forward(x.float())


class MLPGenerator(Generator):
    """z → ``layers`` × (Linear, ReLU) → Linear → data (tanh for images); the first and last
    layers stay fp32 under autocast. With ``components`` > 0, z first goes through a learned
    `MixtureLatent` of that many Gaussians in ``latent_dim`` dimensions (and z has one more
    coordinate, which picks the component)."""

    def __init__(self, latent_dim: int, data_shape: tuple[int, ...], hidden: int, layers: int,
                 components: int = 0, component_scale: float = 0.02):
        super().__init__()
        self.mixture = (MixtureLatent(components, latent_dim, component_scale)
                        if components else None)
        self.latent_dim = latent_dim + 1 if components else latent_dim  # the noise drawn
        self.data_shape = data_shape
        blocks: list[nn.Module] = []
        width = latent_dim
        for index in range(layers):
            linear = FullPrecisionLinear if index == 0 else nn.Linear
            blocks += [linear(width, hidden), nn.ReLU()]
            width = hidden
        blocks.append(FullPrecisionLinear(width, flat_size(data_shape)))
        if len(data_shape) == 3:
            blocks.append(nn.Tanh())
        self.net = nn.Sequential(*blocks)

    def forward(self, z: Tensor) -> Tensor:
        if self.mixture is not None:
            z = self.mixture(z)
        return self.net(z).reshape(z.shape[0], *self.data_shape)


class MLPDiscriminator(Discriminator):
    """Packed, flattened samples → ``layers`` × (Linear, LeakyReLU 0.2) → Linear → score; the
    first layer and the head stay fp32 under autocast."""

    def __init__(self, in_features: int, hidden: int, layers: int, minibatch_std: bool = False):
        super().__init__()
        self.minibatch_std = minibatch_std
        blocks: list[nn.Module] = []
        width = in_features
        for index in range(layers):
            linear = FullPrecisionLinear if index == 0 else nn.Linear
            blocks += [linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*blocks)
        self.head = FullPrecisionLinear(width + int(minibatch_std), 1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.body(x.flatten(1))
        if self.minibatch_std:
            # One number per batch: how varied the features are; a collapsed G shows low spread.
            # Spelled out rather than `h.std(0)`, which took about twice as long (forward and
            # backward) in a CPU micro-benchmark; the epsilon keeps the square root's gradient
            # finite for a batch with no spread.
            centred = h - h.mean(0)
            spread = (centred.square().mean(0) + 1e-8).sqrt().mean().expand(h.shape[0], 1)
            h = torch.cat([h, spread], 1)
        return self.head(h).squeeze(1)


class VanillaGAN(NoiseDrivenGAN):
    """MLP GAN with a configurable loss, penalty, packing and minibatch features."""

    Config = VanillaGANConfig
    task: ClassVar[str] = "toy"
    #: Toy recipes (``docs/experiments/toy_recipes.md``, ``benchmarks/results/mode_collapse.txt``):
    #: non-saturating loss, learning rates decayed linearly to 0 over the second half, EMA of G,
    #: and G fed a learned mixture of 400 narrow Gaussians in 8 dimensions (``MixtureLatent``:
    #: G makes its jumps between modes in the gaps between components, where the plain normal
    #: latent left 5-20 % of the samples between modes). G width 128, D width 192.
    #: grid25: batch 384, 3,000 iterations, lazy R1 at 1e-4, the minibatch-std feature in D,
    #: fused Adam. ring8: batch 512, 2,000 iterations, no penalty.
    #: They pin no thread count: a new run takes the cores idle when it starts.
    recipes: ClassVar[dict[str, dict[str, Any]]] = {
        "grid25": {"hidden": 128, "d_hidden": 192, "latent_dim": 8, "latent_components": 400,
                   "latent_component_scale": 0.01, "minibatch_std": True,
                   "penalty_weight": 1e-4, "fused_adam": True,
                   "steps": 3000, "batch_size": 384, "lr_decay_start": 1500, "ema_decay": 0.999,
                   "sample_every": 500, "checkpoint_every": 500},
        "ring8": {"hidden": 128, "d_hidden": 192, "latent_dim": 8, "latent_components": 400,
                  "latent_component_scale": 0.01, "penalty": "none",
                  "steps": 2000, "batch_size": 512, "lr_decay_start": 1000, "ema_decay": 0.999,
                  "sample_every": 500, "checkpoint_every": 500},
        "digits": {"data_shape": [1, 8, 8], "latent_dim": 64, "hidden": 256, "lr_g": 2e-4,
                   "lr_d": 2e-4, "penalty_weight": 1.0, "penalty_every": 1, "steps": 3000,
                   "batch_size": 64},
    }

    def __init__(self, config: VanillaGANConfig | None = None):
        super().__init__(config)
        cfg = self.config
        self.generator = MLPGenerator(cfg.latent_dim, self.data_shape, cfg.hidden, cfg.layers,
                                      cfg.latent_components, cfg.latent_component_scale)
        self.discriminator = MLPDiscriminator(cfg.pack * flat_size(self.data_shape),
                                              cfg.d_hidden or cfg.hidden, cfg.layers,
                                              cfg.minibatch_std)
