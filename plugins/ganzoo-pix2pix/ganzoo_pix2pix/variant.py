"""pix2pix (Isola et al. 2017): learn A→B from aligned pairs.

The discriminator is *conditional*: it sees the input stacked with either the real target or
the generator's output, so it judges whether the output fits *this* input. The generator
minimizes the GAN term plus λ·‖G(a) − b‖₁ (λ = 100): L1 gets the low frequencies right, the
PatchGAN the texture. Noise comes only from dropout in the U-Net's decoder.

Each iteration updates D, then G, as the reference does (``update_first``; the generator
step recomputes its fake, since G is frozen during D's step). D's objective is halved, as in
the reference, so it learns more slowly than G. A residual generator's output is clamped to
the image range before D sees it (the L1 term still sees, and pulls back, what leaves it).

The paper keeps dropout on at test time as the generator's noise source; ``translate`` turns
it off by default (the same input gives the same output) and ``inference_dropout=true`` keeps
it on (outputs then vary with torch's global RNG; seed it for repeatable ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import contextlib
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.channels import match_channels
from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput, TrainingStep
from ganzoo.losses import generator_loss, get_loss
from ganzoo.nets.weight_init import init_weights

from .reference_checkpoint import adapt_reference_state
from .reference_names import build_discriminator, build_generator
from .translate_image import translate_images
from .two_domain import TwoDomainBatches


@dataclass
class Pix2PixConfig:
    """pix2pix settings; defaults are the paper's recipe (facades, maps, edges2shoes)."""

    netG: Literal["unet_256", "unet_128", "resnet_9blocks", "resnet_6blocks"] = "unet_256"
    netD: Literal["basic", "n_layers", "pixel"] = "basic"  # basic = 70x70 PatchGAN
    n_layers_D: int = 3             # only for netD=n_layers
    ngf: int = 64
    ndf: int = 64
    norm: Literal["batch", "instance", "none"] = "batch"
    conv_bias: Literal["reference", "always"] = "reference"  # reference: only before instance norm
    dropout: bool = True            # the generator's only noise source
    inference_dropout: bool = False  # keep dropout on in translate (the paper's test-time noise)
    update_first: Literal["discriminator", "generator"] = "discriminator"  # reference: D then G
    # Generator returns input + correction (restoration tasks: deblur, denoise); needs
    # channels_a == channels_b. Not in the paper; no extra weights.
    residual: bool = False
    channels_a: int = 3             # channels of the dataset's A side (3 RGB, 1 gray)
    channels_b: int = 3
    direction: Literal["AtoB", "BtoA"] = "AtoB"  # which side of each pair is the input
    image_size: int = 256           # training crop side
    gan_loss: str = "non-saturating"  # the reference's "vanilla" GAN (sigmoid cross-entropy)
    lambda_l1: float = 100.0
    lambda_gan: float = 1.0         # 0 = the paper's "L1 only" ablation (D is not trained)
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    init: Literal["normal", "xavier", "kaiming", "orthogonal"] = "normal"
    init_gain: float = 0.02
    # Inference normalization: "image" normalizes BatchNorm layers with each input's own
    # statistics, as the reference test code does (models trained at batch size 1 need it);
    # "running" uses the running averages (eval mode).
    inference_batchnorm: Literal["image", "running"] = "image"
    tile: int = 1024                # inference: images larger than this run in tiles


class Pix2Pix(TwoDomainBatches, GANModel):
    """Paired image-to-image translation with a conditional GAN and an L1 term.

    Batches are dicts ``{"A": (N, C, H, W), "B": (N, C, H, W)}`` in [0, 1] of aligned pairs
    (the ``paired`` dataset); ``config.direction`` picks which side is the input.
    """

    Config = Pix2PixConfig
    task = "image-to-image"
    data_kinds = ("paired",)
    #: Tiny settings for the conformance kit (`ganzoo.testing`): the U-Net-128 path, narrow.
    test_config: ClassVar[dict[str, Any]] = {"netG": "unet_128", "ngf": 2, "ndf": 4,
                                             "image_size": 128}
    test_input_size: ClassVar[int] = 128
    #: CPU-sized: the zoo model's U-Net-128 at ngf 8 (the paper's U-Net-256 at ngf 64 has 54 M
    #: parameters), 1,500 steps.
    presets = {"small": {"netG": "unet_128", "ngf": 8, "ndf": 32, "image_size": 128,
                         "steps": 1500, "lr_decay_start": 750, "batch_size": 4}}
    recipes = {"paired": {"batch_size": 1, "ema_decay": 0.0, "steps": 4000,
                          "lr_decay_start": 2000, "sample_every": 500, "preview_count": 4}}

    def __init__(self, config: Pix2PixConfig | None = None):
        super().__init__(config)
        cfg = self.config
        self.in_channels, self.out_channels = ((cfg.channels_a, cfg.channels_b)
                                               if cfg.direction == "AtoB"
                                               else (cfg.channels_b, cfg.channels_a))
        try:
            self.generator = init_weights(
                build_generator(cfg.netG, self.in_channels, self.out_channels, cfg.ngf, cfg.norm,
                                cfg.dropout, cfg.residual,
                                all_biases=cfg.conv_bias == "always"), cfg.init, cfg.init_gain)
            self.discriminator = init_weights(
                build_discriminator(cfg.netD, self.in_channels + self.out_channels, cfg.ndf,
                                    cfg.n_layers_D, cfg.norm,
                                    all_biases=cfg.conv_bias == "always"),
                cfg.init, cfg.init_gain)
        except ValueError as exc:
            raise GanzooError(f"pix2pix: {exc}") from None
        self._fake: tuple[Tensor, Tensor] | None = None
        self._loss = None

    @property
    def gan_loss(self):
        if self._loss is None:  # looked up lazily: the catalog is not needed to build a model
            self._loss = get_loss(self.config.gan_loss)
        return self._loss

    # ----- training ---------------------------------------------------------------------------
    def training_steps(self) -> list[TrainingStep]:
        generator = TrainingStep("generator", self.generator_step)
        if self.config.lambda_gan == 0:
            return [generator]
        discriminator = TrainingStep("discriminator", self.discriminator_step)
        if self.config.update_first == "generator":
            return [generator, discriminator]
        return [discriminator, generator]

    def _judged(self, fake: Tensor) -> Tensor:
        """What D sees of a fake: a residual generator's output clamped to the image range."""
        return fake.clamp(-1.0, 1.0) if self.config.residual else fake

    def pair(self, batch: Any) -> tuple[Tensor, Tensor]:
        """(input, target) of a batch in the networks' range and channels."""
        if not isinstance(batch, dict) or "A" not in batch or "B" not in batch:
            raise GanzooError("pix2pix trains on aligned pairs {'A': images, 'B': images}; use "
                              "--data paired:PATH")
        source, target = ((batch["A"], batch["B"]) if self.config.direction == "AtoB"
                          else (batch["B"], batch["A"]))
        return (self.from_unit(match_channels(source, self.in_channels)),
                self.from_unit(match_channels(target, self.out_channels)))

    def generator_step(self, batch: Any) -> StepOutput:
        source, target = self.pair(batch)
        fake = self.generator(source)
        l1 = F.l1_loss(fake, target) * self.config.lambda_l1
        if self.config.update_first == "generator":  # D's step, next, reuses this fake
            self._fake = (source, fake.detach())
        if self.config.lambda_gan == 0:
            return StepOutput(l1, {"G_L1": l1.item()})
        gan = generator_loss(self.gan_loss,
                             self.discriminator(torch.cat([source, self._judged(fake)], 1)),
                             lambda: self.discriminator(torch.cat([source, target], 1)))
        loss = self.config.lambda_gan * gan + l1
        return StepOutput(loss, {"G_gan": gan.item(), "G_L1": l1.item()})

    def discriminator_step(self, batch: Any) -> StepOutput:
        source, target = self.pair(batch)
        if self._fake is None or self._fake[0].shape != source.shape:
            with torch.no_grad():
                self._fake = (source, self.generator(source))
        fake = self._judged(self._fake[1])
        self._fake = None
        real_scores = self.discriminator(torch.cat([source, target], 1))
        fake_scores = self.discriminator(torch.cat([source, fake], 1))
        loss = 0.5 * self.gan_loss.discriminator(real_scores, fake_scores)
        return StepOutput(loss, {"D": loss.item()})

    @torch.no_grad()
    def preview(self, fixed: Any) -> Tensor:
        """Rows ``input | output | target``."""
        source, target = self.pair({k: v.to(self.device) for k, v in fixed.items()})
        fake = self.generator(source)
        panels = [self.to_unit(t) for t in (source, fake, target)]
        return torch.cat([match_channels(p, 3) for p in panels], dim=-1).cpu()

    # ----- inference ----------------------------------------------------------------------------
    def evaluation_pair(self, item: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """``(input, target)`` of an aligned ``{"A", "B"}`` item in [0, 1], for ``ganzoo
        evaluate``: the side the model translates from, and the side it should produce."""
        return ((item["A"], item["B"]) if self.config.direction == "AtoB"
                else (item["B"], item["A"]))

    def preprocessing(self) -> dict[str, Any]:
        cfg = self.config
        return {"value_range": list(self.value_range),
                "in_channels": self.in_channels, "out_channels": self.out_channels,
                "directions": [cfg.direction], "default_direction": cfg.direction,
                "size_multiple": int(self.generator.size_multiple),
                "batchnorm": cfg.inference_batchnorm,
                "input": f"an image of the {cfg.direction[0]} side of the training pairs, any size"}

    def export_module(self, **conditioning: Any) -> Any:
        """The default export (input ``image``), with BatchNorm as ``translate`` runs it: each
        image's own statistics when ``inference_batchnorm`` is ``image``."""
        spec = super().export_module(**conditioning)
        if self.config.inference_batchnorm == "image":
            from .per_image_norm import with_per_image_norm

            spec.module = with_per_image_norm(spec.module)
            spec.metadata["batchnorm"] = "per image (instance statistics)"
        return spec

    def translate(self, images: Tensor, *, direction: str | None = None, tile: int | None = None,
                  overlap: int | None = None, precision: str = "auto", progress: Any = None,
                  **options: Any) -> Tensor:
        """Translate float images ``(N, C, H, W)`` in [0, 1] of any size (padded to the
        U-Net's multiple and cropped back; tiled above ``tile`` pixels per side).

        ``precision``: ``auto`` (bf16 where it is fast and stays within 2/255 of fp32 for these
        weights, see `ganzoo.nets.fast_inference`), ``fp32`` or ``bf16`` (``mixed`` is for
        ResNet generators: ``netG=resnet_*``)."""
        if direction not in (None, self.config.direction):
            raise GanzooError(f"this pix2pix model translates {self.config.direction} only; "
                              f"drop the direction or train with --set direction={direction}")
        if self.config.inference_dropout and precision == "auto":
            precision = "fp32"  # auto's bf16 check compares two runs: random masks would fail it
        with dropout_on(self.generator, self.config.inference_dropout):
            return translate_images(self.generator, images, in_channels=self.in_channels,
                                    value_range=self.value_range, tile=tile or self.config.tile,
                                    overlap=overlap, batchnorm=self.config.inference_batchnorm,
                                    precision=precision, progress=progress)

    # ----- conversion ---------------------------------------------------------------------------
    @classmethod
    def config_from_checkpoint(cls, state_dict: dict[str, Any],
                               values: dict[str, Any]) -> dict[str, Any]:
        """``ngf`` (generator file) or ``ndf`` (PatchGAN file) from its first convolution.

        The user's ``--set`` values win.
        """
        state = {k.removeprefix("module."): v for k, v in state_dict.items()
                 if isinstance(v, Tensor)}
        inferred: dict[str, Any] = {}
        # First convolutions: resnet G model.1, U-Net G model.model.0, PatchGAN model.0.
        for key, name in (("model.1.weight", "ngf"), ("model.model.0.weight", "ngf"),
                          ("model.0.weight", "ndf")):
            if key in state and state[key].dim() == 4:
                inferred[name] = int(state[key].shape[0])
                break
        return {**inferred, **values}

    @classmethod
    def convert_checkpoint(cls, state_dict: dict[str, Any], config: Pix2PixConfig) -> dict[str, Any]:
        """A reference pix2pix ``latest_net_G.pth`` (or ``*_net_D.pth``) → our keys.

        The file's keys tell which network it is: a generator converts to ``generator.*``,
        a PatchGAN to ``discriminator.*``.
        """
        model = cls(config)
        try:
            name, adapted = "generator", adapt_reference_state(state_dict, model.generator,
                                                               where="checkpoint")
        except GanzooError as generator_error:
            try:
                name, adapted = "discriminator", adapt_reference_state(
                    state_dict, model.discriminator, where="checkpoint")
            except GanzooError:
                raise generator_error from None
        return {f"{name}.{key}": value for key, value in adapted.items()}


@contextlib.contextmanager
def dropout_on(network: nn.Module, active: bool) -> Iterator[None]:
    """Dropout layers of ``network`` in training mode (sampling masks) while ``active``."""
    layers = [m for m in network.modules() if isinstance(m, nn.Dropout)] if active else []
    modes = [m.training for m in layers]
    for m in layers:
        m.train(True)
    try:
        yield
    finally:
        for m, mode in zip(layers, modes):
            m.train(mode)
