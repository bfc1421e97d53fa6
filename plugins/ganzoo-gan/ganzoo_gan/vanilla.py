"""Vanilla GAN (Goodfellow et al. 2014): MLP generator and discriminator.

For toy 2-D mixtures and for flattened images (the seeds' MNIST experiment). The Config defaults
plus the per-dataset ``recipes`` are the project's best mode-collapse recipe on the toy
mixtures (``benchmarks/mode_collapse.py``): non-saturating loss, a light lazy R1 penalty
(grid25), Adam at 1e-3 decayed linearly to 0, EMA of G.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganzoo.interfaces import Discriminator, Generator

from .noise_gan import NoiseDrivenGAN, flat_size


@dataclass
class VanillaGANConfig:
    """Architecture and objective of the MLP GAN (defaults: the toy-mixture recipe).

    Measured on grid25 (seed 0, width 192, ~90 CPU s): R1 at 0.001 keeps all 25 modes (without
    it 20-24 survive); stronger R1 (0.01+) or PacGAN packing flattens D too much for modes of
    std 0.05 and high-quality samples fall below 5 %. The grid25 recipe (``recipes``) settles
    on 3e-4 with a narrower D.
    """

    data_shape: list[int] = field(default_factory=lambda: [2])  # [D] points or [C, H, W] images
    latent_dim: int = 2          # toy mixtures need little; use ~64 for images
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
    layers stay fp32 under autocast."""

    def __init__(self, latent_dim: int, data_shape: tuple[int, ...], hidden: int, layers: int):
        super().__init__()
        self.latent_dim = latent_dim
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
            spread = h.std(0, unbiased=False).mean().expand(h.shape[0], 1)
            h = torch.cat([h, spread], 1)
        return self.head(h).squeeze(1)


class VanillaGAN(NoiseDrivenGAN):
    """MLP GAN with a configurable loss, penalty, packing and minibatch features."""

    Config = VanillaGANConfig
    task: ClassVar[str] = "toy"
    #: Toy recipes: learning rates decayed linearly to 0 over the second half, EMA of G
    #: (benchmarks/mode_collapse.py, seeds 0-4, `benchmarks/results/mode_collapse.txt`):
    #: grid25 — G width 256, D width 192, batch 384, R1 3e-4, 9,000 iterations, fused Adam,
    #: 2 threads (one per core of the 2-core machine of the 2-minute budget): 25/25 modes on
    #: every seed, 96.3 % HQ (lowest 95.8 %), at most 94 s of training. On the way (25/25 modes
    #: on every run below): widths 256/256, batch 512, R1 1e-3, 8,000 iterations on one thread
    #: gave 96.4 % but took 170-230 s; D width 192 at batch 512: 94.9 % (seed 2 91.2 %); D 192
    #: at batch 384 with R1 1e-3: 95.6 % at 8,000 iterations, 94.7 % at 9,000 (seed 3 86.8 %:
    #: the modes of one row smeared late in training; LR decay from 3,000 left it at 89.4 %),
    #: R1 at 3e-4 mended it (96.0 %). ring8 — width 192, batch 512, 8,000 iterations, no
    #: penalty (even R1 = 0.001 is too strong a smoothness prior for std 0.01), 2 threads: 8/8
    #: on every seed, 97.5 % HQ, at most 86 s (one thread trains bit-for-bit the same weights
    #: in ~118 s; 6,000 iterations: 96.7 %; width 256: seed 0 lost a mode; fused Adam: seed 2
    #: lost a mode, also at 10,000 iterations). The recipes pin no thread count: a new run
    #: takes the cores idle when it starts (2 on the idle 2-core machine these were measured on).
    recipes: ClassVar[dict[str, dict[str, Any]]] = {
        "grid25": {"hidden": 256, "d_hidden": 192, "penalty_weight": 3e-4, "fused_adam": True,
                   "steps": 9000, "batch_size": 384, "lr_decay_start": 4500, "ema_decay": 0.999,
                   "sample_every": 1000, "checkpoint_every": 1000},
        "ring8": {"penalty": "none", "steps": 8000, "batch_size": 512, "lr_decay_start": 4000,
                  "ema_decay": 0.999, "sample_every": 1000, "checkpoint_every": 1000},
        "digits": {"data_shape": [1, 8, 8], "latent_dim": 64, "hidden": 256, "lr_g": 2e-4,
                   "lr_d": 2e-4, "penalty_weight": 1.0, "penalty_every": 1, "steps": 3000,
                   "batch_size": 64},
    }

    def __init__(self, config: VanillaGANConfig | None = None):
        super().__init__(config)
        cfg = self.config
        self.generator = MLPGenerator(cfg.latent_dim, self.data_shape, cfg.hidden, cfg.layers)
        self.discriminator = MLPDiscriminator(cfg.pack * flat_size(self.data_shape),
                                              cfg.d_hidden or cfg.hidden, cfg.layers,
                                              cfg.minibatch_std)
