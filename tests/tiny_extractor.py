"""A tiny test-only feature extractor, registered through a real in-process plugin entry point.

``tiny-pool``: 32x32 inputs average-pooled to 4x4 per channel (48 features). A real network
(no mock), fast enough that `ganzoo evaluate` tests of everything but the Inception itself run
in milliseconds; it also proves a plugin can bring its own extractor.
"""

from __future__ import annotations

import hashlib
from importlib import metadata

import pytest

from ganzoo import hookimpl

PLUGIN_NAME = "ganzoo-tiny-extractor"
EXTRACTOR_NAME = "tiny-pool"


@hookimpl
def register_metrics(register):
    register(EXTRACTOR_NAME, "tiny_extractor:tiny_pool", kind="feature-extractor",
             summary="test-only: 4x4 average-pooled pixels")


def tiny_pool(device: str = "cpu"):
    import torch
    import torch.nn.functional as F
    from torch import nn

    from ganzoo.metrics.extractors import FeatureExtractor

    class PooledPixels(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", torch.tensor(1 / 255))

        def forward(self, pixels):
            return F.adaptive_avg_pool2d(pixels * self.scale, 4).flatten(1)

    sha = hashlib.sha256(b"tiny-pool v1").hexdigest()
    return FeatureExtractor(EXTRACTOR_NAME, sha, PooledPixels().eval().to(device), 32, 48)


@pytest.fixture
def tiny_extractor(monkeypatch):
    """The catalog with ``tiny-pool`` added; restored afterwards."""
    import ganzoo.plugins as plugins

    entry = metadata.EntryPoint(name=PLUGIN_NAME, value="tiny_extractor", group="ganzoo")
    catalog = plugins.build_catalog(entry_points=[*plugins._entry_points(), entry])
    monkeypatch.setattr(plugins, "_catalog", catalog)
    return catalog
