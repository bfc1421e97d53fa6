"""CycleGAN (Zhu et al. 2017): two generators A→B and B→A trained without paired examples.

Objective per generator step (the reference recipe):
  least-squares GAN terms ``E[(D_B(G_AB(a)) - 1)²] + E[(D_A(G_BA(b)) - 1)²]``
  + λ·(‖G_BA(G_AB(a)) - a‖₁ + ‖G_AB(G_BA(b)) - b‖₁)            cycle consistency, λ = 10
  + λ·λ_id·(‖G_AB(b) - b‖₁ + ‖G_BA(a) - a‖₁)                    identity, λ_id = 0.5
and per discriminator step ``½E[(D(real) - 1)²] + ½E[D(fake)²]`` on fakes drawn from a
50-image history pool. Generators update first; the discriminators then see the fakes that step
made. The learning rate decays linearly to zero over the second half (`recipes`).

Naming: ``discriminator_b`` judges domain B (the reference's ``netD_A``, fed by ``G_A``);
``generator_ab`` is the reference's ``netG_A``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.channels import match_channels
from ganzoo.conditioning import ConditionKey
from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput, TrainingStep
from ganzoo.nets.weight_init import init_weights
from ganzoo_pix2pix.reference_checkpoint import adapt_reference_state
from ganzoo_pix2pix.reference_names import build_discriminator, build_generator
from ganzoo_pix2pix.translate_image import translate_images
from ganzoo_pix2pix.two_domain import TwoDomainBatches

from .image_pool import ImagePool

Direction = Literal["AtoB", "BtoA"]


@dataclass
class CycleGANConfig:
    """CycleGAN settings; defaults are the paper's recipe for 256x256 photos."""

    netG: Literal["resnet_9blocks", "resnet_6blocks", "unet_128", "unet_256"] = "resnet_9blocks"
    netD: Literal["basic", "n_layers", "pixel"] = "basic"  # basic = 70x70 PatchGAN
    n_layers_D: int = 3             # only for netD=n_layers
    ngf: int = 64                   # generator width
    ndf: int = 64                   # discriminator width
    norm: Literal["instance", "batch", "none"] = "instance"
    conv_bias: Literal["reference", "always"] = "reference"  # reference: only before instance norm
    dropout: bool = False
    # Generators return input + correction (not in the paper; no extra weights); needs
    # channels_a == channels_b.
    residual: bool = False
    # With residual: add the correction to the image (outputs in [-2, 2]) or, "logit", inside
    # the output tanh, tanh(atanh(input) + correction), which keeps outputs in range (resnet only).
    residual_space: Literal["image", "logit"] = "image"  # logit: tanh(atanh(x) + correction)
    channels_a: int = 3             # 3 = RGB, 1 = grayscale
    channels_b: int = 3
    image_size: int = 256           # training crop side
    generators: Literal["both", "AtoB", "BtoA"] = "both"  # a converted reference netG holds one
    lambda_cycle: float = 10.0      # weight of both cycle-consistency L1 terms
    lambda_identity: float = 0.5    # identity L1 weight, as a fraction of lambda_cycle
    pool_size: int = 50             # history of fakes shown to D (0: only the newest)
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    init: Literal["normal", "xavier", "kaiming", "orthogonal"] = "normal"
    init_gain: float = 0.02
    tile: int = 1024                # inference: images larger than this run in tiles


def lsgan_real(scores: Tensor) -> Tensor:
    return F.mse_loss(scores, torch.ones_like(scores))


def lsgan_fake(scores: Tensor) -> Tensor:
    return F.mse_loss(scores, torch.zeros_like(scores))


class CycleGAN(TwoDomainBatches, GANModel):
    """Unpaired image-to-image translation between domains A and B.

    Batches are dicts ``{"A": (N, C, H, W), "B": (N, C, H, W)}`` in [0, 1] (the ``unpaired``
    dataset). ``translate(images, direction="AtoB"|"BtoA")`` maps [0, 1] images of any size.
    """

    Config = CycleGANConfig
    task = "image-to-image"
    conditioning = (ConditionKey("direction", "choice", "which way to translate (default: the "
                                 "model's own direction)", choices=("AtoB", "BtoA")),)
    data_kinds = ("unpaired",)
    #: Tiny settings for the conformance kit (`ganzoo.testing`).
    test_config: ClassVar[dict[str, Any]] = {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4,
                                             "image_size": 32, "pool_size": 4}
    #: CPU-sized: the zoo model's small generator (ResNet-6, ngf 16) on 64-px crops, 2,000
    #: steps; the paper's ResNet-9 at ngf 64 on 256 px took 14 s per step on 2 CPU cores.
    presets = {"small": {"netG": "resnet_6blocks", "ngf": 16, "ndf": 32, "image_size": 64,
                         "steps": 2000, "lr_decay_start": 1000, "batch_size": 1}}
    recipes = {"unpaired": {"batch_size": 1, "ema_decay": 0.0, "steps": 4000,
                            "lr_decay_start": 2000, "sample_every": 500, "preview_count": 4}}

    def __init__(self, config: CycleGANConfig | None = None):
        super().__init__(config)
        cfg = self.config
        if cfg.lambda_identity > 0 and cfg.channels_a != cfg.channels_b and cfg.generators == "both":
            raise GanzooError("the identity loss needs channels_a == channels_b; "
                              "--set lambda_identity=0 for domains with different channels")
        all_biases = cfg.conv_bias == "always"
        try:
            def generator(cin: int, cout: int):
                return init_weights(build_generator(cfg.netG, cin, cout, cfg.ngf, cfg.norm,
                                                    cfg.dropout, cfg.residual,
                                                    cfg.residual_space, all_biases),
                                    cfg.init, cfg.init_gain)

            def discriminator(channels: int):
                return init_weights(build_discriminator(cfg.netD, channels, cfg.ndf,
                                                        cfg.n_layers_D, cfg.norm, all_biases),
                                    cfg.init, cfg.init_gain)

            if cfg.generators in ("both", "AtoB"):
                self.generator_ab = generator(cfg.channels_a, cfg.channels_b)
            if cfg.generators in ("both", "BtoA"):
                self.generator_ba = generator(cfg.channels_b, cfg.channels_a)
            if cfg.generators == "both":
                self.discriminator_a = discriminator(cfg.channels_a)
                self.discriminator_b = discriminator(cfg.channels_b)
        except ValueError as exc:
            raise GanzooError(f"cyclegan: {exc}") from None
        self.pool_a = ImagePool(cfg.pool_size)
        self.pool_b = ImagePool(cfg.pool_size)
        self._fakes: tuple[Tensor, Tensor] | None = None

    @property
    def generator_names(self) -> tuple[str, ...]:
        return {"both": ("generator_ab", "generator_ba"), "AtoB": ("generator_ab",),
                "BtoA": ("generator_ba",)}[self.config.generators]

    @property
    def discriminator_names(self) -> tuple[str, ...]:
        return ("discriminator_a", "discriminator_b") if self.config.generators == "both" else ()

    # ----- training ---------------------------------------------------------------------------
    def training_steps(self) -> list[TrainingStep]:
        if self.config.generators != "both":
            raise GanzooError("this CycleGAN holds one generator (a converted reference model); "
                              "train with --set generators=both")
        return [TrainingStep("generator", self.generator_step),
                TrainingStep("discriminator", self.discriminator_step)]

    def _judged(self, fake: Tensor) -> Tensor:
        """What D sees of a fake: clamped to the image range when the residual correction is
        added to the image (outputs in [-2, 2]); the cycle and identity terms see it whole."""
        cfg = self.config
        return fake.clamp(-1.0, 1.0) if cfg.residual and cfg.residual_space == "image" else fake

    def domains(self, batch: Any) -> tuple[Tensor, Tensor]:
        """Real A and B images of a batch in the networks' range and channels."""
        if not isinstance(batch, dict) or "A" not in batch or "B" not in batch:
            raise GanzooError("cyclegan trains on batches {'A': images, 'B': images}; use "
                              "--data unpaired:PATH (a folder with trainA/ and trainB/)")
        real_a = match_channels(batch["A"], self.config.channels_a)
        real_b = match_channels(batch["B"], self.config.channels_b)
        return self.from_unit(real_a), self.from_unit(real_b)

    def generator_step(self, batch: Any) -> StepOutput:
        cfg = self.config
        real_a, real_b = self.domains(batch)
        fake_b = self.generator_ab(real_a)
        fake_a = self.generator_ba(real_b)
        cycle_a = F.l1_loss(self.generator_ba(fake_b), real_a) * cfg.lambda_cycle
        cycle_b = F.l1_loss(self.generator_ab(fake_a), real_b) * cfg.lambda_cycle
        fake_a, fake_b = self._judged(fake_a), self._judged(fake_b)  # what D sees
        gan_ab = lsgan_real(self.discriminator_b(fake_b))
        gan_ba = lsgan_real(self.discriminator_a(fake_a))
        loss = gan_ab + gan_ba + cycle_a + cycle_b
        logs = {"G_AB": gan_ab.item(), "G_BA": gan_ba.item(), "cycle_A": cycle_a.item(),
                "cycle_B": cycle_b.item()}
        if cfg.lambda_identity > 0:
            weight = cfg.lambda_cycle * cfg.lambda_identity
            identity = (F.l1_loss(self.generator_ab(real_b), real_b)
                        + F.l1_loss(self.generator_ba(real_a), real_a)) * weight
            loss = loss + identity
            logs["identity"] = identity.item()
        self._fakes = (fake_a.detach(), fake_b.detach())
        return StepOutput(loss, logs)

    def discriminator_step(self, batch: Any) -> StepOutput:
        real_a, real_b = self.domains(batch)
        if self._fakes is None:  # D first (e.g. a custom schedule): make this batch's fakes
            with torch.no_grad():
                self._fakes = (self._judged(self.generator_ba(real_b)),
                               self._judged(self.generator_ab(real_a)))
        fake_a, fake_b = self._fakes
        self._fakes = None
        fake_a, fake_b = self.pool_a.query(fake_a), self.pool_b.query(fake_b)
        d_a = 0.5 * (lsgan_real(self.discriminator_a(real_a))
                     + lsgan_fake(self.discriminator_a(fake_a)))
        d_b = 0.5 * (lsgan_real(self.discriminator_b(real_b))
                     + lsgan_fake(self.discriminator_b(fake_b)))
        return StepOutput(d_a + d_b, {"D_A": d_a.item(), "D_B": d_b.item()})

    @torch.no_grad()
    def preview(self, fixed: Any) -> Tensor:
        """Rows ``a | G_AB(a) | G_BA(G_AB(a))`` then ``b | G_BA(b) | G_AB(G_BA(b))``."""
        rows = []
        for source, there, back in (("A", "generator_ab", "generator_ba"),
                                    ("B", "generator_ba", "generator_ab")):
            if not hasattr(self, there):
                continue
            real = fixed[source].to(self.device)
            channels = self.config.channels_a if source == "A" else self.config.channels_b
            x = self.from_unit(match_channels(real, channels))
            moved = getattr(self, there)(x)
            panels = [match_channels(real, 3), match_channels(self.to_unit(moved), 3)]
            if hasattr(self, back):
                panels.append(match_channels(self.to_unit(getattr(self, back)(moved)), 3))
            rows.append(torch.cat(panels, dim=-1))
        return torch.cat(rows).cpu()

    # ----- inference ----------------------------------------------------------------------------
    @property
    def default_direction(self) -> str:
        return "BtoA" if self.config.generators == "BtoA" else "AtoB"

    def evaluation_pair(self, item: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """``(input, target)`` for ``ganzoo evaluate``: an image of the source domain and one
        of the target domain (unpaired: FID/KID compare the translated set with the target
        domain as distributions), in the model's default direction."""
        if self.default_direction == "AtoB":
            return item["A"], item["B"]
        return item["B"], item["A"]

    def preprocessing(self) -> dict[str, Any]:
        cfg = self.config
        available = ["AtoB", "BtoA"] if cfg.generators == "both" else [cfg.generators]
        source, target = ((cfg.channels_a, cfg.channels_b) if self.default_direction == "AtoB"
                          else (cfg.channels_b, cfg.channels_a))
        return {"value_range": list(self.value_range), "in_channels": source,
                "out_channels": target, "channels_a": cfg.channels_a,
                "channels_b": cfg.channels_b,
                "directions": available, "default_direction": self.default_direction,
                "size_multiple": int(getattr(self, self.generator_names[0]).size_multiple),
                "input": "an image of domain A (AtoB) or B (BtoA), any size"}

    def export_module(self, direction: str | None = None, **unused: Any) -> Any:
        """One direction's generator (``--cond direction=...``; default: the model's own),
        with a dynamic batch, height and width; the file records the direction."""
        from ganzoo.export_spec import ExportInput, ExportSpec, example_side

        direction = direction or self.default_direction
        name = "generator_ab" if direction == "AtoB" else "generator_ba"
        if not hasattr(self, name):
            raise GanzooError(f"this CycleGAN only holds the {self.default_direction} generator; "
                              f"pass --cond direction={self.default_direction}")
        a, b = self.config.channels_a, self.config.channels_b
        source, target = (a, b) if direction == "AtoB" else (b, a)
        network = getattr(self, name)
        side = example_side(network.size_multiple, network.min_size)
        image = ExportInput("image", (1, source, side, side),
                            dynamic={0: "batch", 2: "height", 3: "width"}, fill="image")
        return ExportSpec(network, (image,), metadata={
            "direction": direction, "in_channels": str(source), "out_channels": str(target)})

    def translate(self, images: Tensor, *, direction: str | None = None, tile: int | None = None,
                  overlap: int | None = None, precision: str = "auto", progress: Any = None,
                  **options: Any) -> Tensor:
        """Translate float images ``(N, C, H, W)`` in [0, 1] of any size.

        Args:
            direction: ``AtoB`` or ``BtoA`` (default: the model's first direction).
            tile: run images larger than this many pixels per side in overlapping tiles
                (default ``config.tile``); memory then depends on the tile, not the image.
            overlap: tile overlap in pixels (default min(64, tile/4)).
            precision: ``auto`` (bf16, or else ``mixed``: bf16 but the upsampling layers, where
                it is fast and stays within 2/255 of fp32 for these weights, see
                `ganzoo.nets.fast_inference`), ``fp32``, ``bf16`` or ``mixed``.
            progress: called with 1 per tile.
        """
        direction = direction or self.default_direction
        if direction not in ("AtoB", "BtoA"):
            raise GanzooError(f"direction must be AtoB or BtoA, got {direction!r}")
        name = "generator_ab" if direction == "AtoB" else "generator_ba"
        if not hasattr(self, name):
            raise GanzooError(f"this CycleGAN only holds the {self.default_direction} generator; "
                              f"pass --cond direction={self.default_direction}")
        channels = self.config.channels_a if direction == "AtoB" else self.config.channels_b
        return translate_images(getattr(self, name), images, in_channels=channels,
                                value_range=self.value_range, tile=tile or self.config.tile,
                                overlap=overlap, precision=precision, progress=progress)

    # ----- conversion ---------------------------------------------------------------------------
    @classmethod
    def config_from_checkpoint(cls, state_dict: dict[str, Any],
                               values: dict[str, Any]) -> dict[str, Any]:
        """A reference generator file (keys ``model.*``) holds one direction, of its width.

        Sets ``generators=AtoB`` (the reference's pretrained files are ``netG_A``; pass
        ``--set generators=BtoA`` for a ``netG_B``) and ``ngf`` from the first convolution,
        unless the user set them.
        """
        state = {k.removeprefix("module."): v for k, v in state_dict.items()
                 if isinstance(v, Tensor)}
        if not state or not all(k.startswith("model.") for k in state):
            return values  # not a bare reference network (e.g. our own full model)
        inferred: dict[str, Any] = {"generators": "AtoB"}
        # The first convolution (resnet: model.1, U-Net: model.model.0) outputs ngf channels.
        first_conv = state.get("model.1.weight", state.get("model.model.0.weight"))
        if first_conv is not None and first_conv.dim() == 4:
            inferred["ngf"] = int(first_conv.shape[0])
        return {**inferred, **values}

    @classmethod
    def convert_checkpoint(cls, state_dict: dict[str, Any], config: CycleGANConfig) -> dict[str, Any]:
        """A reference ``latest_net_G.pth`` (one generator) → our keys.

        The reference's pretrained CycleGANs ship only ``netG_A`` (A→B); `config_from_checkpoint`
        then builds the model with ``generators=AtoB`` (``--set generators=BtoA`` for a
        ``netG_B`` file). Set the matching ``netG``/``norm`` when they differ from the defaults.
        """
        if config.generators == "both":
            raise GanzooError("a reference CycleGAN checkpoint holds one generator; convert it "
                              "with --set generators=AtoB (latest_net_G.pth / netG_A) or "
                              "--set generators=BtoA (netG_B), not both")
        model = cls(config)
        name = model.generator_names[0]
        adapted = adapt_reference_state(state_dict, getattr(model, name), where="checkpoint")
        return {f"{name}.{key}": value for key, value in adapted.items()}
