"""The ``cgan`` variant: class-conditional generation from labelled images.

Training pairs every real batch's labels with fresh noise, so fakes follow the data's class
balance and D always compares like with like. Inference: ``m.sample(n, seed=0, label=3)`` and
``m.sample_grid(columns, seed)`` (one row per class, what ``ganzoo sample`` draws when no label
is given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import Tensor

from ganzoo.conditioning import ConditionKey
from ganzoo.interfaces import GANModel, StepOutput
from ganzoo.losses import generator_loss, get_loss, get_penalty

from .labels import resolve_labels
from .networks import ConditionalDiscriminator, ConditionalGenerator


@dataclass
class CGANConfig:
    """cGAN architecture and recipe; defaults are the recommended recipe for ``digits``."""

    num_classes: int = 10            # labels 0..num_classes-1 (set from the data)
    class_names: list[str] = field(default_factory=list)  # optional names, e.g. folder names
    channels: int = 1
    image_size: int = 8              # power of two ≥ 8
    latent_dim: int = 64
    embed_dim: int = 32              # label embedding concatenated to z in G
    g_width: int = 128               # channels of G's 4×4 map
    d_width: int = 32                # channels of D's first conv
    conditioning: Literal["projection", "concat"] = "projection"
    spectral_norm: bool = True       # on every D weight: keeps the hinge game stable
    loss: str = "hinge"
    r1_weight: float = 0.0           # R1 penalty weight on real images (0 = off)
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)


class CGAN(GANModel):
    """Conditional GAN: G(z, y) with a label embedding, D(x, y) by projection or concatenation."""

    Config = CGANConfig
    task = "conditional"
    conditioning = (ConditionKey("label", "int-or-name",
                                 "class index 0..num_classes-1 or a class name (default: every "
                                 "class in turn)"),)
    data_kinds = ("digits", "labelled")

    def __init__(self, config: CGANConfig | None = None):
        super().__init__(config)
        c = self.config
        self.generator = ConditionalGenerator(c.latent_dim, c.num_classes, c.embed_dim,
                                              c.channels, c.image_size, c.g_width)
        self.discriminator = ConditionalDiscriminator(c.num_classes, c.channels, c.image_size,
                                                      c.d_width, c.conditioning, c.spectral_norm)
        self._loss = None

    # ----- training ----------------------------------------------------------------------------
    @property
    def loss(self):
        if self._loss is None:  # looked up lazily: building a model for inference needs no catalog
            self._loss = get_loss(self.config.loss)
        return self._loss

    def _batch(self, batch: Any) -> tuple[Tensor, Tensor]:
        """``[images in [0, 1], labels]`` (what labelled datasets yield) → network range."""
        images, labels = batch[0], batch[1]
        return self.from_unit(images.to(self.device)), labels.to(self.device).long()

    def _noise(self, n: int) -> Tensor:
        return torch.randn(n, self.config.latent_dim, device=self.device)

    def discriminator_step(self, batch: Any) -> StepOutput:
        real, labels = self._batch(batch)
        with torch.no_grad():
            fake = self.generator(self._noise(len(real)), labels)
        real_scores = self.discriminator(real, labels)
        loss = self.loss.discriminator(real_scores, self.discriminator(fake, labels))
        logs = {"d_loss": loss.item()}
        if self.config.r1_weight > 0:
            r1 = get_penalty("r1")(lambda x: self.discriminator(x, labels), real)
            loss = loss + self.config.r1_weight * r1
            logs["r1"] = r1.item()
        return StepOutput(loss, logs, self.loss.judged_real(real_scores))

    def generator_step(self, batch: Any) -> StepOutput:
        real, labels = self._batch(batch)
        fake = self.generator(self._noise(len(real)), labels)
        loss = generator_loss(self.loss, self.discriminator(fake, labels),
                              lambda: self.discriminator(real, labels))
        return StepOutput(loss, {"g_loss": loss.item()})

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Any:
        # Labels sorted by class, so the preview grid reads class by class.
        labels = torch.arange(n) * self.config.num_classes // n
        return torch.randn(n, self.config.latent_dim, generator=generator), labels

    def preview(self, fixed: Any) -> Tensor:
        return self._generate(*fixed)

    # ----- inference ---------------------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None, label: Any = None, **unused: Any) -> Tensor:
        """``n`` images in [0, 1] for ``label`` (int, class name, list or tensor; default: all
        classes in turn). Same seed and labels → same images."""
        labels = resolve_labels(label, n, self.config.num_classes, self.config.class_names)
        return self._generate(self._seeded_noise(n, seed), labels)

    def sample_grid(self, columns: int = 10, seed: int | None = None) -> Tensor:
        """A class-by-row grid: ``num_classes * columns`` images, row k all of class k."""
        labels = torch.arange(self.config.num_classes).repeat_interleave(columns)
        return self._generate(self._seeded_noise(len(labels), seed), labels)

    def _seeded_noise(self, n: int, seed: int | None) -> Tensor:
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        return torch.randn(n, self.config.latent_dim, generator=generator)

    @torch.no_grad()
    def _generate(self, z: Tensor, labels: Tensor) -> Tensor:
        was_training = self.generator.training
        self.generator.eval()  # BatchNorm running statistics, whatever mode the model is in
        try:
            images = self.generator(z.to(self.device), labels.to(self.device))
        finally:
            self.generator.train(was_training)
        return self.to_unit(images)

    def export_module(self, **unused: Any) -> Any:
        """The generator with two graph inputs: noise ``z`` and class ``label`` (int64, one per
        sample); the class names go into the file so ``--cond label=NAME`` works there too."""
        import json

        from ganzoo.export_spec import ExportInput, ExportSpec

        c = self.config
        inputs = (ExportInput("z", (1, c.latent_dim)),
                  ExportInput("label", (1,), dtype="int64", fill=f"randint:0:{c.num_classes}"))
        names = list(c.class_names) if c.class_names else [str(k) for k in range(c.num_classes)]
        return ExportSpec(self.generator, inputs, metadata={"label_names": json.dumps(names)})

    def preprocessing(self) -> dict[str, Any]:
        c = self.config
        return {**super().preprocessing(), "channels": c.channels, "image_size": c.image_size,
                "conditioning": {"label": {"num_classes": c.num_classes,
                                           "class_names": list(c.class_names)}}}
