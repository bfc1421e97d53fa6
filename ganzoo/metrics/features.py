"""Images → features through an extractor, batch by batch, with running statistics.

`extract_features` never holds more than one batch of images; the features themselves are kept
when asked (KID and precision/recall need them: 8 KiB per image for 2,048-d float32), or, for
FID's exact small-N path (`ganzoo.metrics.frechet`), while there are at most ``keep_at_most``
of them: with ``keep_at_most = D`` that is no more memory than the ``D x D`` statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import GanzooError
from .extractors import FeatureExtractor
from .feature_statistics import FeatureStatistics
from .fid_preprocess import fid_pixels
from .image_sources import ImageSource


@dataclass
class FeatureSet:
    """What one image set gave: running statistics, and the features if kept."""

    statistics: FeatureStatistics
    features: np.ndarray | None = None

    @property
    def count(self) -> int:
        return self.statistics.count


def extract_features(source: ImageSource, extractor: FeatureExtractor, *, batch_size: int = 32,
                     keep_features: bool = False, keep_at_most: int = 0,
                     progress: bool = False) -> FeatureSet:
    """Run every image of ``source`` through ``extractor`` (preprocessed, in batches).

    The result holds the features if ``keep_features``, or if there were no more than
    ``keep_at_most`` images; else only the running statistics.
    """
    import torch
    from tqdm.auto import tqdm

    statistics = FeatureStatistics(extractor.dims)
    kept: list[np.ndarray] = []
    device = extractor.device

    def flush(batch: list) -> None:
        with torch.inference_mode():
            features = extractor.network(torch.stack(batch).to(device)).float().cpu()
        if tuple(features.shape) != (len(batch), extractor.dims):
            raise GanzooError(f"feature extractor {extractor.name} returned shape "
                              f"{tuple(features.shape)} for {len(batch)} images, not "
                              f"({len(batch)}, {extractor.dims}); fix the extractor")
        statistics.update(features)
        if keep_features or statistics.count <= keep_at_most:
            kept.append(features.numpy())
        else:
            kept.clear()

    batch: list = []
    with tqdm(total=len(source), unit="image", desc=f"features {source.label}",
              disable=not progress, leave=False) as bar:
        for image in source:
            batch.append(fid_pixels(image, extractor.input_size))
            if len(batch) == batch_size:
                flush(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            flush(batch)
            bar.update(len(batch))
    features = np.concatenate(kept) if kept else None
    return FeatureSet(statistics, features)
