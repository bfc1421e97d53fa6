"""Run an image network on inputs of any size in bounded device memory.

Convolutional generators need sizes that are a multiple of their total stride (U-Net-256: 256,
ResNet: 4) and memory that grows with the image. `pad_to_multiple` / `crop_to` handle the first;
`tiled_apply` handles the second: it cuts the image into overlapping tiles, moves one tile at a
time to the device, and blends the overlaps with a smooth window so no seams show. The full
image and the accumulators stay on the CPU.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

from .errors import GanzooError

if TYPE_CHECKING:
    import torch
    from torch import Tensor


def pad_to_multiple(image: Tensor, multiple: int, min_size: int = 1
                    ) -> tuple[Tensor, tuple[int, int]]:
    """Pad ``(N, C, H, W)`` on the bottom/right so H and W are multiples of ``multiple`` and at
    least ``min_size`` (networks with reflection padding at low resolution need a minimum).

    Reflection padding keeps the border statistics natural for the network; when the pad is
    too large for reflection (tiny images), edge pixels are replicated instead.
    Returns the padded image and the original ``(H, W)`` for `crop_to`.
    """
    import torch.nn.functional as F

    height, width = image.shape[-2:]
    pad_h = _padded_length(height, multiple, min_size) - height
    pad_w = _padded_length(width, multiple, min_size) - width
    if pad_h == 0 and pad_w == 0:
        return image, (height, width)
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(image, (0, pad_w, 0, pad_h), mode=mode), (height, width)


def _padded_length(length: int, multiple: int, min_size: int) -> int:
    length = max(length, min_size)
    return length + (-length) % multiple


def crop_to(image: Tensor, height: int, width: int) -> Tensor:
    """Crop ``(..., H', W')`` back to its top-left ``height`` x ``width``."""
    return image[..., :height, :width]


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of size ``tile`` covering ``length`` with at least ``overlap``.

    The last tile is aligned to the end so every tile is full-sized.
    """
    if length <= tile:
        return [0]
    stride = tile - overlap
    count = math.ceil((length - tile) / stride) + 1
    # Spread the tiles evenly instead of leaving a thin last step: overlaps stay >= ``overlap``.
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def blend_ramp(size: int, ramp: int, ramp_start: bool, ramp_end: bool, *, dtype=None) -> Tensor:
    """1-D blending weights: 1 inside, a raised-cosine rise over ``ramp`` pixels at each end
    that borders another tile. Always > 0, so every pixel has weight."""
    import torch

    weights = torch.ones(size, dtype=dtype or torch.float32)
    ramp = min(ramp, size // 2)
    if ramp > 0:
        rise = 0.5 - 0.5 * torch.cos(math.pi * (torch.arange(ramp, dtype=torch.float64) + 0.5)
                                     / ramp)
        rise = rise.to(weights.dtype)
        if ramp_start:
            weights[:ramp] = rise
        if ramp_end:
            weights[size - ramp:] = rise.flip(0)
    return weights


def tiled_apply(fn: Callable[[Tensor], Tensor], image: Tensor, tile: int, overlap: int = 32, *,
                scale: int = 1, multiple: int = 1, min_size: int = 1,
                device: str | torch.device | None = None, progress: Callable[[int], None] | None = None) -> Tensor:
    """Apply ``fn`` to ``image`` (1, C, H, W) tile by tile and blend the results.

    Args:
        fn: the network call; takes ``(1, C, h, w)`` on ``device`` and returns
            ``(1, C', h*scale, w*scale)``.
        image: the whole input, normally on the CPU.
        tile: tile side in input pixels; rounded down to a multiple of ``multiple``.
        overlap: input pixels shared by neighbouring tiles (blended with a smooth window).
        scale: output/input size ratio (super-resolution).
        multiple: sizes ``fn`` accepts; each tile is padded to it and cropped back.
        min_size: smallest side ``fn`` accepts; smaller tiles are padded up to it.
        device: where ``fn`` runs; defaults to the image's device.
        progress: called with 1 after each tile (e.g. ``tqdm.update``).

    Returns:
        ``(1, C', H*scale, W*scale)`` float32 on the image's device.
    """
    import torch

    if image.dim() != 4 or image.shape[0] != 1:
        raise GanzooError(f"tiled_apply expects one image (1, C, H, W), got {tuple(image.shape)}")
    tile = (tile // multiple) * multiple
    if tile <= 0:
        raise GanzooError(f"tile size must be at least the network's multiple ({multiple}); "
                          f"pass a larger --tile")
    if not 0 <= overlap < tile:
        raise GanzooError(f"tile overlap {overlap} must be between 0 and the tile size {tile}")
    device = torch.device(device) if device is not None else image.device
    height, width = image.shape[-2:]
    rows = tile_starts(height, tile, overlap)
    cols = tile_starts(width, tile, overlap)
    output = weight = None
    for top in rows:
        for left in cols:
            piece = image[..., top:top + tile, left:left + tile]
            h, w = piece.shape[-2:]
            padded, _ = pad_to_multiple(piece.to(device), multiple, min_size)
            with torch.no_grad():
                result = fn(padded)
            expected = (padded.shape[-2] * scale, padded.shape[-1] * scale)
            if tuple(result.shape[-2:]) != expected or result.dim() != 4:
                raise GanzooError(f"tiled_apply: the network returned {tuple(result.shape)} "
                                  f"for a {tuple(padded.shape)} tile; expected size "
                                  f"{expected} (is scale={scale} right?)")
            result = crop_to(result, h * scale, w * scale).to(image.device, torch.float32)
            if output is None:
                output = torch.zeros(1, result.shape[1], height * scale, width * scale,
                                     device=image.device)
                weight = torch.zeros(1, 1, height * scale, width * scale, device=image.device)
            window = (blend_ramp(h * scale, overlap * scale, top > 0, top + h < height)[:, None]
                      * blend_ramp(w * scale, overlap * scale, left > 0, left + w < width)[None]
                      ).to(image.device)
            rows_out = slice(top * scale, (top + h) * scale)
            cols_out = slice(left * scale, (left + w) * scale)
            output[..., rows_out, cols_out] += result * window
            weight[..., rows_out, cols_out] += window
            if progress is not None:
                progress(1)
    return output / weight


def whole_image_tile(height: int, width: int, multiple: int = 1) -> int:
    """The tile size that makes `tiled_apply` run the image in one piece."""
    return _padded_length(max(height, width), multiple, 1)


def tile_count(height: int, width: int, tile: int, overlap: int, multiple: int = 1) -> int:
    """How many tiles `tiled_apply` will run (for progress bars)."""
    tile = (tile // multiple) * multiple
    return len(tile_starts(height, tile, overlap)) * len(tile_starts(width, tile, overlap))
