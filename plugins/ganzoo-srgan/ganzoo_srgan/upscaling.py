"""Upscale one image with an SR model: channel handling, tiling, and the fast inference path.

- Alpha (a 4th channel) is upscaled separately with bicubic interpolation: the network was
  trained on colour, and a smooth alpha is what users expect from an upscaler.
- A 1-channel image through an RGB model runs as gray RGB and comes back as luma; a 3-channel
  image through a grayscale model is upscaled channel by channel.
- The network runs through `ganzoo.tiling.tiled_apply`: the whole image stays on the CPU and only
  one tile at a time moves to the device.
- Fast path (``config.fast_inference``): inference mode, channels_last memory layout and, when
  the CPU/GPU supports it, bf16 autocast — used only if a probe shows the bf16 output within
  `BF16_TOLERANCE` of fp32 for this model's weights; otherwise fp32.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ganzoo.tiling import tiled_apply

#: Largest mean absolute difference (in [0, 1] units, ~1/3 of an 8-bit level) allowed between
#: bf16 and fp32 outputs for bf16 to be used.
BF16_TOLERANCE = 1.5e-3
_LUMA = (0.299, 0.587, 0.114)


def _bf16_supported(device: torch.device) -> bool:
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        # Without native bf16 instructions autocast is slower than fp32 on CPU.
        return bool(getattr(torch.backends.cpu, "get_cpu_capability", lambda: "")()
                    in ("AVX512", "AVX512_BF16", "AMX")) and _cpu_has_bf16()
    return False


def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as handle:
            flags = handle.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_precision(network: torch.nn.Module, channels: int, device: torch.device) -> str:
    """``"bf16"`` if autocast is supported and stays within tolerance on a probe, else
    ``"fp32"``. The probe is a smooth random image, run once per model."""
    if not _bf16_supported(device):
        return "fp32"
    generator = torch.Generator().manual_seed(0)
    probe = F.interpolate(torch.rand(1, channels, 8, 8, generator=generator), size=(32, 32),
                          mode="bicubic", align_corners=False).clamp(0, 1).to(device)
    with torch.inference_mode():
        reference = network(probe).float()
        with torch.autocast(device.type, dtype=torch.bfloat16):
            fast = network(probe.contiguous(memory_format=torch.channels_last)).float()
    error = (reference.clamp(0, 1) - fast.clamp(0, 1)).abs().mean().item()
    return "bf16" if error <= BF16_TOLERANCE else "fp32"


def _fingerprint(network: torch.nn.Module) -> tuple:
    # Parameters' in-place version counters change on every optimizer step or load.
    return tuple((p.data_ptr(), p._version) for p in network.parameters())


def network_function(model: Any) -> Callable[[Tensor], Tensor]:
    """The tile function for ``model.generator``: fp32 eager, or the fast path."""
    network = model.generator.eval()
    device = model.device
    if not model.config.fast_inference:
        def plain(tile: Tensor) -> Tensor:
            with torch.inference_mode():
                return network(tile).clamp(0, 1)
        return plain
    # A channels_last copy, so the model's own weights stay contiguous for saving; cached
    # with the precision choice until the weights change.
    cached = getattr(model, "_fast_inference", None)
    if cached is None or cached[0] != _fingerprint(network):
        fast_network = copy.deepcopy(network).to(memory_format=torch.channels_last)
        precision = choose_precision(fast_network, model.config.channels, device)
        cached = (_fingerprint(network), fast_network, precision)
        model._fast_inference = cached
    _, fast_network, precision = cached

    def fast(tile: Tensor) -> Tensor:
        tile = tile.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16,
                                                    enabled=precision == "bf16"):
            return fast_network(tile).float().clamp(0, 1).contiguous()
    return fast


def upscale_image(model: Any, image: Tensor, *, tile: int, overlap: int,
                  progress: Any = None) -> Tensor:
    """``(1, C, H, W)`` in [0, 1] (C = 1, 3 or 4) → ``(1, C, sH, sW)`` in [0, 1] on the CPU."""
    scale = model.config.scale
    image = image.float().cpu()
    color, alpha = (image[:, :3], image[:, 3:]) if image.shape[1] == 4 else (image, None)
    want = model.config.channels
    run = network_function(model)

    def upscale(planes: Tensor) -> Tensor:
        return tiled_apply(run, planes, tile, overlap, scale=scale, device=model.device,
                           progress=progress)

    if color.shape[1] == want:
        out = upscale(color)
    elif want == 3 and color.shape[1] == 1:
        rgb = upscale(color.expand(1, 3, *color.shape[-2:]).contiguous())
        weights = torch.tensor(_LUMA).view(1, 3, 1, 1)
        out = (rgb * weights).sum(dim=1, keepdim=True)
    elif want == 1:
        out = torch.cat([upscale(color[:, c:c + 1]) for c in range(color.shape[1])], dim=1)
    else:
        raise ValueError(f"cannot upscale a {color.shape[1]}-channel image with a "
                         f"{want}-channel model")
    if alpha is not None:
        alpha = F.interpolate(alpha, scale_factor=scale, mode="bicubic", align_corners=False)
        out = torch.cat([out, alpha.clamp(0, 1)], dim=1)
    return out.clamp(0, 1)
