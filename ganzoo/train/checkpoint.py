"""Atomic training checkpoints: write to a temporary file in the same folder, then rename.

A crash mid-write leaves the previous checkpoint intact. Checkpoints are safetensors files whose
JSON header carries the non-tensor state (`ganzoo.train.state_file`): resuming never unpickles.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..atomic_file import write_atomic
from ..errors import GanzooError
from .state_file import RUN_ID_KEY, load_state, save_state

CHECKPOINT_DIR = "checkpoints"
LAST = "last.safetensors"


def checkpoint_path(folder: str | os.PathLike) -> Path:
    return Path(folder) / CHECKPOINT_DIR / LAST


def save_checkpoint(state: dict[str, Any], path: Path) -> Path:
    run_id = run_id_of(path.parent.parent)
    # write_atomic: a full disk leaves the previous checkpoint and no temp file behind
    return write_atomic(path, lambda temp: save_state(
        state, temp, metadata={RUN_ID_KEY: run_id} if run_id else None))


def run_id_of(folder: Path) -> str | None:
    """The ``run_id`` in ``folder/train.json`` (written by ``ganzoo train``), if any."""
    import json

    try:
        value = json.loads((folder / "train.json").read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def load_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise GanzooError(f"no checkpoint at {path}; start without --resume, or point --out at "
                          f"the folder of the run to continue")
    try:
        return load_state(path)
    except Exception as exc:
        raise GanzooError(f"checkpoint {path} cannot be read ({type(exc).__name__}: {exc}); "
                          f"delete it to start over") from exc
