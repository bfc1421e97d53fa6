"""Training state (models, optimizers, RNG states, counters) as one safetensors file.

Checkpoints hold nested dicts/lists/tuples of tensors, numpy arrays and plain values. Tensors go
into the safetensors body; the structure and every other value go into its JSON header
(``__metadata__["ganzoo.state"]``), so reading a checkpoint never unpickles anything. Tuples,
non-string dict keys and numpy arrays are tagged so the structure comes back exactly as saved
(Python's and numpy's RNG states need their tuples back, optimizers their int keys).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

STATE_KEY = "ganzoo.state"
#: The run a checkpoint belongs to (``train.json``'s ``run_id``), so --resume can tell.
RUN_ID_KEY = "ganzoo.run_id"


def save_state(state: Any, path: str | os.PathLike,
               metadata: dict[str, str] | None = None) -> None:
    """Write ``state`` to ``path`` (not atomic by itself: callers rename a temporary file);
    ``metadata`` adds string entries to the header."""
    from safetensors.torch import save_file

    tensors: dict[str, torch.Tensor] = {}
    skeleton = _encode(state, tensors)
    save_file(tensors, str(path), metadata={**(metadata or {}), STATE_KEY: json.dumps(skeleton)})


def load_state(path: str | os.PathLike, device: str = "cpu") -> Any:
    """Read what `save_state` wrote."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt", device=device) as handle:
        metadata = handle.metadata() or {}
        if STATE_KEY not in metadata:
            raise ValueError(f"{Path(path).name} is not a ganzoo training state file")
        skeleton = json.loads(metadata[STATE_KEY])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    return _decode(skeleton, tensors)


def _encode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, torch.Tensor):
        key = str(len(tensors))
        # clone(): safetensors refuses tensors that share storage (tied or viewed weights).
        tensors[key] = obj.detach().cpu().contiguous().clone()
        return {"__tensor__": key}
    if isinstance(obj, np.ndarray):
        key = str(len(tensors))
        tensors[key] = torch.from_numpy(obj.astype(np.int64) if obj.dtype.kind in "iu"
                                        else np.ascontiguousarray(obj)).clone()
        return {"__ndarray__": key, "dtype": obj.dtype.str}
    if isinstance(obj, np.generic):
        return _encode(obj.item(), tensors)
    if isinstance(obj, dict):
        return {"__dict__": [[_encode(k, tensors), _encode(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, tensors) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, tensors) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in a training state file")


def _decode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__ndarray__" in obj:
        return tensors[obj["__ndarray__"]].numpy().astype(np.dtype(obj["dtype"]))
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors) for v in obj["__tuple__"])
    if "__dict__" in obj:
        return {_hashable(_decode(k, tensors)): _decode(v, tensors) for k, v in obj["__dict__"]}
    raise ValueError(f"unknown entry in training state file: {sorted(obj)}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
