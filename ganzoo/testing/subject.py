"""The variant under test and the error a failed check raises.

A check receives a `Subject`: the registration, the imported class, and a way to build a tiny
model. Variants keep the kit fast by declaring ``test_config``, a ClassVar dict of Config
overrides (small widths, small images) used only by the kit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import GanzooError


class ConformanceError(GanzooError, AssertionError):
    """A variant broke the plugin contract; the message names plugin, variant, check and fix.

    It is an `AssertionError` too, so pytest reports it as a test failure, not an error.
    """


@dataclass
class Subject:
    """One installed variant as the conformance checks see it.

    Args:
        name: the registered variant name.
        registered: its `ganzoo.catalog.Registered` entry.
        cls: the imported `ganzoo.GANModel` subclass.
        overrides: Config values for a tiny model (the class's ``test_config``).
    """

    name: str
    registered: Any
    cls: type
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, name: str) -> "Subject":
        from ..building import variant_class

        registered, variant_cls = variant_class(name)
        overrides = variant_cls.test_config
        if not isinstance(overrides, dict):
            raise ConformanceError(
                f"{registered.plugin} {registered.plugin_version}: variant '{name}': "
                f"test_config must be a dict of Config overrides, got {type(overrides).__name__}")
        return cls(name, registered, variant_cls, dict(overrides))

    @property
    def task(self) -> str:
        return self.registered.task

    def build(self, seed: int = 0):
        """A fresh tiny model, its weights drawn from ``seed`` (train mode, on CPU)."""
        import torch

        from ..building import build_model

        torch.manual_seed(seed)
        return build_model(self.name, self.overrides, where=f"{self.cls.__name__}.test_config")

    def fail(self, check: str, problem: str, fix: str) -> ConformanceError:
        r = self.registered
        return ConformanceError(f"{r.plugin} {r.plugin_version}: variant '{self.name}' fails "
                                f"{check}: {problem}. Fix: {fix}")
