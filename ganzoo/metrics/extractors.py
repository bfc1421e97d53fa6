"""Feature extractors for FID, KID and precision/recall: what they are and how plugins add one.

An extractor is registered through the ``register_metrics`` hook with
``kind="feature-extractor"``; its target is a factory ``factory(device) -> FeatureExtractor``::

    @ganzoo.hookimpl
    def register_metrics(register):
        register("dino-vits16", "my_plugin.features:dino_extractor", kind="feature-extractor",
                 summary="DINO ViT-S/16 CLS features (Stein et al. 2023)")

``ganzoo evaluate --extractor dino-vits16`` (or ``ganzoo.metrics.evaluation.evaluate(...,
extractor="dino-vits16")``) then uses it. Every image reaches ``network`` preprocessed as
`ganzoo.metrics.fid_preprocess` says (8-bit RGB, PIL bicubic to ``input_size``), as float
pixels in [0, 255]; the network does its own scaling. ``sha256`` names the weights: it is part
of the reference-statistics cache key and of ``--json``'s ``extractor`` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_EXTRACTOR = "inception-v3-fid"
EXTRACTOR_KIND = "feature-extractor"


@dataclass
class FeatureExtractor:
    """A network ``(N, 3, input_size, input_size)`` pixels in [0, 255] → ``(N, dims)``.

    Attributes:
        name: the registered name.
        sha256: identifies the weights (cache keys, reports).
        network: a torch module in eval mode, on the device it was made for.
        input_size: side of the square input.
        dims: feature dimension.
    """

    name: str
    sha256: str
    network: Any
    input_size: int
    dims: int

    @property
    def device(self):
        import itertools

        return next(itertools.chain(self.network.buffers(), self.network.parameters())).device


def fid_inception(device: str = "cpu") -> FeatureExtractor:
    """The FID Inception-v3 (2015-12-05 TF graph) with its pinned, offline weights."""
    from .inception_fid import FEATURES, INPUT_SIZE
    from .inception_weights import CONVERTED_SHA256, load_fid_inception

    return FeatureExtractor(DEFAULT_EXTRACTOR, CONVERTED_SHA256, load_fid_inception(device),
                            INPUT_SIZE, FEATURES)


def extractor_names() -> list[str]:
    from ..plugins import get_catalog

    return [r.name for r in get_catalog().find("metric")
            if r.metadata.get("kind") == EXTRACTOR_KIND]


def load_extractor(name: str = DEFAULT_EXTRACTOR, device: str = "cpu") -> FeatureExtractor:
    """Build the registered extractor ``name`` on ``device``."""
    from ..errors import GanzooError
    from ..plugins import get_catalog

    entry = get_catalog().get("metric", name)
    if entry.metadata.get("kind") != EXTRACTOR_KIND:
        raise GanzooError(f"metric '{name}' is not a feature extractor; choose one of "
                          f"{', '.join(extractor_names())}")
    extractor = entry.load()(device)
    if not isinstance(extractor, FeatureExtractor):
        raise GanzooError(f"feature extractor '{name}' from {entry.plugin} returned "
                          f"{type(extractor).__name__}, not a ganzoo.metrics.extractors."
                          f"FeatureExtractor; fix or upgrade {entry.plugin}")
    return extractor
