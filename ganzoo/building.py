"""Build a variant's model from its registered name and config values.

The one place that turns ``"cyclegan"`` + ``{"netG": "resnet_9blocks"}`` into a `GANModel`:
training, loading, converting and the conformance kit all go through `build_model`.
"""

from __future__ import annotations

from typing import Any

from .catalog import Registered
from .config import build_config
from .errors import GanzooError, PluginError


def variant_class(name: str) -> tuple[Registered, type]:
    """The registration and the imported `GANModel` subclass of variant ``name``."""
    from .interfaces import GANModel
    from .plugins import get_catalog

    registered = get_catalog().get("variant", name)
    cls = registered.load()
    if not (isinstance(cls, type) and issubclass(cls, GANModel)):
        raise PluginError(f"variant '{name}' from {registered.plugin}: {registered.target} is "
                          f"not a ganzoo.GANModel subclass; fix the plugin's registration")
    return registered, cls


def build_model(name: str, values: dict[str, Any] | None = None, *, where: str = "config"):
    """Instantiate variant ``name`` with its Config built from ``values`` (checked, coerced).

    The model gets ``model.variant`` (the registration), so saving knows its name and plugin.
    """
    registered, cls = variant_class(name)
    config = build_config(cls.Config, values, where=where)
    try:
        model = cls(config)
    except GanzooError:
        raise
    except (ValueError, TypeError, RuntimeError, MemoryError, OverflowError,
            ZeroDivisionError) as exc:  # the values make no network this variant can build
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise GanzooError(f"{where}: variant '{name}' cannot be built from these values "
                          f"({type(exc).__name__}: {detail}); see the settings and their "
                          f"defaults: ganzoo info --variant {name} --settings") from None
    empty = [key for key, tensor in model.named_parameters() if tensor.numel() == 0]
    if empty:
        raise GanzooError(f"{where}: these values give variant '{name}' empty weights "
                          f"({', '.join(empty[:3])}): a size or count setting is 0; see "
                          f"ganzoo info --variant {name} --settings")
    model.variant = registered
    return model
