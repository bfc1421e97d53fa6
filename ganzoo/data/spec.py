"""``--data KIND[:ARG]`` → a dataset, through the plugin catalog."""

from __future__ import annotations

from typing import Any

from ..errors import GanzooError


def parse_data_spec(spec: str) -> tuple[str, str | None]:
    """``"folder:/data/cats"`` → ``("folder", "/data/cats")``; ``"grid25"`` → ``("grid25", None)``."""
    if not isinstance(spec, str) or not spec.strip():
        raise GanzooError("--data needs a dataset, e.g. --data grid25 or --data folder:PATH "
                          "(see `ganzoo plugins` for installed datasets)")
    kind, sep, arg = spec.strip().partition(":")
    if not kind:
        raise GanzooError(f"--data {spec!r}: missing dataset kind before ':' (e.g. folder:PATH)")
    return kind, (arg if sep else None)


def registered_dataset(spec: str):
    """The catalog entry of ``spec``'s kind. A bare path gets "give a kind before it"; a
    mistyped kind gets "did you mean"."""
    from pathlib import Path

    from ..plugins import get_catalog

    kind, _ = parse_data_spec(spec)
    catalog = get_catalog()
    if kind not in catalog.items["dataset"] and Path(spec).expanduser().exists():
        raise GanzooError(f"--data {spec}: put the data kind before the path, e.g. --data "
                          f"folder:{spec} (images, resized) or --data images:{spec} (read the "
                          f"way the variant trains on photos); `ganzoo list --datasets` shows "
                          f"every kind and its layout")
    return catalog.get("dataset", kind)


def load_dataset(spec: str, **options: Any):
    """Build the dataset named by ``spec``; ``options`` go to its factory (e.g. ``seed``)."""
    from ..errors import PluginError

    kind, arg = parse_data_spec(spec)
    registered = registered_dataset(spec)
    factory = registered.load()
    try:
        return factory(arg, **options)
    except GanzooError:
        raise
    except Exception as exc:  # a plugin's dataset failing at use names the plugin, in one line
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise PluginError(f"dataset '{kind}' from {registered.plugin} "
                          f"{registered.plugin_version} failed ({type(exc).__name__}: {detail}); "
                          f"check --data, or report it to the plugin's authors") from None
