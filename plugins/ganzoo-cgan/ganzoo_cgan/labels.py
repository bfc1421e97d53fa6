"""Turn what a user passes as ``label=`` (int, name, list, tensor) into a checked label tensor."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from ganzoo.errors import GanzooError


def resolve_labels(label: Any, n: int, num_classes: int,
                   class_names: Sequence[str] = ()) -> Tensor:
    """Labels for ``n`` samples as a long tensor ``(n,)``.

    ``None`` cycles through every class (0, 1, ..., K-1, 0, ...); a single int or class name is
    repeated; a list/tensor gives one label per sample (length ``n``, or 1 to repeat).
    Labels outside ``0..num_classes-1`` raise a one-line `GanzooError`.
    """
    if label is None:
        return torch.arange(n) % num_classes
    if isinstance(label, Tensor):
        values = label.detach().cpu().reshape(-1).tolist()
    elif hasattr(label, "reshape") and hasattr(label, "tolist"):  # numpy arrays and scalars
        values = label.reshape(-1).tolist()
    elif isinstance(label, str) or not isinstance(label, Sequence):
        values = [label]
    else:
        values = list(label)
    values = [_one_label(v, num_classes, class_names) for v in values]
    if len(values) == 1:
        values = values * n
    if len(values) != n:
        raise GanzooError(f"got {len(values)} labels for {n} samples; pass one label, or one per "
                          f"sample")
    return torch.tensor(values, dtype=torch.long)


def _one_label(value: Any, num_classes: int, class_names: Sequence[str]) -> int:
    if isinstance(value, str):
        if value in class_names:
            return list(class_names).index(value)
        if not value.strip().lstrip("-").isdigit():
            known = f" or one of {', '.join(class_names)}" if class_names else ""
            raise GanzooError(f"label {value!r} is not a class of this model; pass an index "
                              f"0-{num_classes - 1}{known}")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise GanzooError(f"label {value!r} must be an integer class index 0-{num_classes - 1}")
    value = int(value)
    if not 0 <= value < num_classes:
        raise GanzooError(f"label {value} is outside the trained classes 0-{num_classes - 1}; "
                          f"pass --cond label=K with K between 0 and {num_classes - 1}")
    return value
