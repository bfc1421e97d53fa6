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


def load_dataset(spec: str, **options: Any):
    """Build the dataset named by ``spec``; ``options`` go to its factory (e.g. ``seed``)."""
    from ..plugins import get_catalog

    from ..errors import GanzooError, PluginError

    kind, arg = parse_data_spec(spec)
    registered = get_catalog().get("dataset", kind)
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
