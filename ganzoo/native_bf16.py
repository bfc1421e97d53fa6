"""Whether a device does bf16 arithmetic natively, so bf16 autocast is faster than fp32.

CPUs with AVX512-BF16 or AMX (and CUDA GPUs from Ampere on) compute bf16 in hardware, about twice
the fp32 rate; elsewhere the conversions run in software and bf16 is slower than fp32. Used by
``precision="auto"`` in training (`ganzoo.train.precision`) and inference
(`ganzoo.nets.fast_inference`).
"""

from __future__ import annotations

import functools

import torch


def bf16_is_fast(device: torch.device) -> bool:
    """True where bf16 autocast runs on native bf16 instructions."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "")()
    return capability in ("AVX512", "AVX512_BF16", "AMX") and _cpu_flags_have_bf16()


@functools.cache  # the CPU does not change while we run
def _cpu_flags_have_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as handle:
            flags = handle.read()
    except OSError:  # not Linux: no way to tell cheaply, so assume the safe answer
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
