"""A folder of many JPEG photos made from the few bundled ones (no downloads), for timing how
training reads real image files: random crops of various sizes and aspect ratios, each saved as
its own JPEG, half under ``trainA/`` and half under ``trainB/``. The same folder serves
``folder:`` and ``sr:`` (recursive) and ``unpaired:`` (the two halves)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .photos import bundled_photo

#: Colour photos the crops come from (scikit-image and scikit-learn samples).
SOURCES = ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
           "immunohistochemistry", "retina", "china", "flower", "motorcycle"]
#: Shorter side of a crop, in pixels: at least the largest training crop (SR's 96-px HR).
SIDES = (128, 384)
MARKER = "photo_folder.json"


def make_photo_folder(root: Path, count: int, seed: int = 0) -> Path:
    """``count`` JPEGs under ``root`` (``trainA/``, ``trainB/``); reused when a previous call
    made the same ones (its marker file records count and seed)."""
    from PIL import Image

    root = Path(root)
    wanted = {"count": count, "seed": seed, "sides": list(SIDES)}
    marker = root / MARKER
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return root
    rng = np.random.default_rng(seed)
    photos = [Image.fromarray(np.ascontiguousarray(bundled_photo(name)[..., :3]))
              for name in SOURCES]
    for index in range(count):
        photo = photos[int(rng.integers(len(photos)))]
        short = int(rng.integers(SIDES[0], SIDES[1] + 1))
        aspect = float(rng.uniform(0.75, 1.33))
        width, height = (round(short * aspect), short) if aspect >= 1 else \
            (short, round(short / aspect))
        # A window of the photo (up to its full extent), scaled to the chosen size.
        window = float(rng.uniform(0.4, 1.0))
        win_w = max(8, min(photo.width, round(photo.width * window)))
        win_h = max(8, min(photo.height, round(win_w * height / width)))
        left = int(rng.integers(photo.width - win_w + 1))
        top = int(rng.integers(photo.height - win_h + 1))
        crop = photo.crop((left, top, left + win_w, top + win_h)).resize((width, height),
                                                                         Image.BILINEAR)
        if rng.random() < 0.5:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        folder = root / ("trainA" if index % 2 == 0 else "trainB")
        folder.mkdir(parents=True, exist_ok=True)
        crop.save(folder / f"photo_{index:05d}.jpg", quality=90)
    marker.write_text(json.dumps(wanted))
    return root
