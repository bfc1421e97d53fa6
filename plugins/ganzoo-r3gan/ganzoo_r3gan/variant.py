"""R3GAN ("The GAN is dead; long live the GAN! A Modern GAN Baseline", Huang et al., NeurIPS
2024), written from the paper.

The objective is the relativistic pairing loss with both zero-centred gradient penalties,
``L_D = E[f(D(G(z)) - D(x))] + γ/2 E||∇D(x)||² + γ/2 E||∇D(G(z))||²`` with
``f(t) = softplus(t)``, and G minimizing ``E[f(D(x) - D(G(z)))]``. The paper proves it locally
convergent where the pairing loss alone is not, and with it drops StyleGAN2's tricks (mapping
network, style modulation, minibatch stddev, path-length regularization) for a plain
normalization-free ResNet (`ganzoo_r3gan.networks`). Both terms come from ganzoo's loss registry
(``relativistic-pairing``, ``r1+r2``), so ``--set loss=...`` / ``penalty=...`` still swap them.

Paper settings kept: Adam with β = (0, 0.99), equal learning rates for G and D, the penalty on
every D step, leaky ReLU 0.2, bilinear resampling, inverted bottlenecks of expansion 2 with
grouped 3×3 convolutions, fix-up initialization, an EMA of G (the Trainer's). Scaled down for a
CPU: one block per stage, widths of tens of channels, 8×8 digits or 32×32 photos (``--preset
small``); the paper's schedules (γ and learning-rate decay) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor

from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput, TrainingStep
from ganzoo.losses import generator_loss, get_loss, get_penalty
from ganzoo.losses.penalties import add_penalty, check_lazy
from ganzoo.seeded_noise import seeded_normal

from .networks import R3GANDiscriminator, R3GANGenerator


@dataclass
class R3GANConfig:
    """Architecture and objective; ``ganzoo train r3gan --set key=value`` changes any field."""

    channels: int = 1                  # image channels (set from the data)
    image_size: int = 8                # a power of two >= 8 (set from the data)
    latent_dim: int = 64               # size of z
    width: int = 64                    # channels of the 4×4 stage (the widest)
    min_width: int = 32                # width halves per doubling of resolution down to this
    blocks_per_stage: int = 1          # residual blocks per resolution
    expansion: int = 2                 # inverted bottleneck: the branch is this many times wider
    group_size: int = 16               # channels per group of the branch's 3×3 convolution
    loss: str = "relativistic-pairing"  # the paper's; any registered adversarial loss works
    penalty: str = "r1+r2"             # R1 on reals + R2 on fakes (or r1, r2, none, ...)
    penalty_weight: float = 0.1        # the paper's γ: γ/2 (E||∇D(x)||² + E||∇D(G(z))||²)
    penalty_every: int = 1             # D steps between penalties (the paper: every step)
    n_critic: int = 1
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.0, 0.99)


class R3GAN(GANModel):
    """R3GAN for images from noise (default: 8×8 grayscale digits)."""

    Config = R3GANConfig
    task: ClassVar[str] = "unconditional"
    #: Images only; labels, where the data has them, are ignored.
    data_kinds: ClassVar[tuple[str, ...]] = ("digits", "folder", "images", "labelled")
    recipes: ClassVar[dict[str, dict[str, Any]]] = {"digits": {"steps": 2000, "batch_size": 64}}
    #: CPU-sized for a folder of photos: 32-px images.
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "small": {"image_size": 32, "width": 128, "min_width": 32, "steps": 1500,
                  "batch_size": 16}}
    test_config: ClassVar[dict[str, Any]] = {"latent_dim": 8, "width": 16, "min_width": 16,
                                             "group_size": 8}

    def __init__(self, config: R3GANConfig | None = None):
        super().__init__(config)
        c = self.config
        shape = (c.width, c.min_width, c.blocks_per_stage, c.expansion, c.group_size)
        if min(shape) < 1:
            raise GanzooError(f"width, min_width, blocks_per_stage, expansion and group_size must "
                              f"be at least 1, got {shape}")
        self.generator = R3GANGenerator(c.latent_dim, c.channels, c.image_size, *shape)
        self.discriminator = R3GANDiscriminator(c.channels, c.image_size, *shape)
        self.adversarial = get_loss(c.loss)
        self.penalty = get_penalty(c.penalty)
        # Counts D steps for penalty_every > 1; a buffer, so checkpoints resume it exactly.
        self.register_buffer("d_steps", torch.zeros((), dtype=torch.long))

    # ----- training (called by the Trainer) ----------------------------------------------
    def training_steps(self) -> list[TrainingStep]:
        if self.penalty is not None:
            check_lazy(self.penalty, self.config.penalty, self.config.penalty_every)
        return super().training_steps()

    def _real(self, batch: Any) -> Tensor:
        images = batch[0] if isinstance(batch, (list, tuple)) else batch
        c = self.config
        if tuple(images.shape[1:]) != (c.channels, c.image_size, c.image_size):
            raise GanzooError(f"images of shape {tuple(images.shape[1:])} but the model was built "
                              f"for {(c.channels, c.image_size, c.image_size)}; set channels and "
                              f"image_size to match the data")
        return self.from_unit(images)

    def _fake(self, n: int) -> Tensor:
        return self.generator(torch.randn(n, self.config.latent_dim, device=self.device))

    def discriminator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        with torch.no_grad():
            fake = self._fake(real.shape[0])
        real_scores = self.discriminator(real)
        loss = self.adversarial.discriminator(real_scores, self.discriminator(fake))
        logs = {"d_loss": loss.item()}
        c = self.config
        loss = add_penalty(loss, logs, self.discriminator, real, fake, penalty=self.penalty,
                           name=c.penalty, weight=c.penalty_weight, every=c.penalty_every,
                           d_steps=self.d_steps)
        return StepOutput(loss, logs, self.adversarial.judged_real(real_scores))

    def generator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        scores = self.discriminator(self._fake(real.shape[0]))
        loss = generator_loss(self.adversarial, scores, lambda: self.discriminator(real))
        return StepOutput(loss, {"g_loss": loss.item()})

    # ----- inference ----------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, **conditioning: Any) -> Tensor:
        """``n`` images ``(N, C, H, W)`` in [0, 1]; the same seed gives the same images."""
        if conditioning:
            raise GanzooError(f"r3gan is unconditional; it takes no {', '.join(conditioning)}")
        z = seeded_normal(n, self.config.latent_dim, seed, self.device)
        return self.to_unit(self.generator(z))

    def preprocessing(self) -> dict[str, Any]:
        c = self.config
        return {"value_range": list(self.value_range), "channels": c.channels,
                "image_size": c.image_size}
