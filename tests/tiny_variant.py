"""A tiny test-only variant, registered through a real in-process plugin entry point.

Tests that need a concrete model without depending on a first-party plugin use the
``tiny_variant`` fixture: it rebuilds ganzoo's catalog with the installed plugins plus this
module (entry point ``ganzoo-tiny``), exactly as pip-installed plugins are loaded.
"""

from __future__ import annotations

from importlib import metadata

import pytest

from ganzoo import hookimpl

PLUGIN_NAME = "ganzoo-tiny"


@hookimpl
def register_variants(register):
    register("tiny", "tiny_variant_model:TinyGAN", task="toy",
             summary="test-only MLP GAN on 2-D points")


@pytest.fixture
def tiny_variant(monkeypatch):
    """The catalog with the ``tiny`` variant added; restored afterwards."""
    import ganzoo.plugins as plugins

    entry = metadata.EntryPoint(name=PLUGIN_NAME, value="tiny_variant", group="ganzoo")
    catalog = plugins.build_catalog(entry_points=[*plugins._entry_points(), entry])
    monkeypatch.setattr(plugins, "_catalog", catalog)
    return catalog
