"""How a set of weights differs from what a network expects, said in one readable line."""

from __future__ import annotations

from typing import Any, Mapping

#: Keys listed per kind of difference before "(+N more)".
SHOWN = 6


def describe_key_mismatch(expected: Mapping[str, tuple[int, ...]],
                          found: Mapping[str, Any]) -> str:
    """``"missing: a, b; unexpected: c; mis-shaped: d (file (3,) vs model (4,))"``, or ``""``
    when every key is there with its shape. ``expected`` maps keys to shapes; ``found`` maps
    keys to tensors (anything with ``.shape``)."""
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    misshaped = sorted(f"{k} (file {tuple(found[k].shape)} vs model {tuple(expected[k])})"
                       for k in set(expected) & set(found)
                       if tuple(found[k].shape) != tuple(expected[k]))
    return "; ".join(f"{label}: {_shorten(keys)}" for label, keys in
                     (("missing", missing), ("unexpected", unexpected), ("mis-shaped", misshaped))
                     if keys)


def _shorten(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN])
    return shown + (f" (+{len(keys) - SHOWN} more)" if len(keys) > SHOWN else "")
