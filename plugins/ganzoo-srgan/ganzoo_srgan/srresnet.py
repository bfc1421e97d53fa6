"""The ``srresnet`` variant: SRResNet trained with a content loss alone (no discriminator).

Training data are ``(lr, hr)`` pairs (``--data images:FOLDER`` or ``sr:FOLDER``: random HR crops
of the photos) or plain HR images (``--data folder:PATH``, ...: note that ``folder:`` first
shrinks each whole image to ``image_size``): HR-only batches are cropped to ``image_size`` and
bicubic-downscaled here, so any image dataset works. Inference (`translate`) runs tile by tile
through `ganzoo.tiling`, moving one tile at a time to the device, so large inputs stay within
bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
from torch import Tensor

from ganzoo_srgan.degrade import crop_to_multiple, degrade
from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput
from ganzoo_srgan.perceptual import FeatureLoss, load_feature_extractor, pixel_loss

from .basicsr_keys import convert_msrresnet
from .generator import SRResNetGenerator
from .upscaling import upscale_image


@dataclass
class SRResNetConfig:
    """SRResNet recipe (Ledig et al. 2017, SRResNet-MSE): Adam 1e-4, batch 16, 96x96 HR crops.

    Args:
        scale: upscaling factor: 2, 3 or 4.
        features: feature channels of the generator (64; BasicSR's num_feat).
        blocks: residual blocks (16).
        channels: image channels: 3 for RGB, 1 for grayscale models.
        arch: ``srresnet`` (the paper: 9x9 head/tail, BatchNorm, PReLU) or ``msrresnet``
            (BasicSR's: no BN, LeakyReLU, bilinear skip) — the latter converts BasicSR weights.
        image_size: HR crop side used in training (``ganzoo train`` passes it to the data).
        quantize_lr: round training LR inputs to 8 bits, like the image files the model will
            upscale (+0.05 dB on the benchmark's held-out photos); False trains on the
            unrounded bicubic output.
        content_loss: ``mse`` (paper), ``l1``, or ``perceptual`` (VGG features, needs
            ``perceptual_weights``).
        chroma_weight: with ``l1``/``mse``, take the pixel error in YCbCr with chroma errors
            weighted by this (e.g. 0.25: PSNR/SSIM are scored on luma); None: error in RGB.
        perceptual_weights: local .safetensors / folder, or ``hf://org/name[@rev]`` already in
            the Hugging Face cache; never downloaded during training.
        perceptual_arch, perceptual_layer: the extractor (SRGAN's "VGG54": vgg19, relu5_4).
        perceptual_scale: multiplier of the feature loss (SRGAN: 1/12.75² ≈ 0.006).
        pixel_weight: weight of an extra pixel-MSE term next to a perceptual loss (0: none).
        lr, betas: Adam settings.
        tile, tile_overlap: LR tile side and overlap for `translate` (bounded memory).
        inference_precision: `translate`'s default precision (`ganzoo.precision`): ``auto``
            runs bf16 with channels_last where the output stays within 2/255 of fp32 (checked
            once per model); ``fp32`` forces plain fp32.
    """

    scale: int = 4
    features: int = 64
    blocks: int = 16
    channels: int = 3
    arch: Literal["srresnet", "msrresnet"] = "srresnet"
    image_size: int = 96
    quantize_lr: bool = True
    content_loss: Literal["mse", "l1", "perceptual"] = "mse"
    chroma_weight: float | None = None
    perceptual_weights: str = ""
    perceptual_arch: str = "vgg19"
    perceptual_layer: str = "relu5_4"
    perceptual_scale: float = 0.006
    pixel_weight: float = 0.0
    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.999)
    tile: int = 128
    tile_overlap: int = 8
    inference_precision: str = "auto"


class SRResNet(GANModel):
    """SRResNet: a ResNet generator for ×2/×3/×4 super-resolution, content loss only."""

    Config = SRResNetConfig
    task = "super-resolution"
    generator_names = ("generator",)
    discriminator_names: ClassVar[tuple[str, ...]] = ()
    value_range = (0.0, 1.0)
    #: SR recipes use small batches of crops (16 in the paper), bf16 where the device computes
    #: it natively and channels-last memory: the settings benchmarks/super_resolution.py
    #: validated (its quality rows score fp32 inference of bf16-trained networks).
    recipes: ClassVar[dict[str, dict[str, Any]]] = {
        kind: {"batch_size": 16, "precision": "auto", "channels_last": True}
        for kind in ("images", "sr", "folder")
    }
    #: CPU-sized: the zoo model's MSRResNet (8 blocks x 32 features) on 64-px HR crops.
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "small": {"arch": "msrresnet", "features": 32, "blocks": 8, "image_size": 64,
                  "content_loss": "l1", "lr": 1e-3, "steps": 600, "batch_size": 16}}
    #: A plain folder of photos is read as HR crops with their bicubic reductions.
    images_as: ClassVar[str] = "sr"
    data_kinds: ClassVar[tuple[str, ...]] = ("images", "sr", "folder")
    #: Tiny networks for the conformance kit (ganzoo.testing).
    test_config: ClassVar[dict[str, Any]] = {"blocks": 2, "features": 8, "image_size": 32}

    def __init__(self, config: Any = None):
        super().__init__(config)
        cfg = self.config
        self.generator = SRResNetGenerator(scale=cfg.scale, channels=cfg.features,
                                           blocks=cfg.blocks, image_channels=cfg.channels,
                                           arch=cfg.arch)
        self._content = None  # built on first use: it may need extractor weights from disk

    @classmethod
    def data_options(cls, config: Any) -> dict[str, Any]:
        """SR data is cut for the model's scale and rounds its LR inputs like the model does."""
        return {**super().data_options(config), "scale": config.scale,
                "quantize_lr": config.quantize_lr}

    # ----- training (no discriminator: the default schedule is the generator step alone) ----
    def pairs(self, batch: Any) -> tuple[Tensor, Tensor]:
        """``(lr, hr)`` from a batch of pairs, or from HR images (cropped and degraded here).

        HR-only batches (``--data folder:``, or pairs of another scale) are cropped to
        ``image_size`` at one random position per batch and bicubic-downscaled.
        """
        scale = self.config.scale
        if (isinstance(batch, (list, tuple)) and len(batch) == 2
                and all(isinstance(b, Tensor) and b.dim() == 4 for b in batch)):
            lr, hr = batch
            if tuple(hr.shape[-2:]) == (lr.shape[-2] * scale, lr.shape[-1] * scale):
                return lr.to(self.device), hr.to(self.device)
            # Pairs made for another scale (``--data sr:`` defaults to x4): keep the HR crops
            # and redo the bicubic degradation at this model's scale.
            batch = hr
        hr = batch[0] if isinstance(batch, (list, tuple)) else batch
        if not isinstance(hr, Tensor) or hr.dim() != 4:
            raise GanzooError("super-resolution training needs image batches (N, C, H, W) or "
                              "(lr, hr) pairs; use --data sr:FOLDER or --data folder:FOLDER")
        hr = self._random_crop(hr)
        return degrade(hr, scale, self.config.quantize_lr).to(self.device), hr.to(self.device)

    def _random_crop(self, hr: Tensor) -> Tensor:
        size = self.config.image_size - self.config.image_size % self.config.scale
        height, width = hr.shape[-2:]
        if height > size or width > size:
            # One crop position per batch, from torch's global RNG (seeded by the Trainer).
            top = int(torch.randint(0, max(height - size, 0) + 1, (1,)))
            left = int(torch.randint(0, max(width - size, 0) + 1, (1,)))
            hr = hr[..., top:top + size, left:left + size]
        return crop_to_multiple(hr, self.config.scale).float()

    def content_loss(self, sr: Tensor, hr: Tensor) -> tuple[Tensor, dict[str, float]]:
        """The configured content loss and its parts for the log."""
        cfg = self.config
        if cfg.content_loss in ("mse", "l1"):
            loss = pixel_loss(sr, hr, cfg.content_loss, cfg.chroma_weight)
            return loss, {cfg.content_loss: loss.item()}
        if self._content is None:
            if not cfg.perceptual_weights:
                raise GanzooError("content_loss=perceptual needs the extractor's weights: "
                                  "--set perceptual_weights=PATH.safetensors (or use mse/l1)")
            extractor = load_feature_extractor(cfg.perceptual_weights, cfg.perceptual_arch,
                                               cfg.perceptual_layer)
            self._content = FeatureLoss(extractor, "mse", cfg.perceptual_scale)
        features = self._content.to(sr.device)(sr, hr)
        logs = {"perceptual": features.item()}
        loss = features
        if cfg.pixel_weight:
            pixel = pixel_loss(sr, hr, "mse")
            logs["mse"] = pixel.item()
            loss = loss + cfg.pixel_weight * pixel
        return loss, logs

    def generator_step(self, batch: Any) -> StepOutput:
        lr, hr = self.pairs(batch)
        loss, logs = self.content_loss(self.generator(lr), hr)
        return StepOutput(loss, logs)

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Any:
        lr, hr = self.pairs(batch)
        return lr[:n].cpu(), hr[:n].cpu()

    @torch.no_grad()
    def preview(self, fixed: Any) -> Tensor:
        """Side by side per row: nearest-upscaled input | output | ground truth."""
        lr, hr = fixed
        sr = self.generator(lr.to(self.device)).clamp(0, 1).cpu()
        nearest = torch.nn.functional.interpolate(lr, scale_factor=self.config.scale,
                                                  mode="nearest")
        return torch.cat([nearest, sr, hr], dim=-1)

    # ----- inference -------------------------------------------------------------------------
    def preprocessing(self) -> dict[str, Any]:
        return {"value_range": list(self.value_range), "scale": self.config.scale,
                "channels": self.config.channels, "input": "low-resolution image",
                "degradation": "bicubic"}

    def card_sections(self) -> dict[str, str]:
        """What input the card's reader must give: the degradation the model was trained on."""
        c = self.config
        return {"Input": (
            f"A low-resolution image, upscaled x{c.scale}. The model learned to undo a bicubic "
            f"x{c.scale} downscale (`ganzoo train ... --data sr:PATH` makes such pairs from any "
            f"photos); other degradations (blur, noise, JPEG) are outside what it saw. Inputs of "
            f"any size run in {c.tile}-pixel tiles with a {c.tile_overlap}-pixel overlap.")}

    def translate(self, images: Tensor, *, tile: int | None = None, precision: str | None = None,
                  progress: Any = None, **options: Any) -> Tensor:
        """Upscale ``(N, C, H, W)`` images in [0, 1] by ``config.scale``; output in [0, 1].

        Any channel count works: grayscale is run through an RGB model as gray RGB and
        returned gray; a 4th (alpha) channel is upscaled separately with bicubic
        interpolation. Each image is processed in ``tile``-pixel tiles (``config.tile``).
        ``precision``: ``auto`` (bf16 where fast and within 2/255 of fp32 for these weights),
        ``fp32`` or ``bf16``; default ``config.inference_precision``.
        """
        if images.dim() == 3:
            images = images[None]
        outputs = [upscale_image(self, image[None], tile=tile or self.config.tile,
                                 overlap=self.config.tile_overlap, precision=precision,
                                 progress=progress)
                   for image in images]
        return torch.cat(outputs)

    # ----- conversion ------------------------------------------------------------------------
    @classmethod
    def convert_checkpoint(cls, state_dict: dict[str, Any], config: Any) -> dict[str, Any]:
        """BasicSR MSRResNet checkpoints (``params`` inside the .pth) → our keys; needs
        ``--set arch=msrresnet`` (see `ganzoo_srgan.basicsr_keys`)."""
        return convert_msrresnet(state_dict, config)
