"""A small real-photo dataset for small-data training (issue #26): square crops of the bundled
colour photos, scaled to a few tens of pixels, written as PNGs a ``folder:`` dataset reads.

The training set (``count`` crops, seed `TRAIN_SEED`) and the reference set the scores compare
with (`REFERENCE_COUNT` crops, seed `REFERENCE_SEED`) are independent draws of the same crop
distribution: the same photos, other windows. So the reference is held out (no reference crop is
a training crop) but not from other photos: a generator that reproduces its 100 training crops
scores well only as far as 100 crops cover the distribution, which is what small-data training
is about (the DiffAugment paper scores its 100-shot sets against the training images
themselves).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .photos import bundled_photo

#: The bundled colour photos the crops come from (scikit-image and scikit-learn samples).
SOURCES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
           "immunohistochemistry", "retina", "china", "flower", "motorcycle")
#: A crop's side as a fraction of its photo's short side: from details to most of the photo.
WINDOW = (0.25, 0.6)
TRAIN_SEED = 0
REFERENCE_SEED = 1
REFERENCE_COUNT = 1000
MARKER = "small_photo_set.json"


def reference_label(n: int, size: int) -> str:
    """What a score against the first ``n`` reference crops was measured against."""
    return (f"first {n} of {REFERENCE_COUNT:,} held-out {size}-px crops of the same photos "
            f"(compare models of this set only)")


def crop_windows(count: int, seed: int, shapes: list[tuple[int, int]]):
    """``count`` (photo index, top, left, side, flip) draws; a pure function of its arguments,
    so a set can be rebuilt exactly."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        index = int(rng.integers(len(shapes)))
        height, width = shapes[index]
        side = int(round(min(height, width) * rng.uniform(*WINDOW)))
        top = int(rng.integers(height - side + 1))
        left = int(rng.integers(width - side + 1))
        yield index, top, left, side, bool(rng.random() < 0.5)


def write_small_photo_set(folder: Path, count: int, size: int, seed: int) -> Path:
    """``count`` ``size``-pixel RGB crops (PNG) under ``folder``; a folder already holding the
    same set (its marker records count, size, seed and windows) is reused as it is."""
    from PIL import Image

    folder = Path(folder)
    wanted = {"count": count, "size": size, "seed": seed, "window": list(WINDOW),
              "sources": list(SOURCES)}
    marker = folder / MARKER
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return folder
    if folder.exists():
        others = [p.name for p in folder.iterdir()
                  if p.name != MARKER and not (p.name.startswith("crop_") and p.suffix == ".png")]
        if others:  # never delete what this module did not write
            raise FileExistsError(f"{folder} holds other files ({others[0]}); give an empty or "
                                  f"new folder")
        for old in folder.glob("crop_*.png"):  # another set, or a stopped write: redone
            old.unlink()
        marker.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    photos = [Image.fromarray(np.ascontiguousarray(bundled_photo(name)[..., :3]))
              for name in SOURCES]
    shapes = [(photo.height, photo.width) for photo in photos]
    for number, (index, top, left, side, flip) in enumerate(crop_windows(count, seed, shapes)):
        crop = photos[index].crop((left, top, left + side, top + side))
        crop = crop.resize((size, size), Image.LANCZOS)
        if flip:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        crop.save(folder / f"crop_{number:05d}.png")
    marker.write_text(json.dumps(wanted))  # last: a stopped write is redone, not reused
    return folder


def training_set(work: Path, count: int, size: int) -> Path:
    """The training crops of a ``count``-image run, under ``work``."""
    return write_small_photo_set(Path(work) / f"train-{count}-{size}px", count, size, TRAIN_SEED)


def reference_set(work: Path, size: int) -> Path:
    """The held-out crops every run is scored against, under ``work``."""
    return write_small_photo_set(Path(work) / f"reference-{size}px", REFERENCE_COUNT, size,
                                 REFERENCE_SEED)
