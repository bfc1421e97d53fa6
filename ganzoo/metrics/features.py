"""Images → features through an extractor, batch by batch, with running statistics.

`extract_features` never holds more than one batch of images; the features themselves are kept
only when asked (KID and precision/recall need them: 8 KiB per image for 2,048-d float32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
                     keep_features: bool = False, progress: bool = False) -> FeatureSet:
    """Run every image of ``source`` through ``extractor`` (preprocessed, in batches)."""
    import torch
    from tqdm.auto import tqdm

    statistics = FeatureStatistics(extractor.dims)
    kept: list[np.ndarray] = []
    device = extractor.device

    def flush(batch: list) -> None:
        with torch.inference_mode():
            features = extractor.network(torch.stack(batch).to(device)).float().cpu()
        statistics.update(features)
        if keep_features:
            kept.append(features.numpy())

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
    features = np.concatenate(kept) if keep_features else None
    return FeatureSet(statistics, features)
