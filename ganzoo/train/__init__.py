"""The training engine: one `Trainer` for every variant (see `ganzoo.train.trainer`)."""

from __future__ import annotations

from typing import Any

__all__ = ["Trainer", "TrainConfig", "TrainingDiverged"]

_LAZY = {"Trainer": "ganzoo.train.trainer", "TrainingDiverged": "ganzoo.train.trainer",
         "TrainConfig": "ganzoo.train.config"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ganzoo.train' has no attribute {name!r}")
