"""Aligned image pairs for pix2pix: ``--data paired:PATH``.

Two layouts, detected from the folder:

* **side by side** (the pix2pix datasets): each file holds A | B, left and right halves of
  equal width; ``PATH`` is the folder of files or its parent holding ``train/``, ``val/``,
  ``test/`` (``?split=``).
* **two folders matched by file name**: ``PATH/A/`` and ``PATH/B/`` (or ``PATH/<split>/A``...),
  where ``A/x.png`` pairs with ``B/x.jpg`` (same name without suffix).

Both sides get the same random crop and flip. Items are ``{"A": (C, H, W), "B": (C, H, W)}``
in [0, 1]. Options: ``?image_size=256&load_size=286&preprocess=resize_and_crop&flip=true
&split=train&channels_a=3&channels_b=3&repeat=1``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ganzoo.colour import LUMA
from ganzoo.errors import GanzooError
from ganzoo.data.image_folder import list_images
from .pair_transforms import apply_crop, draw_crop
from .two_domain_images import TwoDomainImages

_SPLITS = ("train", "val", "test")


class PairedImages(TwoDomainImages):
    """Aligned pairs from a side-by-side folder or two name-matched folders.

    Args:
        root: dataset folder (see the module docstring for layouts).
        split: sub-folder to use when ``root`` has ``train/``/``val/``/``test/``.
        image_size: crop side.
        load_size: resize side before cropping (``resize_and_crop``; default 286/256 × size).
        preprocess: ``resize_and_crop``, ``crop`` or ``resize``.
        flip: random horizontal flips (same for both sides).
        augment: random crops/flips; False gives centred crops (evaluation).
        repeat: list every image this many times per epoch (small collections: more random
            crops per pass, and batches larger than the number of files).
        channels_a / channels_b: 3 (RGB) or 1 (grayscale) for each side.
    """

    spec_name = "paired"

    def find_images(self, split: str) -> None:
        """Find the pairs: two name-matched folders, or side-by-side files."""
        folder = self.root / split if (self.root / split).is_dir() else self.root
        if (folder / "A").is_dir() or (folder / "B").is_dir():
            self.layout = "folders"
            self.pairs = _match_by_name(folder / "A", folder / "B")
        else:
            self.layout = "side-by-side"
            files = [f for f in list_images(folder) if f.parent == folder]
            if not files:
                hint = (f" (it has {', '.join(s for s in _SPLITS if (self.root / s).is_dir())}/: "
                        f"use ?split=...)" if folder == self.root and
                        any((self.root / s).is_dir() for s in _SPLITS) else "")
                raise GanzooError(f"no images in {folder}{hint}; a paired dataset is a folder of "
                                  f"A|B side-by-side images, or A/ and B/ folders with matching "
                                  f"file names")
            self.pairs = [(f, None) for f in files]

    def __len__(self) -> int:
        return len(self.pairs) * self.repeat

    def load_pair(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The full-size A and B images of pair ``index`` in [0, 1]."""
        from ganzoo.imageio import read_image

        first, second = self.pairs[index]
        if second is not None:
            a, b = read_image(first, self.modes["A"]), read_image(second, self.modes["B"])
            if a.shape[-2:] != b.shape[-2:]:
                raise GanzooError(f"{first.name} is {a.shape[-1]}x{a.shape[-2]} but {second} is "
                                  f"{b.shape[-1]}x{b.shape[-2]}; aligned pairs must have the "
                                  f"same size")
            return a, b
        both = read_image(first, "RGB")
        width = both.shape[-1]
        if width < 2 or width % 2:
            raise GanzooError(f"{first}: width {width} is not even; side-by-side pairs are A|B "
                              f"halves of equal width")
        half = width // 2
        a, b = both[..., :half], both[..., half:]
        return _to_mode(a, self.modes["A"]), _to_mode(b, self.modes["B"])

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        a, b = self.load_pair(index % len(self.pairs))
        plan = draw_crop(*a.shape[-2:], preprocess=self.preprocess, image_size=self.image_size,
                         load_size=self.load_size, flip=self.flip, augment=self.augment,
                         generator=self.item_rng(index))
        return {"A": apply_crop(a, plan), "B": apply_crop(b, plan)}


def _to_mode(image: torch.Tensor, mode: str) -> torch.Tensor:
    if mode == "RGB":
        return image
    weights = image.new_tensor(LUMA).view(3, 1, 1)
    return (image * weights).sum(0, keepdim=True)


def _match_by_name(folder_a: Path, folder_b: Path) -> list[tuple[Path, Path]]:
    for folder in (folder_a, folder_b):
        if not folder.is_dir():
            raise GanzooError(f"{folder} is missing; two-folder pairs need both A/ and B/")
    files_a = {f.relative_to(folder_a).with_suffix(""): f for f in list_images(folder_a)}
    files_b = {f.relative_to(folder_b).with_suffix(""): f for f in list_images(folder_b)}
    for folder, files in ((folder_a, files_a), (folder_b, files_b)):
        if not files:
            raise GanzooError(f"no images in {folder}; put the A inputs in A/ and the B targets "
                              f"in B/ with matching file names")
    only_a = sorted(str(k) for k in set(files_a) - set(files_b))
    only_b = sorted(str(k) for k in set(files_b) - set(files_a))
    if only_a or only_b:
        parts = [f"{len(names)} only in {where}/ (e.g. {', '.join(names[:3])})"
                 for names, where in ((only_a, folder_a.name), (only_b, folder_b.name)) if names]
        raise GanzooError(f"unmatched pairs in {folder_a.parent}: {'; '.join(parts)}; every A "
                          f"image needs a B image with the same name")
    return [(files_a[k], files_b[k]) for k in sorted(files_a)]


def paired(arg: str | None = None, *, image_size: int | None = None, **options) -> PairedImages:
    """``--data paired:PATH[?options]``; ``ganzoo train`` passes the model's ``image_size``."""
    return PairedImages.from_spec(arg, image_size, options)
