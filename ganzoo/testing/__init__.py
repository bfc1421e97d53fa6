"""ganzoo.testing: the conformance kit a plugin author runs under pytest.

::

    from ganzoo.testing import parametrize_with_checks

    @parametrize_with_checks(["mygan"])
    def test_conformance(variant, check):
        check(variant)

or ``ganzoo.testing.check_variant("mygan")`` to run every check at once. A variant keeps the
checks fast by declaring ``test_config`` (a ClassVar dict of tiny Config overrides) and, for
image tasks, ``test_input_size``. See docs/plugins.md.

Importing this package does not import torch; the checks do, when they run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CHECKS", "Check", "ConformanceError", "all_checks", "check_variant",
           "parametrize_with_checks"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m ganzoo.testing.hook_docs` and collection stay torch-free.
    if name in __all__:
        from . import conformance, subject

        return getattr(subject if name == "ConformanceError" else conformance, name)
    raise AttributeError(f"module 'ganzoo.testing' has no attribute {name!r}")
