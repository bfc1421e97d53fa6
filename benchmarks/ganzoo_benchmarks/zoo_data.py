"""The training data of the zoo's shipped models, written from bundled photos exactly as the
benchmarks write theirs (a recipe's ``prepare`` names which)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .photos import SPLITS, bundled_photo
from .small_photo_set import training_set
from .translation_tasks import write_deblur_pairs, write_grade_photos

#: Side of the tiles the SR photos are cut into: the loader decodes one file per crop, and a
#: whole 2-megapixel photo per 64-px crop made data loading 10x slower than the network.
SR_TILE = 128
#: The photos the shipped SR models were trained on (their recipes name them). The benchmark
#: has since moved to natural photos only (`super_resolution_eval.TRAIN_PHOTOS`).
SR_ZOO_PHOTOS = ("astronaut", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field",
                 "retina")
#: What a recipe's ``prepare`` may name.
PREPARATIONS = ("grade", "deblur", "sr-photos", "photo-crops")


def prepare_data(kind: str | None, work: Path, grade: str | None = None,
                 images: int | None = None, size: int | None = None) -> Path:
    """Write the files a recipe's ``--data`` points at under ``work`` (once; a finished folder
    is reused) and return the folder. ``kind``: one of `PREPARATIONS`, or None for data the
    variant generates itself; ``grade``: the colour grade of ``grade`` data
    (`colour_grades.GRADES`); ``images``, ``size``: the count and side of ``photo-crops`` (the
    small-data benchmark's training crops, `small_photo_set`)."""
    if kind == "photo-crops":
        if not images or not size:
            raise ValueError("photo-crops data needs the recipe's images: and image_size:")
        return training_set(work / "data", images, size)
    folder = work / "data" / "-".join(filter(None, (kind or "none", grade)))
    if kind is None or (folder / ".done").exists():
        return folder
    if kind == "grade":  # CycleGAN: photos (A) and disjoint photos under a colour grade (B)
        write_grade_photos(folder, SPLITS["grade_train_A"], SPLITS["grade_train_B"], grade)
    elif kind == "deblur":  # pix2pix: blurred | sharp pairs side by side
        write_deblur_pairs(folder)
    elif kind == "sr-photos":  # SRResNet/SRGAN: the zoo's training photos, in tiles
        write_sr_tiles(folder)
    else:
        raise ValueError(f"recipe names unknown data preparation {kind!r}; "
                         f"choose from {', '.join(PREPARATIONS)}")
    (folder / ".done").write_text("")
    return folder


def write_sr_tiles(folder: Path) -> None:
    """`SR_ZOO_PHOTOS` cut into `SR_TILE`-pixel RGB tiles (PNG) under ``folder``."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for name in SR_ZOO_PHOTOS:
        array = bundled_photo(name)
        if array.ndim == 2:
            array = np.repeat(array[..., None], 3, axis=2)
        array = array[..., :3]
        for top in range(0, array.shape[0] - SR_TILE + 1, SR_TILE):
            for left in range(0, array.shape[1] - SR_TILE + 1, SR_TILE):
                tile = array[top:top + SR_TILE, left:left + SR_TILE]
                Image.fromarray(tile).save(folder / f"{name}-{top}-{left}.png")
