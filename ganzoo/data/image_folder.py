"""Every image under a folder (recursive), resized and cropped to one square size.

Items are float tensors ``(C, H, W)`` in [0, 1], read with `ganzoo.imageio.read_image` (EXIF
rotation, 16-bit, palette, RGBA and grayscale handled there). Files are listed once, sorted, so
the item order — and with it the training data order — is reproducible.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from ..errors import GanzooError
from .training_data import TrainingData

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm",
                  ".pgm")
CROPS = ("center", "none")


def list_images(root: Path) -> list[Path]:
    """Image files under ``root`` by suffix (case-insensitive), hidden files skipped, sorted."""
    return sorted(p for p in root.rglob("*") if p.is_file() and
                  p.suffix.lower() in IMAGE_SUFFIXES and not
                  any(part.startswith(".") for part in p.relative_to(root).parts))


def resize_and_crop(image: torch.Tensor, size: int, crop: str) -> torch.Tensor:
    """``center``: scale the shorter side to ``size`` then centre-crop a square;
    ``none``: scale both sides to ``size`` (aspect ratio not kept)."""
    _, h, w = image.shape
    if crop == "none":
        target = (size, size)
    else:
        scale = size / min(h, w)
        target = (max(size, round(h * scale)), max(size, round(w * scale)))
    if (h, w) != target:
        image = F.interpolate(image[None], size=target, mode="bilinear", antialias=True,
                              align_corners=False)[0].clamp(0, 1)
    top, left = (image.shape[1] - size) // 2, (image.shape[2] - size) // 2
    return image[:, top:top + size, left:left + size]


class ImageFolder(TrainingData):
    """Images under ``root``.

    Args:
        root: folder searched recursively for common image formats.
        size: output side length in pixels (square).
        crop: ``center`` (keep aspect, crop the middle) or ``none`` (stretch).
        mode: ``RGB`` or ``L`` (grayscale).
    """

    benefits_from_workers = True  # every item is a file to read, decode and resize

    def __init__(self, root: str | Path, size: int = 64, crop: str = "center", mode: str = "RGB"):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise GanzooError(f"--data folder:{root}: no such folder; give a folder of images")
        if crop not in CROPS:
            raise GanzooError(f"image folder crop must be one of {', '.join(CROPS)}, got {crop!r}")
        if size < 1:
            raise GanzooError(f"image folder size must be a positive number of pixels, got {size}")
        self.files = list_images(self.root)
        if not self.files:
            raise GanzooError(f"no images under {self.root} (looked for "
                              f"{', '.join(IMAGE_SUFFIXES)}); check the path")
        self.size, self.crop, self.mode = size, crop, mode
        channels = 1 if mode == "L" else 3
        self.config_hints = {"data_shape": [channels, size, size], "channels": channels,
                             "image_size": size}

    #: After `cache_in_ram`: every item, decoded, ``(N, C, size, size)``.
    cached: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> torch.Tensor:
        from ..imageio import read_image

        if self.cached is not None:
            return self.cached[index]
        return resize_and_crop(read_image(self.files[index], self.mode), self.size, self.crop)

    def get_batch(self, indices: torch.Tensor) -> torch.Tensor:
        if self.cached is not None:
            return self.cached[indices]
        return super().get_batch(indices)

    def cache_in_ram(self) -> bool:
        """Decode every image once (items are not random: the results are the items)."""
        from .ram_cache import check_fits_in_ram

        if self.cached is None:
            channels = self.config_hints["channels"]
            check_fits_in_ram(len(self) * channels * self.size ** 2 * 4, f"{self.size}-px images")
            self.cached = torch.stack([self[i] for i in range(len(self))])
            self.benefits_from_workers = False  # indexing a tensor: in-process is fastest
        return True


#: Files whose header is read to decide colour vs grayscale (headers only: no decoding).
CHANNEL_PROBE_FILES = 64
_GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")


def folder_channels(files: list[Path]) -> int:
    """1 when every probed image is grayscale, else 3 (colour wins: gray converts losslessly)."""
    from PIL import Image

    for path in files[:CHANNEL_PROBE_FILES]:
        try:
            with Image.open(path) as image:
                if image.mode not in _GRAY_MODES:
                    return 3
        except Exception:  # an unreadable file is reported when it is read, not here
            continue
    return 1


def image_folder(arg: str | None = None, *, image_size: int = 64, channels: int | None = None,
                 crop: str = "center", **_: object) -> ImageFolder:
    """``--data folder:PATH``. The data decides the shape unless the run sets it: 64-px
    squares, colour unless every image is grayscale; ``ganzoo train`` passes ``image_size`` /
    ``channels`` only when the user (or the variant's recipe) sets them."""
    if not arg:
        raise GanzooError("--data folder needs a path: --data folder:PATH")
    if channels not in (None, 1, 3):
        raise GanzooError(f"image folder channels must be 1 or 3, got {channels}")
    if channels is None:
        root = Path(arg).expanduser()
        channels = folder_channels(list_images(root)) if root.is_dir() else 3
    return ImageFolder(arg, size=image_size, crop=crop, mode="L" if channels == 1 else "RGB")
