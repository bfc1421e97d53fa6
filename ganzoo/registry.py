"""The zoo's catalog of pretrained models: ``registry.yaml`` and the files layered on top of it.

Layers, later ones overriding earlier ones entry by entry (by ``name``):

1. the shipped ``registry.yaml`` (inside the installed ``ganzoo`` package);
2. files contributed by plugins through the ``register_pretrained`` hook;
3. ``~/.config/ganzoo/registry.yaml`` (``$XDG_CONFIG_HOME`` honoured);
4. ``GANZOO_REGISTRY``, an ``os.pathsep``-separated list of YAML files, in order.

Schema (version 1)::

    schema: 1
    plugins:            # variant -> distribution that provides it (for "pip install" hints)
      cyclegan: ganzoo-cyclegan
    models:
      - name: cyclegan-photo-style     # what users type
        aliases: [cyclegan]            # other names for it
        variant: cyclegan
        task: image-to-image
        summary: one line
        weights:
          repo: org/name               # Hugging Face Hub repo id
          revision: <40-hex commit>    # pinned: never a branch
          file: model.safetensors
          sha256: <64-hex>
          config_sha256: <64-hex>      # pins config.json too: it decides what gets built
        config: {}                     # overrides applied on top of the repo's config.json
        license: apache-2.0
        dataset: ...
        recipe: ...                    # command that reproduces the weights
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .catalog import TASKS
from .errors import RegistryError, UnknownNameError

SCHEMA_VERSION = 1
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_ENTRY_FIELDS = {"name", "aliases", "variant", "task", "summary", "weights", "config", "license",
                 "dataset", "recipe", "metrics", "card"}
_WEIGHTS_FIELDS = {"repo", "revision", "file", "sha256", "config_sha256", "shipped", "size"}


@dataclass(frozen=True)
class Weights:
    """Where a model's files come from, pinned. ``shipped`` is ``package:relative/folder``."""

    sha256: str
    repo: str | None = None
    revision: str | None = None
    file: str = "model.safetensors"
    shipped: str | None = None
    size: int | None = None
    config_sha256: str | None = None


@dataclass(frozen=True)
class ModelEntry:
    name: str
    variant: str
    task: str
    weights: Weights
    source: str  # the registry file this entry came from
    aliases: tuple[str, ...] = ()
    summary: str = ""
    config: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    license: str | None = None
    dataset: str | None = None
    recipe: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Registry:
    models: dict[str, ModelEntry] = field(default_factory=dict)
    plugins: dict[str, str] = field(default_factory=dict)  # variant -> distribution
    files: list[str] = field(default_factory=list)
    #: (plugin, message) for each plugin registry file that was skipped.
    problems: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> ModelEntry:
        """Look up by name or alias."""
        if name in self.models:
            return self.models[name]
        for entry in self.models.values():
            if name in entry.aliases:
                return entry
        from .suggest import did_you_mean

        names = [n for e in self.models.values() for n in (e.name, *e.aliases)]
        raise UnknownNameError(f"no pretrained model named '{name}' in the registry"
                               f"{did_you_mean(name, names)}; run `ganzoo list` to see the "
                               f"names, or pass a local folder")

    def find(self, pattern: str | None = None) -> list[ModelEntry]:
        """Entries whose name or an alias matches the fnmatch pattern (all when None)."""
        entries = sorted(self.models.values(), key=lambda e: e.name)
        if not pattern:
            return entries
        return [e for e in entries
                if fnmatch.fnmatchcase(e.name, pattern)
                or any(fnmatch.fnmatchcase(a, pattern) for a in e.aliases)]


def shipped_registry_path() -> Path:
    return Path(str(resources.files("ganzoo") / "registry.yaml"))


def user_registry_paths() -> list[Path]:
    paths = []
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    user_file = config_home / "ganzoo" / "registry.yaml"
    if user_file.is_file():
        paths.append(user_file)
    for item in os.environ.get("GANZOO_REGISTRY", "").split(os.pathsep):
        if item.strip():
            path = Path(item.strip()).expanduser()
            if not path.is_file():
                raise RegistryError(f"GANZOO_REGISTRY names {path}, which is not a file; fix "
                                    f"or unset GANZOO_REGISTRY")
            paths.append(path)
    return paths


def load_registry(plugin_files: list[tuple[str, str]] | None = None, *,
                  on_error: Callable[[RegistryError], None] | None = None) -> Registry:
    """Build the merged registry from every layer (see the module docstring).

    A plugin's registry file that cannot be read or is invalid is skipped and recorded in
    ``registry.problems`` (one plugin must not break every command). The user's own files
    raise `RegistryError`, unless ``on_error`` is given: then they are reported to it and
    skipped too (``ganzoo list`` still lists everything else).
    """
    registry = Registry()
    merge_file(registry, shipped_registry_path())
    for path, plugin in plugin_files or []:
        try:
            merge_file(registry, Path(path))
        except RegistryError as exc:
            registry.problems.append((plugin, str(exc)))
    try:
        user_paths = user_registry_paths()
    except RegistryError as exc:
        if on_error is None:
            raise
        on_error(exc)
        user_paths = []
    for path in user_paths:
        try:
            merge_file(registry, path)
        except RegistryError as exc:
            if on_error is None:
                raise
            on_error(exc)
    return registry


def merge_file(registry: Registry, path: Path) -> None:
    """Add one file's entries; on any error the registry is left as it was."""
    models, plugins = parse_file(path)
    merged = dict(registry.models)
    for entry in models:
        merged[entry.name] = entry
    _check_aliases(Registry(models=merged))
    registry.models = merged
    registry.files.append(str(path))
    registry.plugins.update(plugins)


def _check_aliases(registry: Registry) -> None:
    owner: dict[str, str] = {}
    for entry in registry.models.values():
        for alias in entry.aliases:
            if alias in registry.models and alias != entry.name:
                # A full name beats an alias: drop nothing, but the alias never resolves.
                continue
            if alias in owner and owner[alias] != entry.name:
                other = registry.models[owner[alias]]
                raise RegistryError(
                    f"{entry.source}: entry '{entry.name}': alias '{alias}' is also an alias of "
                    f"'{other.name}' ({other.source}); remove it from one of them")
            owner[alias] = entry.name


def parse_file(path: Path) -> tuple[list[ModelEntry], dict[str, str]]:
    """Parse and validate one registry file; every problem names file, entry and field."""
    import yaml

    from .registry_yaml import read_registry_yaml

    try:
        data = read_registry_yaml(Path(path))
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read registry file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start}); save the registry "
                            f"file as UTF-8") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise RegistryError(f"{path}: a value cannot be read ({str(exc).splitlines()[0][:100]})"
                            f"; fix the file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RegistryError(f"{path}:{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {"schema": SCHEMA_VERSION}
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: top level must be a mapping with 'schema' and 'models'")
    if data.get("schema") != SCHEMA_VERSION:
        raise RegistryError(f"{path}: field 'schema': expected {SCHEMA_VERSION}, got "
                            f"{data.get('schema')!r}; this ganzoo reads schema {SCHEMA_VERSION}")
    unknown = set(data) - {"schema", "models", "plugins"}
    if unknown:
        raise RegistryError(f"{path}: unknown top-level field(s) {', '.join(sorted(unknown))}; "
                            f"allowed: schema, models, plugins")
    plugins = data.get("plugins") or {}
    if not isinstance(plugins, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in plugins.items()):
        raise RegistryError(f"{path}: field 'plugins' must map variant names to distributions")
    models_raw = data.get("models") or []
    if not isinstance(models_raw, list):
        raise RegistryError(f"{path}: field 'models' must be a list of entries")
    entries, seen = [], set()
    for index, raw in enumerate(models_raw):
        entry = _parse_entry(path, index, raw)
        if entry.name in seen:
            raise RegistryError(f"{path}: entry '{entry.name}' (models[{index}]) appears twice "
                                f"in this file; rename or remove one")
        seen.add(entry.name)
        entries.append(entry)
    return entries, dict(plugins)


def _parse_entry(path: Path, index: int, raw: Any) -> ModelEntry:
    label = f"models[{index}]"

    def fail(field_name: str, problem: str) -> RegistryError:
        return RegistryError(f"{path}: entry '{label}': field '{field_name}': {problem}")

    if not isinstance(raw, dict):
        raise RegistryError(f"{path}: entry '{label}': must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", "required; lower-case letters, digits, '.', '_' or '-'")
    label = name
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown field; allowed: {', '.join(sorted(_ENTRY_FIELDS))}")
    variant = raw.get("variant")
    if not isinstance(variant, str) or not variant:
        raise fail("variant", "required; the registered variant name, e.g. cyclegan")
    task = raw.get("task")
    if task not in TASKS:
        raise fail("task", f"must be one of {', '.join(TASKS)}")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and _NAME.match(a) for a in aliases):
        raise fail("aliases", "must be a list of lower-case names")
    weights = _parse_weights(raw.get("weights"), fail)
    for key in ("config", "metrics"):
        if not isinstance(raw.get(key) or {}, dict):
            raise fail(key, "must be a mapping")
    for key in ("summary", "license", "dataset", "recipe"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise fail(key, "must be a string")
    return ModelEntry(
        name=name, variant=variant, task=task, weights=weights, source=str(path),
        aliases=tuple(aliases), summary=raw.get("summary") or "", config=raw.get("config") or {},
        license=raw.get("license"), dataset=raw.get("dataset"), recipe=raw.get("recipe"),
        metrics=raw.get("metrics") or {},
    )


def _parse_weights(raw: Any, fail) -> Weights:
    if not isinstance(raw, dict):
        raise fail("weights", "required; a mapping with repo, revision, file, sha256")
    unknown = set(raw) - _WEIGHTS_FIELDS
    if unknown:
        raise fail(f"weights.{sorted(unknown)[0]}",
                   f"unknown field; allowed: {', '.join(sorted(_WEIGHTS_FIELDS))}")
    sha = raw.get("sha256")
    if not isinstance(sha, str) or not _HEX64.match(sha):
        raise fail("weights.sha256", "required; 64 lower-case hex characters")
    config_sha = raw.get("config_sha256")
    if config_sha is not None and (not isinstance(config_sha, str) or not _HEX64.match(config_sha)):
        raise fail("weights.config_sha256", "64 lower-case hex characters (sha256 of config.json)")
    repo, revision, shipped = raw.get("repo"), raw.get("revision"), raw.get("shipped")
    if repo is None and shipped is None:
        raise fail("weights", "needs 'repo' (+ 'revision') or 'shipped'")
    if repo is not None and (not isinstance(repo, str) or not _REPO.match(repo)):
        raise fail("weights.repo", "must be a Hub repo id 'org/name'")
    if repo is not None and (not isinstance(revision, str) or not _HEX40.match(revision)):
        raise fail("weights.revision", "required with 'repo'; a 40-hex commit id, not a branch")
    if shipped is not None and (not isinstance(shipped, str) or ":" not in shipped):
        raise fail("weights.shipped", "must be 'package:relative/folder'")
    file = raw.get("file", "model.safetensors")
    if not isinstance(file, str) or not file.endswith(".safetensors"):
        raise fail("weights.file", "must be a .safetensors file; pickles are never loaded "
                   "(convert them with `ganzoo convert`)")
    if not _is_plain_relative(file):
        raise fail("weights.file", f"{file!r} must be a plain file name inside the repo (no "
                   f"'..', no absolute path, no backslash)")
    if shipped is not None and not _is_plain_relative(shipped.partition(":")[2]):
        raise fail("weights.shipped", "the folder after ':' must stay inside the package (no "
                   "'..', no absolute path, no backslash)")
    size = raw.get("size")
    if size is not None and not isinstance(size, int):
        raise fail("weights.size", "must be an integer number of bytes")
    return Weights(sha256=sha, repo=repo, revision=revision, file=file, shipped=shipped, size=size,
                   config_sha256=config_sha)


def _is_plain_relative(name: str) -> bool:
    """A relative POSIX path with no ``..``/``.`` parts (so it cannot leave its folder)."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))
