"""The training step and sampling API shared by the noise-driven seed GANs (gan, dcgan, wgan-gp).

A subclass builds ``self.generator`` (latent ``(N, latent_dim)`` → samples) and
``self.discriminator`` (samples, packed → raw scores); everything else is chosen by config:

* ``loss``: any registered adversarial loss (``ganzoo list``/``ganzoo plugins``; built-in:
  minimax, non-saturating, wasserstein, hinge, least-squares);
* ``penalty`` / ``penalty_weight`` / ``penalty_every``: ``none``, ``r1``, ``r2``, ``r1+r2``
  or ``gradient-penalty``; ``penalty_every`` > 1 is StyleGAN2's lazy regularization (R1/R2 only,
  weight × k); a penalty on a discriminator with BatchNorm is refused;
* ``pack``: PacGAN packing — D judges ``pack`` samples at once (concatenated features or
  channels), which penalizes a generator whose samples lack diversity (Lin et al. 2018);
* ``n_critic``: D steps per G step (the Trainer runs the schedule).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput, TrainingStep
from ganzoo.losses import generator_loss, get_loss, get_penalty
from ganzoo.losses.penalties import add_penalty, check_lazy, check_penalty_target
from ganzoo.seeded_noise import seeded_normal


#: D steps between lazy R1/R2 penalties when ``penalty_every`` is None.
LAZY_INTERVAL = 4


class NoiseDrivenGAN(GANModel):
    """Base of the seed GANs; subclasses set ``generator`` and ``discriminator``."""

    #: How a user gets a discriminator without BatchNorm when a penalty needs one.
    batchnorm_fix = "use penalty none"

    def __init__(self, config: Any = None):
        super().__init__(config)
        cfg = self.config
        self.data_shape = tuple(int(d) for d in cfg.data_shape)
        if len(self.data_shape) not in (1, 3):
            raise GanzooError(f"data_shape must be [D] (points/vectors) or [C, H, W] (images), "
                              f"got {list(cfg.data_shape)}")
        if cfg.pack < 1:
            raise GanzooError(f"pack must be >= 1, got {cfg.pack}")
        self.images = len(self.data_shape) == 3
        # A registered "toy" variant trained on images is an image model: say so in config.json.
        self.task = "unconditional" if self.images else "toy"
        self.adversarial = get_loss(cfg.loss)
        self.penalty = get_penalty(cfg.penalty)
        # Counts D steps so a penalty can be applied lazily (every `penalty_every` steps, scaled
        # up to match, as in StyleGAN2); a buffer, so checkpoints resume it exactly.
        self.register_buffer("d_steps", torch.zeros((), dtype=torch.long))

    # ----- training ---------------------------------------------------------------------
    def training_steps(self) -> list[TrainingStep]:
        if self.adversarial.uses_real_scores and getattr(self.config, "top_k", 1.0) < 1.0:
            raise GanzooError(f"top_k keeps only some fakes, but loss {self.config.loss} pairs "
                              f"every fake with a real sample; set top_k=1 or pick another loss")
        if self.penalty is not None and self.config.penalty_weight > 0:
            check_penalty_target(self.discriminator, self.config.penalty, self.batchnorm_fix)
            check_lazy(self.penalty, self.config.penalty, self._penalty_every())
        return super().training_steps()

    def _penalty_every(self) -> int:
        every = getattr(self.config, "penalty_every", 1)
        if every is None:  # the penalty's own default
            return LAZY_INTERVAL if getattr(self.penalty, "lazy", False) else 1
        return max(1, int(every))

    def _real(self, batch: Any) -> Tensor:
        real = batch[0] if isinstance(batch, (list, tuple)) else batch
        if tuple(real.shape[1:]) != self.data_shape:
            raise GanzooError(f"data has shape {tuple(real.shape[1:])} per item but the model "
                              f"was built for {list(self.data_shape)} (from its settings); train "
                              f"on data of that shape or change the settings that set it")
        real = self.from_unit(real) if self.images else real
        usable = real.shape[0] - real.shape[0] % self.config.pack
        if usable == 0:
            raise GanzooError(f"batch of {real.shape[0]} is smaller than pack={self.config.pack}")
        return real[:usable]

    def _noise(self, n: int) -> Tensor:
        return torch.randn(n, self.generator.latent_dim, device=self.device)

    def pack(self, x: Tensor) -> Tensor:
        """``(N, F)`` → ``(N/p, p·F)``; ``(N, C, H, W)`` → ``(N/p, p·C, H, W)``."""
        p = self.config.pack
        return x.reshape(x.shape[0] // p, p * x.shape[1], *x.shape[2:])

    def score(self, x: Tensor) -> Tensor:
        """D's raw scores for unpacked samples."""
        return self.discriminator(self.pack(x))

    def discriminator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        with torch.no_grad():
            fake = self.generator(self._noise(real.shape[0]))
        real_scores = self.score(real)
        loss = self.adversarial.discriminator(real_scores, self.score(fake))
        logs = {"d_loss": loss.item()}
        loss = add_penalty(loss, logs, self.discriminator, self.pack(real), self.pack(fake),
                           penalty=self.penalty, name=self.config.penalty,
                           weight=self.config.penalty_weight, every=self._penalty_every(),
                           d_steps=self.d_steps)
        return StepOutput(loss, logs, self.adversarial.judged_real(real_scores))

    def generator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        scores = self.score(self.generator(self._noise(real.shape[0])))
        keep = getattr(self.config, "top_k", 1.0)
        if keep < 1.0:
            # Top-k training (Sinha et al. 2020): learn only from the fakes D finds most
            # realistic, so bad samples between modes stop dragging good ones off their mode.
            scores = scores.flatten().topk(max(1, round(keep * scores.numel()))).values
        loss = generator_loss(self.adversarial, scores, lambda: self.score(real))
        return StepOutput(loss, {"g_loss": loss.item()})

    # ----- inference --------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, n: int, seed: int | None = None, **conditioning: Any) -> Tensor:
        """``n`` samples: points ``(N, D)`` for toy data, images ``(N, C, H, W)`` in [0, 1]."""
        if conditioning:
            raise GanzooError(f"{type(self).__name__} is unconditional; it takes no "
                              f"{', '.join(conditioning)}")
        z = seeded_normal(n, self.generator.latent_dim, seed, self.device)
        was_training = self.training
        self.eval()
        try:
            out = self.generator(z)
        finally:
            self.train(was_training)
        return self.to_unit(out) if self.images else out

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Tensor:
        # A scatter plot needs many more points than an image grid needs images.
        count = n if self.images else max(n, 1024)
        return torch.randn(count, self.generator.latent_dim, generator=generator)

    @torch.no_grad()
    def preview(self, fixed: Tensor) -> Tensor:
        out = self.generator(fixed.to(self.device))
        return self.to_unit(out) if self.images else out

    def preprocessing(self) -> dict[str, Any]:
        if self.images:
            c, h, w = self.data_shape
            return {"value_range": list(self.value_range), "channels": c, "image_size": h}
        return {"output": "points", "dim": self.data_shape[0]}


def flat_size(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
