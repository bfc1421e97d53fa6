"""The bundled photos the benchmarks train and test on (scikit-image and scikit-learn samples, no
downloads), and the translation benchmark's photo splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Short side, in pixels, of the photos the translation benchmark uses.
SHORT_SIDE = 256
#: The translation benchmark's photos. Train photos and test photos never overlap; the colour
#: grade's two collections (A, and B under the grade) are disjoint, so no training pair exists.
SPLITS = {
    "deblur_train": ["astronaut", "coffee", "rocket", "china", "immunohistochemistry", "hubble_deep_field"],
    "grade_train_A": ["astronaut", "rocket", "immunohistochemistry", "retina", "motorcycle"],
    "grade_train_B": ["coffee", "china", "hubble_deep_field", "colorwheel", "logo"],
    "test": ["chelsea", "flower"],  # never trained on (skimage's "cat" is chelsea: not used)
}


def bundled_photo(name: str) -> np.ndarray:
    """A bundled photo as stored (uint8, (H, W) or (H, W, C)): scikit-learn's ``china`` and
    ``flower``, ``motorcycle`` (the left view of scikit-image's stereo pair; the right one is
    unused), or any other scikit-image sample by name."""
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return load_sample_image(f"{name}.jpg")
    import skimage.data

    if name == "motorcycle":
        return skimage.data.stereo_motorcycle()[0]
    return getattr(skimage.data, name)()


def load_photo(name: str) -> np.ndarray:
    """A bundled RGB photo as float32 (H, W, 3) in [0, 1], short side scaled to `SHORT_SIDE`."""
    from PIL import Image

    image = Image.fromarray(bundled_photo(name)[..., :3])
    scale = SHORT_SIDE / min(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    return np.asarray(image, np.float32) / 255.0


def save_photo(array: np.ndarray, path: Path) -> None:
    """Write a float (H, W, 3) image in [0, 1] as an 8-bit PNG, creating the folder."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((np.clip(array, 0, 1) * 255 + 0.5).astype(np.uint8)).save(path)


def centre_square(name: str, side: int) -> np.ndarray:
    """A bundled RGB photo centre-cropped to a square and scaled to ``side`` pixels, float32
    (side, side, 3) in [0, 1]."""
    from PIL import Image

    array = bundled_photo(name)[..., :3]
    short = min(array.shape[:2])
    top, left = (array.shape[0] - short) // 2, (array.shape[1] - short) // 2
    square = Image.fromarray(array[top:top + short, left:left + short])
    return np.asarray(square.resize((side, side), Image.LANCZOS), np.float32) / 255
