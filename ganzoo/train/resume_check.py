"""What ``--resume`` checks before it touches anything in the run folder.

A run folder can hold a checkpoint copied from another run, a hand-edited step count, a state
file missing keys, or a damaged ``train.json``. Each is refused in one line that names the fix,
before the trainer rewrites ``metrics.jsonl`` or overwrites ``model.safetensors``. Only the
checkpoint's JSON header and its tensors' shapes are read here, never the tensors themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import GanzooError
from .state_file import RUN_ID_KEY, STATE_KEY

#: What every checkpoint the Trainer writes holds (``ema`` may be null).
REQUIRED_STATE = ("step", "model", "optimizers", "scaler", "data", "rng", "history")
_SETTINGS_KEYS = {"variant": str, "data": str, "recipe": dict, "explicit": dict}


def read_run_settings(path: Path) -> dict[str, Any]:
    """The settings ``train.json`` saved for a run, checked."""
    fix = f"restore {path.name} from a backup, or start a new run with --force"
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GanzooError(f"{path.parent} holds no run to resume ({path.name} missing); start a "
                          f"new run without --resume") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise GanzooError(f"{path} is damaged ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}); {fix}") from None
    if not isinstance(settings, dict):
        raise GanzooError(f"{path} must hold a JSON object; {fix}")
    for key, kind in _SETTINGS_KEYS.items():
        if not isinstance(settings.get(key), kind):
            raise GanzooError(f"{path}: '{key}' is missing or not a {kind.__name__}; {fix}")
    return settings


def check_checkpoint(path: Path, model, *, run_id: str | None, steps: int) -> None:
    """Refuse a checkpoint that cannot continue this run; raises a one-line `GanzooError`."""
    from safetensors import safe_open

    folder = path.parent.parent
    fix = (f"nothing was changed; point --out at the run it belongs to, or start over with "
           f"--force (which replaces {folder}'s run)")
    if not path.is_file():
        raise GanzooError(f"no checkpoint at {path}; {fix}")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            skeleton = json.loads(metadata[STATE_KEY])
            shapes = {key: tuple(handle.get_slice(key).get_shape()) for key in handle.keys()}
    except Exception as exc:  # truncated, not safetensors, not a training state
        raise GanzooError(f"checkpoint {path} cannot be read ({type(exc).__name__}); it is "
                          f"damaged or not a ganzoo checkpoint; {fix}") from None
    if run_id is not None and metadata.get(RUN_ID_KEY) != run_id:
        raise GanzooError(f"checkpoint {path} belongs to another run than {folder}/train.json "
                          f"(run id {metadata.get(RUN_ID_KEY)!r}, expected {run_id!r}); {fix}")
    state = _top_level(skeleton)
    if state is None:
        raise GanzooError(f"checkpoint {path} is not a training state; {fix}")
    missing = [key for key in REQUIRED_STATE if key not in state]
    if missing:
        raise GanzooError(f"checkpoint {path} lacks {', '.join(missing)}; {fix}")
    step = state["step"]
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= steps:
        raise GanzooError(f"checkpoint {path} says step {step!r}, outside 0..{steps} (--steps); "
                          f"pass --steps of at least its step if it is genuine; {fix}")
    history = state["history"]
    if not isinstance(history, list) or any(
            not isinstance(row, dict) or not isinstance(_top_level(row), dict)
            or not isinstance(_top_level(row).get("step"), int)
            or _top_level(row)["step"] > step for row in history):
        raise GanzooError(f"checkpoint {path}: its loss history does not end at or before step "
                          f"{step}; {fix}")
    _check_model_tensors(path, state["model"], shapes, model, fix)


def _top_level(encoded: Any) -> dict[str, Any] | None:
    """A dict encoded by `ganzoo.train.state_file`, one level decoded (values stay encoded)."""
    if not isinstance(encoded, dict) or not isinstance(encoded.get("__dict__"), list):
        return None
    out = {}
    for pair in encoded["__dict__"]:
        if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str):
            out[pair[0]] = pair[1]
    return out


def _check_model_tensors(path, encoded_model, shapes, model, fix: str) -> None:
    saved = _top_level(encoded_model)
    if saved is None:
        raise GanzooError(f"checkpoint {path}: 'model' is not a state dict; {fix}")
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {}
    for key, value in saved.items():
        ref = value.get("__tensor__") if isinstance(value, dict) else None
        found[key] = shapes.get(ref) if isinstance(ref, str) else None
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    # Parameters have the shape the config builds; buffers may grow as training runs (an image
    # pool fills up), so only parameters are held to the fresh model's shapes.
    parameters = {name for name, _ in model.named_parameters()}
    misshaped = sorted(k for k in set(expected) & set(found) & parameters
                       if found[k] != expected[k])
    if missing or unexpected or misshaped:
        parts = [f"{label} {', '.join(keys[:3])}{' …' if len(keys) > 3 else ''}"
                 for label, keys in (("missing", missing), ("unexpected", unexpected),
                                     ("mis-shaped", misshaped)) if keys]
        raise GanzooError(f"checkpoint {path} does not fit this run's model ({'; '.join(parts)}); "
                          f"{fix}")
