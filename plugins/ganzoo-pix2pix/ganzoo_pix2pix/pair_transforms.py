"""Training-time transforms for image-to-image data, and ``?key=value`` data-spec options.

pix2pix pairs must be cropped and flipped *identically* on both sides, so a transform is drawn
once (`draw_crop`) and applied to each side (`apply_crop`). The datasets pass the generator of
the item (`ganzoo.data.item_rng`), so crops are a pure function of (seed, epoch, rank, index)
and a resumed run sees the same crops.

Reference preprocessing (``preprocess``):
  ``resize_and_crop``  resize to ``load_size`` x ``load_size``, random ``image_size`` crop (default)
  ``crop``             random ``image_size`` crop at the original resolution
  ``resize``           resize straight to ``image_size`` x ``image_size`` (no crop)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.errors import GanzooError

PREPROCESS = ("resize_and_crop", "crop", "resize")


@dataclass(frozen=True)
class CropPlan:
    """One drawn transform: resize target (or None), crop box, horizontal flip."""

    resize: tuple[int, int] | None
    top: int
    left: int
    size: int
    flip: bool


def split_spec(arg: str | None, what: str) -> tuple[str, dict[str, str]]:
    """``"data/facades?load_size=286&flip=false"`` → path and its options."""
    if not arg:
        raise GanzooError(f"--data {what} needs a folder: --data {what}:PATH")
    path, _, query = arg.partition("?")
    return path, dict(parse_qsl(query, keep_blank_values=True))


def coerce_options(options: dict[str, Any], types: dict[str, type], what: str) -> dict[str, Any]:
    """Turn ``?key=value`` strings into the types the dataset takes; unknown keys are errors."""
    out = {}
    for key, value in options.items():
        if key not in types:
            raise GanzooError(f"--data {what}: unknown option '{key}'; valid options: "
                              f"{', '.join(sorted(types))}")
        kind = types[key]
        if not isinstance(value, str) or kind is str:
            out[key] = value
        elif kind is bool:
            if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise GanzooError(f"--data {what}: option {key} must be true or false")
            out[key] = value.lower() in ("1", "true", "yes")
        else:
            try:
                out[key] = kind(value)
            except ValueError:
                raise GanzooError(f"--data {what}: option {key} must be a {kind.__name__}, "
                                  f"got {value!r}") from None
    return out


def check_preprocess(preprocess: str, image_size: int, load_size: int | None) -> int:
    """Validate the options; return the load size (default: image_size × 286/256)."""
    if preprocess not in PREPROCESS:
        raise GanzooError(f"preprocess must be one of {', '.join(PREPROCESS)}, got {preprocess!r}")
    if image_size < 1:
        raise GanzooError(f"image_size must be positive, got {image_size}")
    load = load_size if load_size is not None else round(image_size * 286 / 256)
    if preprocess == "resize_and_crop" and load < image_size:
        raise GanzooError(f"load_size {load} is smaller than the crop image_size {image_size}")
    return load


def draw_crop(height: int, width: int, *, preprocess: str, image_size: int, load_size: int,
              flip: bool, augment: bool, generator: torch.Generator | None = None) -> CropPlan:
    """Draw one transform for an image of ``height`` x ``width`` from ``generator``; without
    ``augment`` the crop is centred and nothing is flipped (evaluation)."""
    resize = None
    if preprocess == "resize_and_crop":
        resize, (height, width) = (load_size, load_size), (load_size, load_size)
    elif preprocess == "resize":
        resize, (height, width) = (image_size, image_size), (image_size, image_size)
    if height < image_size or width < image_size:
        raise GanzooError(f"an image of {width}x{height} is smaller than the crop "
                          f"{image_size}x{image_size}; use ?preprocess=resize_and_crop or a "
                          f"smaller image_size")
    if augment:
        top = int(torch.randint(height - image_size + 1, (), generator=generator))
        left = int(torch.randint(width - image_size + 1, (), generator=generator))
        flipped = bool(flip and torch.rand((), generator=generator) < 0.5)
    else:
        top, left, flipped = (height - image_size) // 2, (width - image_size) // 2, False
    return CropPlan(resize, top, left, image_size, flipped)


def apply_crop(image: Tensor, plan: CropPlan) -> Tensor:
    """Apply a drawn plan to a ``(C, H, W)`` image in [0, 1]."""
    if plan.resize is not None and tuple(image.shape[-2:]) != plan.resize:
        image = F.interpolate(image[None], size=plan.resize, mode="bicubic",
                              align_corners=False, antialias=True)[0].clamp(0, 1)
    image = image[:, plan.top:plan.top + plan.size, plan.left:plan.left + plan.size]
    return image.flip(-1) if plan.flip else image
