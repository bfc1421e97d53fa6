"""The ``srgan`` variant: SRResNet + a VGG-style discriminator, content + 1e-3 adversarial loss.

``--set discriminator=patch`` swaps the paper's D (one logit per crop) for a PatchGAN (one per
34x34 patch): the SR benchmark's short fine-tune sharpens reliably only against the latter.

Ledig et al. train SRGAN starting from a trained SRResNet (``--set init_from=DIR``, a folder
written by ``ganzoo train srresnet``); starting from scratch works but is slower and noisier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch

from ganzoo.errors import GanzooError
from ganzoo.interfaces import StepOutput, TrainingStep
from ganzoo.losses import generator_loss, get_loss

from .discriminator import PatchDiscriminator, VGGStyleDiscriminator
from .srresnet import SRResNet, SRResNetConfig


@dataclass
class SRGANConfig(SRResNetConfig):
    """SRGAN recipe: the SRResNet settings plus the adversarial game.

    Args:
        adversarial_weight: weight of G's adversarial loss next to the content loss (1e-3).
        loss: adversarial loss by registered name (``non-saturating`` is the paper's).
        lr_d: discriminator learning rate.
        d_features: width of the discriminator's first conv (64).
        discriminator: ``vgg`` (the paper's: one logit per crop) or ``patch`` (a PatchGAN:
            one logit per ``d_layers``-deep receptive field).
        d_layers: stride-2 layers of the ``patch`` discriminator (2: 34x34 patches).
        init_from: folder of a trained ``srresnet`` (same scale/arch) whose generator weights
            start training; loaded once when training starts, never by `ganzoo.load`.
    """

    adversarial_weight: float = 1e-3
    loss: str = "non-saturating"
    lr_d: float = 1e-4
    d_features: int = 64
    discriminator: Literal["vgg", "patch"] = "vgg"
    d_layers: int = 2
    init_from: str = ""


class SRGAN(SRResNet):
    """SRGAN: SRResNet generator trained against a VGG-style discriminator."""

    Config = SRGANConfig
    discriminator_names: ClassVar[tuple[str, ...]] = ("discriminator",)
    test_config: ClassVar[dict[str, Any]] = {"blocks": 2, "features": 8, "image_size": 32,
                                              "d_features": 4}
    #: SRResNet's small generator against a narrow (16) discriminator, as the zoo's srgan-x4-s.
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "small": {**SRResNet.presets["small"], "d_features": 16, "lr_d": 1e-3}}

    def __init__(self, config: Any = None):
        super().__init__(config)
        cfg = self.config
        if cfg.discriminator == "vgg":
            self.discriminator = VGGStyleDiscriminator(cfg.channels, cfg.d_features)
        elif cfg.discriminator == "patch":
            self.discriminator = PatchDiscriminator(cfg.channels, cfg.d_features, cfg.d_layers)
        else:
            raise GanzooError(f"discriminator must be vgg or patch, got {cfg.discriminator!r}")
        self.adversarial = get_loss(self.config.loss)

    def load_initial_weights(self) -> None:
        """Start from the generator of the trained SRResNet named by ``init_from`` (if set)."""
        if self.config.init_from:
            self.initialise_from(self.config.init_from)

    def initialise_from(self, folder: str) -> None:
        """Copy the generator weights of a trained SRResNet folder into this model."""
        from ganzoo.layout import load_pretrained_folder

        source = load_pretrained_folder(folder)
        if not isinstance(source, SRResNet) or source.config.scale != self.config.scale:
            raise GanzooError(f"init_from={folder}: need a trained srresnet with scale "
                              f"{self.config.scale}; train one with `ganzoo train srresnet`")
        try:
            self.generator.load_state_dict(source.generator.state_dict())
        except RuntimeError:
            raise GanzooError(f"init_from={folder}: its generator architecture differs "
                              f"(features/blocks/arch); set the same values here") from None

    def training_steps(self) -> list[TrainingStep]:
        return [TrainingStep("discriminator", self.discriminator_step, 1),
                TrainingStep("generator", self.generator_step, 1)]

    def discriminator_step(self, batch: Any) -> StepOutput:
        lr, hr = self.pairs(batch)
        with torch.no_grad():  # the Trainer freezes G during D steps anyway
            fake = self.generator(lr)
        loss = self.adversarial.discriminator(self.discriminator(hr),
                                              self.discriminator(fake))
        return StepOutput(loss, {"d_loss": loss.item()})

    def generator_step(self, batch: Any) -> StepOutput:
        # Regenerate rather than reuse the D step's outputs: G was frozen there, so they
        # carry no gradient path to G.
        lr, hr = self.pairs(batch)
        fake = self.generator(lr)
        content, logs = self.content_loss(fake, hr)
        adversarial = generator_loss(self.adversarial, self.discriminator(fake),
                                     lambda: self.discriminator(hr))
        logs["g_adversarial"] = adversarial.item()
        return StepOutput(content + self.config.adversarial_weight * adversarial, logs)
