"""Atomic training checkpoints: write to a temporary file in the same folder, then rename.

A crash mid-write leaves the previous checkpoint intact. Checkpoints hold only tensors and plain
values, and are read back with ``torch.load(weights_only=True)`` (no pickled code runs).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ..errors import GanzooError

CHECKPOINT_DIR = "checkpoints"
LAST = "last.pt"


def checkpoint_path(folder: str | os.PathLike) -> Path:
    return Path(folder) / CHECKPOINT_DIR / LAST


def save_checkpoint(state: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def load_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise GanzooError(f"no checkpoint at {path}; start without --resume, or point --out at "
                          f"the folder of the run to continue")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise GanzooError(f"checkpoint {path} cannot be read ({type(exc).__name__}: {exc}); "
                          f"delete it to start over") from exc
