"""Mixed precision: the autocast context and loss scaler for a ``precision`` setting."""

from __future__ import annotations

import contextlib

import torch

from ..errors import GanzooError
from ..native_bf16 import bf16_is_fast
from ..precision import TRAINING_PRECISIONS, check_precision


def resolve_precision(precision: str, device: torch.device) -> str:
    """``auto`` becomes ``bf16`` where the device computes bf16 natively (about twice the fp32
    rate), else ``fp32``; the others are checked and returned as they are."""
    check_precision(precision, TRAINING_PRECISIONS)
    if precision == "auto":
        return "bf16" if bf16_is_fast(device) else "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise GanzooError("precision fp16 needs a CUDA device; use --set precision=bf16 on CPU")
    return precision


def autocast_context(precision: str, device: torch.device):
    """bf16 autocast on CPU or CUDA, fp16 on CUDA only, or nothing for fp32 (``precision``
    as resolved by `resolve_precision`)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


def make_scaler(precision: str, device: torch.device):
    """A GradScaler for fp16 (whose small gradients would underflow), else a disabled one."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")
