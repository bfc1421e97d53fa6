"""``--device`` text → a torch device, the same way for training, sampling and evaluation."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .errors import GanzooError

if TYPE_CHECKING:
    import torch


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` → this process's CUDA device (``LOCAL_RANK`` under torchrun) when CUDA is
    available, else the CPU; anything else must be a device torch knows and this machine has."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise GanzooError(f"device {name!r} is not a device; use cpu, cuda, cuda:N, mps or "
                          f"auto") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise GanzooError(f"device {name}: CUDA is not available here; use --device cpu")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise GanzooError(f"device {name}: MPS is not available here; use --device cpu")
    return device
