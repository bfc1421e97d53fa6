"""Fast inference for image networks: bf16 where it stays accurate, fp32 where it does not.

bf16 autocast halves convolution time on CPUs with native bf16 instructions (AVX512-BF16, AMX)
and on GPUs, but its rounding error depends on the weights: the zoo's super-resolution models
stay well within 2/255 of their fp32 output, while a randomly initialised ResNet-9 drifts by
9/255 (`benchmarks/cyclegan_speed.py`). So ``precision="auto"`` runs a network in bf16 only if
its output on a probe image stays within `BF16_MAX_ERROR` of the fp32 output. The probe runs
once per set of weights: the verdict is cached until a parameter changes (training, loading).

A network may run its *output stage* (its layers from the first upsampling to the output)
through a caller's function: ``network.forward_staged(x, run_stage)`` computes ``forward(x)``
but hands the output stage and its input to ``run_stage(stage, h)``, as `ResnetGenerator`
does. No hooks and no state on the network, so concurrent calls and plain forwards are
unaffected. Two things use it:

* ``mixed`` precision: bf16 everywhere but the output stage, which runs in fp32. Where whole-
  network bf16 misses the budget, most of its error comes from there, while the stage holds
  ~6 % of a ResNet-9's FLOPs (two trained ResNet-9s, `benchmarks/cyclegan_speed.py`: bf16
  2.7 and 4.1/255 off on a photo, mixed 1.1 and 1.3/255). ``auto`` tries bf16, then mixed,
  then settles for fp32.
* on CPU the output stage runs channels-last: oneDNN's NHWC kernels are faster for its
  few-channel, high-resolution transposed and 7x7 convolutions.

A compiled network (``torch.compile``) runs whole: its staged forward would bypass the
compiled graph.

Shared by the image-to-image generators (`translate_image`) and the super-resolution plugin.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from typing import Callable, ContextManager

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import GanzooError
from ..interfaces import Generator
from ..precision import INFERENCE_PRECISIONS, check_precision
from ..native_bf16 import bf16_is_fast

#: Largest difference from fp32, in [0, 1] output units, for ``auto`` to choose bf16 or mixed:
#: the 2/255 budget of the speed benchmark (issue 6), i.e. at most two 8-bit levels on any pixel.
BF16_MAX_ERROR = 2 / 255
#: Side of the probe image (at least the network's size multiple / minimum size).
PROBE_SIZE = 64
#: The image-to-image generators' probe side. A probe's largest error grows with its pixel count:
#: at 64 px a trained ResNet-9 showed 1.5/255 in bf16 but erred 2.7/255 on a 256x256 photo; at
#: 128 px the probe read 2.4 (and 2.6 for a second net, 4.1 on the photo), so bf16 is refused
#: and mixed (0.8 on the probe, 1.1 on the photo) chosen. Costs ~0.1 s once per set of weights.
TRANSLATION_PROBE_SIZE = 128
#: Attribute of the network holding its cache {options: (weights fingerprint, FastPath)}: on the
#: module itself, so it lives and dies with it (a module-level weak dict would keep the module
#: alive through its paths).
_CACHE_ATTRIBUTE = "_ganzoo_fast_path"


@dataclass(frozen=True)
class FastPath:
    """A network ready for inference and the precision it runs in.

    Attributes:
        network: the module to run (the model's own, or a channels-last copy of it).
        precision: ``fp32``, ``bf16`` or ``mixed`` (bf16 but the output stage).
        probe_error: max |reduced precision - fp32| on the probe in [0, 1] units: of the
            precision chosen, or, where ``auto`` settled for fp32, the closest one tried
            (None: no probe ran).
        channels_last: inputs are made channels-last to match ``network``'s layout.
        staged: run ``network.forward_staged`` (see the module docstring).
    """

    network: nn.Module
    precision: str
    probe_error: float | None
    channels_last: bool = False
    staged: bool = False

    def __call__(self, x: Tensor) -> Tensor:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        device_type = x.device.type
        with torch.inference_mode(), torch.autocast(device_type, dtype=torch.bfloat16,
                                                    enabled=self.precision != "fp32"):
            if self.staged:
                output = self.network.forward_staged(x, self._run_output_stage)
            else:
                output = self.network(x)
            return output.float().contiguous()

    def _run_output_stage(self, stage: Callable[[Tensor], Tensor], h: Tensor) -> Tensor:
        if h.device.type == "cpu" and h.dim() == 4:
            h = h.contiguous(memory_format=torch.channels_last)
        if self.precision != "mixed":
            return stage(h)
        with torch.autocast(h.device.type, enabled=False):
            return stage(h.float())


def probe_image(channels: int, size: int, value_range: tuple[float, float]) -> Tensor:
    """A smooth random image ``(1, channels, size, size)`` in ``value_range``: bicubic-upsampled
    noise, so it has the flat areas and edges that photos have, not pixel noise."""
    generator = torch.Generator().manual_seed(0)
    coarse = torch.rand(1, channels, max(2, size // 8), max(2, size // 8), generator=generator)
    smooth = F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False)
    low, high = value_range
    return smooth.clamp(0, 1) * (high - low) + low


def fast_path(network: nn.Module, *, channels: int, value_range: tuple[float, float] = (0.0, 1.0),
              size_multiple: int = 1, min_size: int = 1, precision: str = "auto",
              channels_last: bool = False, probe_size: int = PROBE_SIZE,
              context: Callable[[nn.Module], ContextManager] | None = None) -> FastPath:
    """The `FastPath` for ``network`` (in eval mode, on its device), cached per weights.

    Args:
        channels: input channels of the network (for the probe).
        value_range: the network's input/output range; errors are measured in [0, 1] units.
        size_multiple, min_size: the probe's side is a multiple of this, at least that.
        precision: ``auto`` (bf16 if fast on this device and within `BF16_MAX_ERROR` on the
            probe, else ``mixed`` if the network has a staged forward and that is within it,
            else fp32), ``fp32``, or ``bf16`` / ``mixed`` (forced, no probe).
        channels_last: run a channels-last copy (faster for some networks; the model's own
            weights stay contiguous for saving).
        probe_size: side of the probe (before rounding up to ``size_multiple``/``min_size``).
        context: wraps the probe runs (e.g. per-image BatchNorm statistics), as at run time.
    """
    check_precision(precision, INFERENCE_PRECISIONS)
    device = next(network.parameters()).device
    key = (precision, channels_last, getattr(context, "__name__", None))
    fingerprint = _fingerprint(network)
    cache = getattr(network, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        object.__setattr__(network, _CACHE_ATTRIBUTE, cache)
    if key in cache and cache[key][0] == fingerprint:
        return cache[key][1]
    if network.training and precision == "auto":
        # Mid-training (e.g. sample grids): weights change every step, so a verdict would not
        # outlive the call, and a probe would move BatchNorm running statistics.
        return FastPath(network, "fp32", None, False)
    run = network
    if channels_last:
        del network.__dict__[_CACHE_ATTRIBUTE]  # the copy must not drag the cache along
        try:
            run = copy.deepcopy(network).to(memory_format=torch.channels_last)
        finally:
            object.__setattr__(network, _CACHE_ATTRIBUTE, cache)
    # A compiled network is an OptimizedModule wrapper, not a Generator: it runs whole.
    staged = isinstance(run, Generator) and run.staged_forward
    if precision == "mixed" and not staged:
        raise GanzooError(f"precision mixed needs a network with an output stage "
                          f"(forward_staged); {type(network).__name__} has none: use bf16 or fp32")
    if precision == "fp32" or (precision == "auto" and not bf16_is_fast(device)):
        path = FastPath(run, "fp32", None, channels_last, staged)
    elif precision in ("bf16", "mixed"):
        path = FastPath(run, precision, None, channels_last, staged)
    else:
        side = max(probe_size, min_size)
        side += (-side) % max(1, size_multiple)
        probe = probe_image(channels, side, value_range).to(device)
        low, high = value_range
        chosen, best = "fp32", None
        with (context(run) if context else contextlib.nullcontext()):
            exact = FastPath(run, "fp32", None, channels_last, staged)(probe).clamp(low, high)
            for candidate in ("bf16", "mixed") if staged else ("bf16",):
                fast = FastPath(run, candidate, None, channels_last, staged)(probe)
                error = (fast.clamp(low, high) - exact).abs().max().item() / (high - low)
                best = error if best is None else min(best, error)
                if error <= BF16_MAX_ERROR:
                    chosen, best = candidate, error
                    break
        path = FastPath(run, chosen, best, channels_last, staged)
    cache[key] = (fingerprint, path)
    return path


def _fingerprint(network: nn.Module) -> tuple:
    # A parameter's in-place version counter moves on every optimizer step and load.
    return tuple((p.data_ptr(), p._version) for p in network.parameters())
