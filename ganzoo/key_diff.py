"""How a set of weights differs from what a network expects, said in one readable line."""

from __future__ import annotations

from typing import Any, Mapping

#: Keys listed per kind of difference before "(+N more)".
SHOWN = 6


def describe_key_mismatch(expected: Mapping[str, tuple[int, ...]], found: Mapping[str, Any],
                          kinds: Mapping[str, str] | None = None) -> str:
    """``"missing: a, b; unexpected: c; mis-shaped: d (file (3,) vs model (4,))"``, or ``""``
    when every key is there with its shape. ``expected`` maps keys to shapes; ``found`` maps
    keys to tensors (anything with ``.shape``). With ``kinds`` (key → `dtype_kind` of the
    model's tensor) a stored tensor of another kind is listed as ``wrong dtype``: floats may
    differ in width (fp16 weights load into fp32 networks), but a float stored as an integer
    (or the reverse) is a relabelled or foreign file whose values would be garbage."""
    common = set(expected) & set(found)
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    misshaped = sorted(f"{k} (file {tuple(found[k].shape)} vs model {tuple(expected[k])})"
                       for k in common if tuple(found[k].shape) != tuple(expected[k]))
    mistyped = sorted(f"{k} (file {str(found[k].dtype).removeprefix('torch.')} vs model "
                      f"{kinds[k]})" for k in common
                      if kinds is not None and dtype_kind(found[k].dtype) != kinds[k])
    return "; ".join(f"{label}: {_shorten(keys)}" for label, keys in
                     (("missing", missing), ("unexpected", unexpected), ("mis-shaped", misshaped),
                      ("wrong dtype", mistyped)) if keys)


def dtype_kind(dtype: Any) -> str:
    """``float``, ``complex``, ``bool`` or ``integer``."""
    if dtype.is_floating_point:
        return "float"
    if dtype.is_complex:
        return "complex"
    return "bool" if str(dtype) == "torch.bool" else "integer"


def _shorten(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN])
    return shown + (f" (+{len(keys) - SHOWN} more)" if len(keys) > SHOWN else "")
