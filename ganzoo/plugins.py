"""Plugin loading: entry points in the group ``ganzoo``, through pluggy, with failures isolated.

A plugin that fails to import, or raises inside a hook, is recorded (``ganzoo plugins`` shows
it) and reported as one warning line; every other plugin keeps working. Set
``GANZOO_STRICT_PLUGINS=1`` to turn those failures into errors (for plugin authors' CI).
``GANZOO_LOAD_PLUGINS`` is a comma-separated list of distribution names to load; an empty value
loads none. Core registrations (built-in losses, datasets, metrics) load regardless.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib import metadata
from pathlib import Path

import pluggy

from . import hookspecs
from .catalog import TASKS, Catalog, PluginInfo, Registered
from .errors import PluginError

ENTRY_POINT_GROUP = "ganzoo"
# The core's pip distribution. Not "ganzoo": that name on PyPI is an unrelated 2018 package.
CORE_DISTRIBUTION = "ganzoo-core"
#: Registration hooks run while the catalog is built (`register_commands` runs when the CLI starts).
HOOKS = (
    "register_variants",
    "register_losses",
    "register_datasets",
    "register_metrics",
    "register_pretrained",
)
_KIND_OF_HOOK = {
    "register_variants": "variant",
    "register_losses": "loss",
    "register_datasets": "dataset",
    "register_metrics": "metric",
}
CORE_MODULES = ("ganzoo.builtins",)

_catalog: Catalog | None = None
_warned = False


def strict_mode() -> bool:
    return os.environ.get("GANZOO_STRICT_PLUGINS", "").lower() in ("1", "true", "yes")


def _selected() -> set[str] | None:
    """Distribution names chosen by GANZOO_LOAD_PLUGINS, or None for all."""
    raw = os.environ.get("GANZOO_LOAD_PLUGINS")
    if raw is None:
        return None
    return {_normalise(n) for n in raw.split(",") if n.strip()}


def _normalise(dist_name: str) -> str:
    return dist_name.strip().lower().replace("_", "-").replace(".", "-")


def _entry_points() -> list[metadata.EntryPoint]:
    eps = metadata.entry_points(group=ENTRY_POINT_GROUP)
    # One entry per distribution+name: an editable install can list the same dist twice.
    unique = {(ep.dist.name if ep.dist else "", ep.name): ep for ep in eps}
    return [unique[k] for k in sorted(unique)]


def build_catalog(entry_points: list[metadata.EntryPoint] | None = None) -> Catalog:
    """Load core registrations and plugins into a pluggy manager, call every hook, collect
    the results.

    Hooks go through pluggy (its hookspecs validate every implementation's signature), one
    implementation at a time (`call_hook`), so a plugin that raises is recorded against that
    plugin alone and the others' registrations still land.
    """
    manager = pluggy.PluginManager("ganzoo")
    manager.add_hookspecs(hookspecs)
    catalog = Catalog(manager=manager)

    from . import __version__

    for module_name in CORE_MODULES:
        _register(manager, catalog, PluginInfo(CORE_DISTRIBUTION, __version__, module_name),
                  importlib.import_module(module_name), module_name)

    selected = _selected()
    for ep in entry_points if entry_points is not None else _entry_points():
        dist = ep.dist.name if ep.dist else ep.name
        version = ep.dist.version if ep.dist else "?"
        if selected is not None and _normalise(dist) not in selected:
            continue
        info = PluginInfo(dist, version, ep.value)
        try:
            module = ep.load()
        except Exception as exc:
            info.errors.append(f"import failed: {type(exc).__name__}: {exc}")
            catalog.plugins.append(info)
            continue
        _register(manager, catalog, info, module, f"{dist}:{ep.name}")

    for hook in HOOKS:
        if hook == "register_pretrained":
            call_hook(catalog, hook, lambda info: {
                "register": _pretrained_registrar(catalog, info)})
        else:
            call_hook(catalog, hook, lambda info, _h=hook: {
                "register": _registrar(catalog, info, _KIND_OF_HOOK[_h])})
    return catalog


def _register(manager: pluggy.PluginManager, catalog: Catalog, info: PluginInfo,
              module: object, name: str) -> None:
    """Add one plugin module to the manager; a module pluggy refuses (a hook with a wrong
    signature, an unknown hook) is recorded as that plugin's error."""
    catalog.plugins.append(info)
    try:
        manager.register(module, name=name)
    except Exception as exc:
        info.errors.append(f"not a valid plugin: {type(exc).__name__}: {exc}")
        return
    catalog.infos[name] = info
    info.hooks.extend(hook for hook in (*HOOKS, "register_commands")
                      if any(impl.plugin_name == name
                             for impl in getattr(manager.hook, hook).get_hookimpls()))


def call_hook(catalog: Catalog, hook: str, arguments) -> None:
    """Call ``hook`` on every plugin implementing it, in registration order, each with
    ``arguments(info)``; a plugin's exception is recorded in its `PluginInfo.errors` (and shown
    by ``ganzoo plugins``) instead of stopping the others."""
    caller = getattr(catalog.manager.hook, hook)
    order = {name: index for index, name in enumerate(catalog.infos)}
    for impl in sorted(caller.get_hookimpls(), key=lambda i: order.get(i.plugin_name, 0)):
        info = catalog.infos[impl.plugin_name]
        try:
            impl.function(**arguments(info))
        except Exception as exc:
            message = f"{hook} failed: {type(exc).__name__}: {exc}"
            info.errors.append(message)
            if hook == "register_commands":  # the CLI is already running: say it now
                print(f"ganzoo: warning: plugin {info.name}: {message}", file=sys.stderr)


def _pretrained_registrar(catalog: Catalog, info: PluginInfo):
    """``register(path)`` for `register_pretrained`: the file is checked now, so a missing or
    invalid one is this plugin's error (shown by ``ganzoo plugins``), never every command's."""
    from .errors import RegistryError
    from .registry import parse_file

    def register(path) -> None:
        try:
            parse_file(Path(path))
        except RegistryError as exc:
            info.errors.append(f"register_pretrained: {exc}")
            return
        except TypeError:
            info.errors.append(f"register_pretrained: register() needs a file path, got "
                               f"{path!r}")
            return
        catalog.pretrained_files.append((str(path), info.name))

    return register


def _registrar(catalog: Catalog, info: PluginInfo, kind: str):
    def register(name: str, target: str, *, summary: str = "", task: str | None = None,
                 **metadata_: object) -> None:
        if not isinstance(name, str) or not name or name != name.strip():
            raise ValueError(f"{kind} name must be a non-empty string, got {name!r}")
        if not isinstance(target, str) or ":" not in target:
            raise ValueError(
                f"{kind} '{name}': target must be a lazy import path 'module:attr', got {target!r}"
            )
        if kind == "variant" and task not in TASKS:
            raise ValueError(f"variant '{name}': task must be one of {', '.join(TASKS)}, got {task!r}")
        item = Registered(kind, name, target, info.name, info.version, summary, task,
                          dict(metadata_))
        error = catalog.add(item)
        if error:
            info.errors.append(error)
            for other in catalog.conflicts.get((kind, name), []):
                owner = next((p for p in catalog.plugins if p.name == other.plugin), None)
                if owner is not None and owner is not info and error not in owner.errors:
                    owner.errors.append(error)

    return register


def get_catalog() -> Catalog:
    """The process-wide catalog, built on first use. Reports plugin failures once."""
    global _catalog
    if _catalog is None:
        _catalog = build_catalog()
        _report(_catalog)
    return _catalog


def reset() -> None:
    """Forget the catalog (tests, or after installing a plugin in-process)."""
    global _catalog, _warned
    _catalog = None
    _warned = False


def _report(catalog: Catalog) -> None:
    global _warned
    failed = [p for p in catalog.plugins if p.errors]
    if not failed:
        return
    if strict_mode():
        p = failed[0]
        raise PluginError(f"plugin {p.name} {p.version}: {p.errors[0]} (GANZOO_STRICT_PLUGINS is set)")
    if not _warned:
        _warned = True
        names = ", ".join(f"{p.name} ({p.errors[0]})" for p in failed)
        print(f"ganzoo: warning: plugin problems: {names}; see `ganzoo plugins`",
              file=sys.stderr)
