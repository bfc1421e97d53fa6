"""Image batches → one grid image → PNG. Used by training previews and ``ganzoo sample``."""

from __future__ import annotations

import math
import os
from pathlib import Path

from .atomic_file import write_atomic
from .errors import GanzooError


def make_grid(images, nrow: int | None = None, padding: int = 2, pad_value: float = 1.0):
    """Tile float images ``(N, C, H, W)`` in [0, 1] into one ``(C, H', W')`` tensor.

    ``nrow`` is the number of images per row (default: a near-square grid).
    """
    import torch

    if images.dim() != 4:
        raise GanzooError(f"make_grid expects images (N, C, H, W), got shape {tuple(images.shape)}")
    n, c, h, w = images.shape
    nrow = nrow or max(1, math.ceil(math.sqrt(n)))
    ncol = math.ceil(n / nrow)
    grid = torch.full((c, ncol * (h + padding) + padding, nrow * (w + padding) + padding),
                      pad_value, dtype=images.dtype)
    for i in range(n):
        row, col = divmod(i, nrow)
        top, left = padding + row * (h + padding), padding + col * (w + padding)
        grid[:, top:top + h, left:left + w] = images[i]
    return grid


def save_grid(images, path: str | os.PathLike, *, nrow: int | None = None, padding: int = 2,
              upscale: int = 1, overwrite: bool = False) -> Path:
    """Write images ``(N, C, H, W)`` in [0, 1] as one PNG grid; small images can be
    ``upscale``d by pixel repetition so 8×8 digits stay visible. Atomic; refuses to overwrite
    an existing file unless ``overwrite``."""
    import numpy as np
    from PIL import Image

    path = Path(path)
    if path.exists() and not overwrite:
        raise GanzooError(f"{path} exists; choose another --out or pass --force to overwrite")
    images = images.detach().float().cpu().clamp(0, 1)
    if upscale > 1:
        images = images.repeat_interleave(upscale, 2).repeat_interleave(upscale, 3)
    grid = make_grid(images, nrow=nrow, padding=padding)
    array = (grid.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    if array.shape[2] == 1:
        array = array[:, :, 0]
    return write_atomic(path, lambda temp: Image.fromarray(array).save(temp, format="PNG"))
