"""Conditioning keys a variant declares: what ``ganzoo sample NAME --cond KEY=VALUE`` accepts.

A variant lists its keys in `ganzoo.GANModel.conditioning`; the CLI parses and checks each
``--cond`` against that list before the model runs, passes the values to ``sample()`` (noise
models) or ``translate()`` (image models) as keyword arguments, and ``ganzoo info`` shows them.
The model still checks values that depend on its weights (e.g. a class index against its
number of classes). No torch here: declarations are read while listing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import GanzooError

#: How a ``--cond`` text becomes a value.
TYPES = ("int", "float", "floats", "str", "choice", "int-or-name")


@dataclass(frozen=True)
class ConditionKey:
    """One conditioning keyword of ``sample()``/``translate()``.

    Args:
        name: the keyword, e.g. ``"label"``.
        type: ``int``, ``float``, ``str``, ``floats`` (comma-separated numbers, a list),
            ``choice`` (one of ``choices``) or ``int-or-name`` (an index, or a name the model
            resolves, like a class name).
        help: one line for ``ganzoo info`` and error messages.
        choices: the allowed values of a ``choice`` key.
        minimum, maximum: inclusive bounds for ``int``/``float``/``floats`` values.
    """

    name: str
    type: str
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"conditioning key {self.name!r}: type must be one of "
                             f"{', '.join(TYPES)}, got {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"conditioning key {self.name!r}: a choice key needs choices")

    def describe(self) -> str:
        """``label (int-or-name): class index or name``, with choices or range."""
        return f"{self.signature()}: {self.help}"

    def signature(self) -> str:
        """``turn (float) [-360..360]``: the name, its type and its choices or range."""
        detail = ""
        if self.choices:
            detail = f" [{'|'.join(self.choices)}]"
        elif self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            detail = f" [{low}..{high}]"
        return f"{self.name} ({self.type}){detail}"

    def parse(self, text: str) -> Any:
        """The value of ``--cond name=text``; a one-line `GanzooError` when it does not fit."""
        where = f"--cond {self.name}={text}"
        if self.type == "choice":
            if text not in self.choices:
                raise GanzooError(f"{where}: choose one of {', '.join(self.choices)}")
            return text
        if self.type == "str":
            return text
        if self.type == "int-or-name":
            return int(text) if text.lstrip("-").isdigit() else text
        if self.type == "floats":
            parts = [p for p in text.split(",") if p.strip()]
            values = [self._number(float, p, where) for p in parts]
            if not values:
                raise GanzooError(f"{where}: give numbers separated by commas, e.g. 0.5,-1")
            return values
        return self._number(int if self.type == "int" else float, text, where)

    def _number(self, kind: type, text: str, where: str) -> float:
        try:
            value = kind(text.strip())
        except ValueError:
            example = "3" if kind is int else "0.5"
            raise GanzooError(f"{where}: expected {'an integer' if kind is int else 'a number'}"
                              f", e.g. {self.name}={example}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise GanzooError(f"{where}: the value must be finite")
        if (self.minimum is not None and value < self.minimum) or \
                (self.maximum is not None and value > self.maximum):
            raise GanzooError(f"{where}: out of range; {self.describe()}")
        return value


def parse_conditioning(keys: tuple[ConditionKey, ...], pairs: tuple[str, ...] | list[str],
                       model_name: str) -> dict[str, Any]:
    """``["label=3", "direction=BtoA"]`` → ``{"label": 3, "direction": "BtoA"}``, checked
    against the declared ``keys``."""
    declared = {key.name: key for key in keys}
    valid = "; ".join(key.describe() for key in keys) if keys else "none"
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise GanzooError(f"--cond {pair!r}: write KEY=VALUE, e.g. --cond "
                              f"{keys[0].name if keys else 'label'}=3")
        if name not in declared:
            raise GanzooError(f"--cond {name}: {model_name} takes no such conditioning key; "
                              f"valid keys: {valid} (see `ganzoo info {model_name}`)")
        if name in values:
            raise GanzooError(f"--cond {name} given twice; pass each key once")
        values[name] = declared[name].parse(text.strip())
    return values
