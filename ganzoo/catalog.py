"""What plugins registered: variants, losses, datasets, metrics — as metadata plus lazy targets.

Nothing here imports torch or a plugin's model code; `Registered.load()` does, on demand.
"""

from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass, field
from typing import Any

from .errors import PluginError, UnknownNameError

TASKS = ("unconditional", "conditional", "image-to-image", "super-resolution", "toy")
#: Tasks whose models map images to images (``translate``); the others draw from noise.
IMAGE_TASKS = ("image-to-image", "super-resolution")
KINDS = ("variant", "loss", "dataset", "metric")


@dataclass(frozen=True)
class Registered:
    """One registered thing: a name users type and the import path that implements it."""

    kind: str
    name: str
    target: str
    plugin: str
    plugin_version: str
    summary: str = ""
    task: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def load(self) -> Any:
        """Import and return the target (class or callable)."""
        module_name, _, attr = self.target.partition(":")
        try:
            obj = importlib.import_module(module_name)
            for part in attr.split(".") if attr else ():
                obj = getattr(obj, part)
        except Exception as exc:  # a broken plugin must name itself, not crash with a bare trace
            raise PluginError(
                f"{self.kind} '{self.name}' from {self.plugin} {self.plugin_version} cannot be "
                f"imported ({self.target}: {type(exc).__name__}: {exc}); reinstall or upgrade "
                f"{self.plugin}"
            ) from exc
        return obj


@dataclass
class PluginInfo:
    """A plugin distribution as `ganzoo plugins` reports it."""

    name: str
    version: str
    module: str
    hooks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Catalog:
    """Everything the loaded plugins registered, by kind and name."""

    items: dict[str, dict[str, Registered]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    conflicts: dict[tuple[str, str], list[Registered]] = field(default_factory=dict)
    pretrained_files: list[tuple[str, str]] = field(default_factory=list)  # (path, plugin)
    plugins: list[PluginInfo] = field(default_factory=list)
    #: The pluggy manager holding every loaded plugin module (core registrations included).
    manager: Any = None
    #: Loaded plugins by pluggy registration name, in load order (those whose import failed are only in `plugins`).
    infos: dict[str, PluginInfo] = field(default_factory=dict)

    def add(self, item: Registered) -> str | None:
        """Add an item; on a name clash return the error text (both sides become unusable)."""
        key = (item.kind, item.name)
        if key in self.conflicts:
            self.conflicts[key].append(item)
            return self._conflict_message(key)
        existing = self.items[item.kind].get(item.name)
        if existing is None:
            self.items[item.kind][item.name] = item
            return None
        if existing.plugin == item.plugin:
            return f"{item.kind} '{item.name}' is registered twice by {item.plugin}"
        del self.items[item.kind][item.name]
        self.conflicts[key] = [existing, item]
        return self._conflict_message(key)

    def _conflict_message(self, key: tuple[str, str]) -> str:
        kind, name = key
        owners = " and ".join(f"{r.plugin} {r.plugin_version}" for r in self.conflicts[key])
        return (
            f"{kind} '{name}' is registered by both {owners}; uninstall one of them "
            f"(pip uninstall ...) or choose plugins with GANZOO_LOAD_PLUGINS"
        )

    def get(self, kind: str, name: str) -> Registered:
        """Look up by exact name; unknown or conflicting names raise a one-line error."""
        if (kind, name) in self.conflicts:
            raise PluginError(self._conflict_message((kind, name)))
        try:
            return self.items[kind][name]
        except KeyError:
            from .suggest import did_you_mean

            known = ", ".join(sorted(self.items[kind])) or "none installed"
            listing = "ganzoo list --datasets" if kind == "dataset" else "ganzoo list"
            raise UnknownNameError(
                f"unknown {kind} '{name}'{did_you_mean(name, self.items[kind])} (known: "
                f"{known}); run `{listing}` or install the plugin that provides it"
            ) from None

    def find(self, kind: str, pattern: str | None = None) -> list[Registered]:
        """Items of one kind whose name matches an fnmatch pattern (all when None), by name."""
        names = sorted(self.items[kind])
        if pattern:
            names = fnmatch.filter(names, pattern)
        return [self.items[kind][n] for n in names]
