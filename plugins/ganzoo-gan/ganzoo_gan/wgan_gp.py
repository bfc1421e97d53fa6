"""WGAN-GP (Gulrajani et al. 2017): a Wasserstein critic kept 1-Lipschitz by a gradient penalty.

The paper's toy setup: MLP critic and generator, λ = 10, 5 critic steps per generator step,
Adam(1e-4, β = (0.5, 0.9)). The networks are the vanilla GAN's MLPs (no BatchNorm in the
critic, which the penalty forbids); images are flattened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .noise_gan import NoiseDrivenGAN, flat_size
from .vanilla import MLPDiscriminator, MLPGenerator


@dataclass
class WGANGPConfig:
    """WGAN-GP's published hyper-parameters; ``loss``/``penalty`` may be swapped for studies."""

    data_shape: list[int] = field(default_factory=lambda: [2])
    latent_dim: int = 2
    hidden: int = 512
    layers: int = 3
    loss: str = "wasserstein"
    penalty: str = "gradient-penalty"
    penalty_weight: float = 10.0
    pack: int = 1
    minibatch_std: bool = False
    n_critic: int = 5
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.9)


class WGANGP(NoiseDrivenGAN):
    """Wasserstein GAN with gradient penalty (MLP critic and generator)."""

    Config = WGANGPConfig
    task: ClassVar[str] = "toy"
    #: Toy runs fit the benchmark's 2-CPU-minute budget: 5 critic steps with a double-backward
    #: penalty cost ~4× a plain GAN iteration, so width 256 and 1,500 iterations.
    recipes: ClassVar[dict[str, dict[str, Any]]] = {
        "grid25": {"hidden": 256, "steps": 1500, "batch_size": 256},
        "ring8": {"hidden": 256, "steps": 1500, "batch_size": 256},
        "digits": {"data_shape": [1, 8, 8], "latent_dim": 64, "hidden": 256, "steps": 2000,
                   "batch_size": 64},
    }

    def __init__(self, config: WGANGPConfig | None = None):
        super().__init__(config)
        cfg = self.config
        self.generator = MLPGenerator(cfg.latent_dim, self.data_shape, cfg.hidden, cfg.layers)
        self.discriminator = MLPDiscriminator(cfg.pack * flat_size(self.data_shape), cfg.hidden,
                                              cfg.layers, cfg.minibatch_std)
