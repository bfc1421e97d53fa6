"""Tiny image folders in every layout a ``--data`` kind reads, written as real PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_png(path: Path, size: tuple[int, int], seed: int, mode: str = "RGB") -> Path:
    """A random ``size`` (width, height) PNG: smooth colour ramps plus noise, so crops differ."""
    rng = np.random.default_rng(seed)
    width, height = size
    ramp = np.linspace(0, 1, width)[None, :] * np.linspace(0.3, 1, height)[:, None]
    channels = 3 if mode == "RGB" else 1
    pixels = ramp[..., None] * rng.uniform(0.2, 1.0, channels) + rng.uniform(0, 0.3, (height, width, channels))
    array = (np.clip(pixels, 0, 1) * 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array[..., 0] if mode == "L" else array, mode).save(path)
    return path


def photo_folder(root: Path, count: int = 4, size: int = 24) -> Path:
    for k in range(count):
        write_png(root / f"photo{k}.png", (size, size + 4 * k), seed=k)
    return root


def paired_folder(root: Path, count: int = 4, size: int = 20) -> Path:
    """Two-folder layout: ``A/x.png`` pairs with ``B/x.png``."""
    for k in range(count):
        write_png(root / "A" / f"p{k}.png", (size, size), seed=10 + k)
        write_png(root / "B" / f"p{k}.png", (size, size), seed=20 + k)
    return root


def unpaired_folder(root: Path, count_a: int = 4, count_b: int = 3, size: int = 20) -> Path:
    for k in range(count_a):
        write_png(root / "trainA" / f"a{k}.png", (size, size), seed=30 + k)
    for k in range(count_b):
        write_png(root / "trainB" / f"b{k}.png", (size, size), seed=40 + k)
    return root


def labelled_folder(root: Path, per_class: int = 3, size: int = 12) -> Path:
    for name, base in (("cat", 50), ("dog", 60)):
        for k in range(per_class):
            write_png(root / name / f"{name}{k}.png", (size, size), seed=base + k)
    return root
