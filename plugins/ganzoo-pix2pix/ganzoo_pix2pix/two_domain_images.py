"""What paired (pix2pix) and unpaired (CycleGAN) image datasets share: options and checks.

Both read ``--data NAME:PATH?options`` with the same options (crop, flip, channels of each
side, repeat) and validate them the same way; only how files are found and matched differs,
which each subclass gives as `TwoDomainImages.find_images`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganzoo.data.item_rng import RandomItems
from ganzoo.errors import GanzooError

from .pair_transforms import check_preprocess, coerce_options, split_spec

#: The ``?key=value`` options both datasets take, and their types.
OPTION_TYPES = {"split": str, "image_size": int, "load_size": int, "preprocess": str,
                "flip": bool, "augment": bool, "channels_a": int, "channels_b": int,
                "repeat": int}


class TwoDomainImages(RandomItems):
    """Base of `PairedImages` and `UnpairedImages`: the options and checks they share. Random
    crops, flips and partners come from `RandomItems.item_rng` (seed, epoch, rank, index).

    Args:
        root: dataset folder; must exist.
        split: which part of the dataset (its meaning is the subclass's layout).
        image_size / load_size / preprocess / flip / augment: see `PairedImages`.
        channels_a / channels_b: 3 (RGB) or 1 (grayscale) for each side.
        repeat: list every image this many times per epoch.

    Attributes:
        spec_name: the ``--data`` name (``paired``, ``unpaired``), used in error messages.
    """

    spec_name = ""
    benefits_from_workers = True  # every item is two files to read, decode and crop

    def __init__(self, root: str | Path, *, split: str = "train", image_size: int = 256,
                 load_size: int | None = None, preprocess: str = "resize_and_crop",
                 flip: bool = True, augment: bool = True, channels_a: int = 3,
                 channels_b: int = 3, repeat: int = 1):
        self.root = Path(root).expanduser()
        if repeat < 1:
            raise GanzooError(f"repeat must be at least 1, got {repeat}")
        self.repeat = repeat
        if not self.root.is_dir():
            raise GanzooError(f"--data {self.spec_name}:{root}: no such folder")
        self.load_size = check_preprocess(preprocess, image_size, load_size)
        self.image_size, self.preprocess, self.flip, self.augment = image_size, preprocess, flip, augment
        self.modes = {side: _mode(channels, side)
                      for side, channels in (("A", channels_a), ("B", channels_b))}
        self.config_hints = {"channels_a": channels_a, "channels_b": channels_b,
                             "image_size": image_size}
        self.find_images(split)

    def find_images(self, split: str) -> None:
        """List the images of ``split`` under ``self.root``; each subclass's own layout."""
        raise NotImplementedError

    @classmethod
    def from_spec(cls, arg: str | None, image_size: int | None, options: dict[str, Any]):
        """Build from ``PATH[?options]``; ``image_size`` (the model's) is the default crop."""
        path, query = split_spec(arg, cls.spec_name)
        settings = coerce_options(query, OPTION_TYPES, cls.spec_name)
        settings.setdefault("image_size", image_size or 256)
        settings.update({k: v for k, v in options.items() if k in OPTION_TYPES})
        return cls(path, **settings)


def _mode(channels: int, side: str) -> str:
    if channels not in (1, 3):
        raise GanzooError(f"channels_{side.lower()} must be 1 or 3, got {channels}")
    return "L" if channels == 1 else "RGB"
