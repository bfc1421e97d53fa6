"""ganzoo: a plugin-based GAN zoo.

Importing ``ganzoo`` is cheap (no torch): torch-backed names are imported on first use.
"""

from __future__ import annotations

from typing import Any

from .hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl", "list_models", "list_variants", "load"]

_LAZY = {
    "Generator": "ganzoo.interfaces",
    "Discriminator": "ganzoo.interfaces",
    "Loss": "ganzoo.interfaces",
    "GANModel": "ganzoo.interfaces",
    "StepOutput": "ganzoo.interfaces",
    "TrainingStep": "ganzoo.interfaces",
    "Trainer": "ganzoo.train",
    "TrainConfig": "ganzoo.train",
}


def list_variants(pattern: str | None = None) -> list[str]:
    """Names of installed variants matching an fnmatch pattern. No torch import."""
    from .plugins import get_catalog

    return [r.name for r in get_catalog().find("variant", pattern)]


def list_models(pattern: str | None = None, pretrained: bool = False) -> list[str]:
    """Names of pretrained registry models (and, unless ``pretrained``, variants) matching
    an fnmatch pattern, sorted. No torch import."""
    from .plugins import get_catalog
    from .registry import load_registry

    catalog = get_catalog()
    names = {e.name for e in load_registry(catalog.pretrained_files).find(pattern)}
    if not pretrained:
        names |= set(list_variants(pattern))
    return sorted(names)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")


def load(source: str, device: str | None = None, **options: Any):
    """Load a model from a registry name/alias, ``hf://org/name[@rev]`` or a local folder.

    Returns the variant's `GANModel` in eval mode, with ``sample``/``translate``.
    """
    from .loading import load as _load

    return _load(source, device=device, **options)
