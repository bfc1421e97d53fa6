"""Variant configs are dataclasses; this turns them to and from plain dicts and ``--set`` text.

``--set key=value`` values are parsed as YAML scalars/lists (``lr=1e-4``, ``betas=[0.5,0.9]``,
``norm=instance``) and checked against the dataclass field's type, so a typo fails with the list
of valid keys instead of being ignored.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from .errors import GanzooError


def parse_set_options(items: typing.Iterable[str]) -> dict[str, Any]:
    """``["lr=1e-4", "betas=[0.5, 0.9]"]`` → ``{"lr": 1e-4, "betas": [0.5, 0.9]}``."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise GanzooError(f"--set expects key=value, got {item!r} (e.g. --set lr=1e-4)")
        try:
            out[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            out[key.strip()] = text
    return out


def build_config(config_cls: type, values: dict[str, Any] | None = None, *, where: str = "config"):
    """Make ``config_cls(**values)``, coercing and checking each value against its field type."""
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        from .suggest import did_you_mean

        hint = did_you_mean(unknown[0], fields) if len(unknown) == 1 else ""
        raise GanzooError(f"{where}: unknown key(s) {', '.join(unknown)}{hint} for "
                          f"{config_cls.__name__}; valid keys: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(config_cls)
    coerced = {}
    for key, value in values.items():
        try:
            coerced[key] = _coerce(value, hints.get(key, Any), f"{where}.{key}")
        except GanzooError as exc:
            raise GanzooError(f"{exc}{_example(key, fields[key].default, hints.get(key), where)}"
                              ) from None
    for key, value in coerced.items():
        default = fields[key].default
        # A count or size (an int setting whose default is not negative) cannot be negative.
        if (isinstance(value, int) and not isinstance(value, bool) and value < 0
                and isinstance(default, int) and not isinstance(default, bool) and default >= 0):
            raise GanzooError(f"{where}.{key}: must not be negative, got {value}")
    return config_cls(**coerced)


#: No setting is a count or size beyond this; bigger ones would only exhaust memory.
_INT_LIMIT = 2**31 - 1


#: A value of each scalar type, for settings whose default (None: automatic) shows none.
_TYPE_EXAMPLES = {int: "2", float: "0.5", bool: "true"}


def _example(key: str, default: Any, hint: Any, where: str) -> str:
    """How to write ``key`` correctly: its default (or a value of its type where the default
    is None), in the syntax of ``where``."""
    whose = "its default"
    if default is None:  # automatic unless set: show a value of the field's other type
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        text = _TYPE_EXAMPLES.get(kinds[0]) if len(kinds) == 1 else None
        whose = "or leave it unset"
    elif isinstance(default, bool):
        text = str(default).lower()
    elif isinstance(default, tuple):
        text = f"[{','.join(map(str, default))}]"
    elif isinstance(default, (int, float, str)):
        text = str(default)
    else:
        text = None
    if text is None:
        return ""
    return (f" (e.g. --set {key}={text}, {whose})" if where == "--set" else
            f" (e.g. {key}: {text}, {whose})")


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else \
        f"an integer of {len(str(abs(value)))} digits"
    return text if len(text) <= 80 else text[:77] + "..."


def config_to_dict(config: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(config).items()}


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except GanzooError as exc:
                errors.append(str(exc))
        raise GanzooError(errors[0] if errors else f"{where}: invalid value {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise GanzooError(f"{where}: must be one of {', '.join(map(str, args))}, got {value!r}")
        return value
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise GanzooError(f"{where}: expected a list like [1, 2], got {value!r}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise GanzooError(f"{where}: expected {len(args)} values, got {len(value)}")
            return tuple(_coerce(v, a, where) for v, a in zip(value, args))
        inner = args[0] if args else Any
        return origin(_coerce(v, inner, where) for v in value)
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise GanzooError(f"{where}: expected a mapping, got {value!r}")
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise GanzooError(f"{where}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > _INT_LIMIT:
                raise GanzooError(f"{where}: {_short(value)} is out of range (at most "
                                  f"{_INT_LIMIT:,} in magnitude)")
            return value
        raise GanzooError(f"{where}: expected an integer, got {_short(value)}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise GanzooError(f"{where}: expected a number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise GanzooError(f"{where}: expected text, got {value!r}")
    return value
