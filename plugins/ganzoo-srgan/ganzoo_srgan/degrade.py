"""Super-resolution training pairs made on the fly: random HR crops and their bicubic ×s reductions.

``--data sr:PATH`` reads the images of a folder and yields ``(lr, hr)`` pairs: ``hr`` is a random
``image_size`` crop (``ganzoo train`` passes the variant's ``image_size``) (plus a random flip /
90-degree rotation), ``lr`` its antialiased bicubic downscale by ``scale`` — the "bicubic
degradation" of the SR benchmarks (MATLAB ``imresize``; torch's antialiased bicubic is the same
kernel widened by the scale) — rounded to 8 bits by default, like every PNG or JPEG the model
will later upscale (training on unrounded inputs leaves the network unprepared for that noise).
Images are read when needed, so big folders do not fill memory.

Every item draws its crop from a generator seeded by ``(seed, epoch, rank, index)``
(`ganzoo.data.item_rng`; the Trainer passes the epoch): each epoch sees fresh crops, and the
same ones in every run and every worker, which keeps training resumable bit for bit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ganzoo.data.item_rng import DrawKey, RandomItems
from ganzoo.errors import GanzooError

if TYPE_CHECKING:
    from torch import Tensor

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def bicubic_downscale(images: Tensor, scale: int) -> Tensor:
    """``(N, C, H, W)`` or ``(C, H, W)`` in [0, 1] → ``scale``× smaller, antialiased bicubic.

    H and W must be multiples of ``scale`` (see `crop_to_multiple`).
    """
    import torch.nn.functional as F

    single = images.dim() == 3
    batch = images[None] if single else images
    height, width = batch.shape[-2:]
    if height % scale or width % scale:
        raise ValueError(f"size {height}x{width} is not a multiple of the scale {scale}")
    small = F.interpolate(batch, size=(height // scale, width // scale), mode="bicubic",
                          antialias=True, align_corners=False).clamp(0.0, 1.0)
    return small[0] if single else small


def round_to_8bit(images: Tensor) -> Tensor:
    """[0, 1] images rounded to the 256 levels an 8-bit file holds."""
    return (images.clamp(0.0, 1.0) * 255).round() / 255


def degrade(hr: Tensor, scale: int, quantize: bool = True) -> Tensor:
    """The LR input of an SR training pair: `bicubic_downscale`, then `round_to_8bit` if
    ``quantize``."""
    lr = bicubic_downscale(hr, scale)
    return round_to_8bit(lr) if quantize else lr


def crop_to_multiple(image: Tensor, multiple: int) -> Tensor:
    """Drop bottom/right pixels so H and W are multiples of ``multiple`` (SR "mod crop")."""
    height, width = image.shape[-2:]
    return image[..., : height - height % multiple, : width - width % multiple]


def image_files(folder: str | os.PathLike) -> list[Path]:
    """Image files directly inside ``folder`` or below it, sorted."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise GanzooError(f"--data sr:{folder}: no such folder; pass a folder of images")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise GanzooError(f"--data sr:{folder}: no images found ({', '.join(IMAGE_SUFFIXES)})")
    return files


class DegradedPairs(RandomItems):
    """A map-style dataset of ``(lr, hr)`` float pairs in [0, 1].

    Args:
        images: image tensors ``(C, H, W)`` in [0, 1], or paths read with `ganzoo.imageio`.
        scale: downscale factor (2, 3, 4, ...).
        patch_size: HR crop side; rounded down to a multiple of ``scale``.
        length: items per epoch (each a different random crop); default 200 per image.
        seed: makes the crops reproducible when used on its own (the Trainer draws with its
            own seed, epoch and rank instead).
        augment: random horizontal flip and transpose (with both: a 90-degree turn).
        channels: 3 (RGB) or 1 (grayscale) when reading paths.
        quantize: round the LR input to 8 bits (see the module docstring).
    """

    benefits_from_workers = True  # every item: read a file, crop, bicubic downscale

    def __init__(self, images: Sequence, scale: int = 4, patch_size: int = 96,
                 length: int | None = None, seed: int = 0, augment: bool = True,
                 channels: int = 3, quantize: bool = True):
        if not images:
            raise GanzooError("no images to make super-resolution pairs from")
        self.images = list(images)
        self.scale = int(scale)
        self.patch_size = (int(patch_size) // self.scale) * self.scale
        if self.patch_size < self.scale:
            raise GanzooError(f"patch_size {patch_size} is smaller than the scale {scale}")
        self.length = int(length) if length else 200 * len(self.images)
        self.seed = int(seed)
        self.draw_key = DrawKey(self.seed)
        self.augment = augment
        self.mode = "L" if channels == 1 else "RGB"
        self.quantize = bool(quantize)

    def __len__(self) -> int:
        return self.length

    def _image(self, index: int) -> Tensor:
        item = self.images[index % len(self.images)]
        if isinstance(item, (str, os.PathLike)):
            from ganzoo.imageio import read_image

            item = read_image(item, mode=self.mode)
        return item

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        import torch

        if not 0 <= index < self.length:
            raise IndexError(index)
        rng = self.item_rng(index)
        image = self._image(index)
        height, width = image.shape[-2:]
        size = self.patch_size
        if height < size or width < size:
            item = self.images[index % len(self.images)]
            name = item if isinstance(item, (str, os.PathLike)) else \
                f"image {index % len(self.images)}"
            raise GanzooError(f"{name} is {width}x{height}, smaller than the {size}-px training "
                              f"crop; crop smaller (--set image_size={min(height, width)} or "
                              f"less) or remove the image")
        top = int(torch.randint(0, height - size + 1, (1,), generator=rng))
        left = int(torch.randint(0, width - size + 1, (1,), generator=rng))
        hr = image[:, top:top + size, left:left + size]
        if self.augment:
            flip, turns = torch.randint(0, 2, (2,), generator=rng).tolist()
            if flip:
                hr = hr.flip(-1)
            if turns:
                hr = hr.transpose(-1, -2)
        hr = hr.float().contiguous()
        return degrade(hr, self.scale, self.quantize), hr


def sr_pairs(arg: str | None, scale: int = 4, image_size: int = 96, length: int | None = None,
             seed: int = 0, channels: int = 3, quantize_lr: bool = True,
             **_ignored) -> DegradedPairs:
    """Factory for ``--data sr:FOLDER``: bicubic ×``scale`` pairs from the folder's images."""
    if not arg:
        raise GanzooError("--data sr needs a folder: --data sr:PATH/TO/IMAGES")
    return DegradedPairs(image_files(arg), scale=scale, patch_size=image_size, length=length,
                         seed=seed, channels=channels, quantize=quantize_lr)
