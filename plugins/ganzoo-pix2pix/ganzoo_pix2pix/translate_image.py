"""Inference for image-to-image generators: any size, any channel layout, bounded memory.

Shared by pix2pix and CycleGAN (`GANModel.translate`): each image is converted to the channels
the generator expects, mapped to the network's value range, run whole (padded to the size
multiple the network needs) or tile by tile, and cropped back to its own size.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import torch
from torch import Tensor, nn

from ganzoo.channels import match_channels
from ganzoo.errors import GanzooError
from ganzoo.tiling import tiled_apply, whole_image_tile
from ganzoo.nets.fast_inference import TRANSLATION_PROBE_SIZE, fast_path

#: Overlap between tiles when tiling; at most a quarter of the tile.
DEFAULT_OVERLAP = 64


@contextlib.contextmanager
def per_image_batchnorm(network: nn.Module) -> Iterator[None]:
    """BatchNorm layers normalize with the statistics of the input itself, not running ones.

    This is how the reference pix2pix code runs at test time (it never calls ``eval()``), and
    how its published models look right: trained at batch size 1, their running statistics do
    not match any single image. Running statistics are left untouched.
    """
    saved = []
    for module in network.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.track_running_stats:
            saved.append((module, module.training, module.momentum,
                          module.num_batches_tracked.clone()))
            module.train(True)
            module.momentum = 0.0  # batch statistics are used, running ones are not updated
    try:
        yield
    finally:
        for module, training, momentum, tracked in saved:
            module.train(training)
            module.momentum = momentum
            module.num_batches_tracked.copy_(tracked)


def translate_images(generator: nn.Module, images: Tensor, *, in_channels: int,
                     value_range: tuple[float, float], tile: int | None = None,
                     overlap: int | None = None, batchnorm: str = "running",
                     precision: str = "auto",
                     progress: Callable[[int], Any] | None = None) -> Tensor:
    """Run ``generator`` on float images ``(N, C, H, W)`` (or ``(C, H, W)``) in [0, 1].

    Args:
        generator: maps the network range to the network range; it may carry
            ``size_multiple`` and ``min_size`` attributes.
        in_channels: channels the generator takes (inputs are converted to them).
        value_range: the network's range, e.g. (-1, 1).
        tile: tile side in pixels; None runs each image whole.
        overlap: tile overlap (default: min(64, tile // 4)).
        batchnorm: ``running`` (eval statistics) or ``image`` (each input's own statistics).
        precision: ``auto`` (bf16, or else ``mixed``, where the device has fast bf16 and this
            network's output stays within 2/255 of fp32 on a probe, see `fast_inference`),
            ``fp32``, ``bf16`` or ``mixed``.
        progress: called with 1 per tile run.

    Returns:
        ``(N, C_out, H, W)`` in [0, 1] on the CPU; a 4th (alpha) input channel is passed through.
    """
    if images.dim() == 3:
        images = images[None]
    if images.dim() != 4:
        raise GanzooError(f"translate expects images (N, C, H, W), got shape {tuple(images.shape)}")
    if batchnorm not in ("running", "image"):
        raise GanzooError(f"batchnorm must be 'running' or 'image', got {batchnorm!r}")
    device = next(generator.parameters()).device
    multiple, min_size = int(generator.size_multiple), int(generator.min_size)
    low, high = value_range
    context = per_image_batchnorm if batchnorm == "image" else None
    network = fast_path(generator, channels=in_channels, value_range=value_range,
                        size_multiple=multiple, min_size=min_size, precision=precision,
                        context=context, probe_size=TRANSLATION_PROBE_SIZE)
    norm_context = context(network.network) if context else contextlib.nullcontext()
    outputs = []
    with torch.inference_mode(), norm_context:
        for image in images.detach().to("cpu", torch.float32):
            alpha = image[3:4] if image.shape[0] == 4 else None
            x = match_channels(image[None, :3] if alpha is not None else image[None], in_channels)
            x = x * (high - low) + low
            height, width = x.shape[-2:]
            size = tile or whole_image_tile(height, width, multiple)
            size = max(size, multiple, min_size)
            lap = min(DEFAULT_OVERLAP if overlap is None else overlap, size // 4)
            y = tiled_apply(network, x, size, lap, multiple=multiple, min_size=min_size,
                            device=device, progress=progress)
            y = ((y - low) / (high - low)).clamp(0.0, 1.0)
            if alpha is not None:
                y = torch.cat([y, alpha[None]], 1)
            outputs.append(y)
    return torch.cat(outputs)
