"""Feeding images to a network that expects another number of channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .colour import LUMA
from .errors import GanzooError

if TYPE_CHECKING:
    from torch import Tensor


def match_channels(images: Tensor, channels: int) -> Tensor:
    """``(N, C, H, W)`` → ``(N, channels, H, W)``: gray is repeated to RGB, RGB becomes luma."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1)
    if have == 3 and channels == 1:
        weights = images.new_tensor(LUMA).view(1, 3, 1, 1)
        return (images * weights).sum(1, keepdim=True)
    raise GanzooError(f"cannot feed {have}-channel images to a {channels}-channel model; "
                      f"give 1-channel (gray) or 3-channel (RGB) images")
