"""Seeding and capturing every random number generator a run touches (python, numpy, torch,
CUDA), so a resumed run draws the same noise as an uninterrupted one."""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def capture_rng() -> dict[str, Any]:
    """RNG states as tensors and plain values (loadable with ``torch.load(weights_only=True)``)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["cached"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


@contextmanager
def side_stream(seed: int):
    """Run a block on freshly seeded RNGs, then give the training streams back untouched.

    For work that is not training (drawing the preview inputs, previews on rank 0): were it to
    draw from the training streams, a resumed run, which does it at another point of the
    stream, would continue with different noise than an uninterrupted one.
    """
    saved = capture_rng()
    seed_everything(seed)
    try:
        yield
    finally:
        restore_rng(saved)
