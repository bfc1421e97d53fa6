"""The image sets a metric compares: a folder, a tensor, or any finite sequence of images.

Each source knows its length (so a metric can refuse too few images before any work), yields
images ``(C, H, W)`` (float in [0, 1] or uint8) one at a time (so memory stays bounded), and
gives a content hash for the reference-statistics cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import GanzooError

if TYPE_CHECKING:
    from torch import Tensor


class ImageSource:
    """``count`` images produced by ``image(i)``; ``label`` names the set in messages."""

    def __init__(self, count: int, image: Callable[[int], Tensor], label: str):
        self.count, self._image, self.label = count, image, label

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Tensor]:
        for index in range(self.count):
            yield self._image(index)

    def content_sha256(self) -> str:
        """sha256 over every image's 8-bit pixels and shape, in order (reads them all once)."""
        from .fid_preprocess import quantize_rgb

        digest = hashlib.sha256()
        for image in self:
            pixels = quantize_rgb(image)
            digest.update(repr(tuple(pixels.shape)).encode())
            digest.update(pixels.numpy().tobytes())
        return digest.hexdigest()


class FolderSource(ImageSource):
    """Every image file under a folder (recursive, sorted, hidden files skipped)."""

    def __init__(self, folder: str | Path, label: str | None = None):
        from ..data.image_folder import IMAGE_SUFFIXES, list_images
        from ..imageio import read_image

        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise GanzooError(f"{label or self.folder}: {self.folder} is not a folder; give a "
                              f"folder of images")
        self.files = list_images(self.folder)
        if not self.files:
            raise GanzooError(f"no images under {self.folder} (looked for "
                              f"{', '.join(IMAGE_SUFFIXES)})")
        # read_image names the file in its one-line error when it cannot decode it.
        super().__init__(len(self.files), lambda i: read_image(self.files[i], "RGB"),
                         label or str(self.folder))

    def content_sha256(self) -> str:
        """sha256 over the files' relative names and bytes: no decoding needed."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(str(path.relative_to(self.folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


def tensor_source(images: Tensor, label: str) -> ImageSource:
    """A batch ``(N, C, H, W)`` in [0, 1] (or uint8)."""
    if images.dim() != 4:
        raise GanzooError(f"{label}: expected images (N, C, H, W), got shape "
                          f"{tuple(images.shape)}")
    return ImageSource(len(images), lambda i: images[i], label)


def as_source(images, label: str) -> ImageSource:
    """A folder path, a tensor ``(N, C, H, W)``, or an `ImageSource` → an `ImageSource`."""
    if isinstance(images, ImageSource):
        return images
    if isinstance(images, (str, Path)):
        return FolderSource(images, label)
    if hasattr(images, "dim"):
        return tensor_source(images, label)
    raise GanzooError(f"{label}: give a folder, a tensor (N, C, H, W) or an ImageSource, not "
                      f"{type(images).__name__}")
