"""Reference-set features cached on disk, keyed by dataset content and extractor weights.

Scoring many models against one dataset should run the dataset through Inception once. The key
is the sha256 of (the set's content hash, the extractor's name and sha256, the preprocessing
version, the input size): change any image, the weights or the resizing and the key changes.
Entries are safetensors under ``<ganzoo cache>/reference-features/`` holding the running sums
(exact statistics) and, when KID or precision/recall asked for them, the features.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .cache_dir import cache_dir
from .extractors import FeatureExtractor
from .feature_statistics import FeatureStatistics
from .features import FeatureSet
from .fid_preprocess import PREPROCESS_VERSION


def cache_key(content_sha256: str, extractor: FeatureExtractor) -> str:
    text = (f"{content_sha256}|{extractor.name}|{extractor.sha256}|{PREPROCESS_VERSION}|"
            f"{extractor.input_size}")
    return hashlib.sha256(text.encode()).hexdigest()


def cache_path(key: str) -> Path:
    return cache_dir() / "reference-features" / f"{key}.safetensors"


def load_cached(key: str, need_features: bool) -> FeatureSet | None:
    """The cached entry, or None if absent, unreadable, or lacking features that are needed."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = cache_path(key)
    if not path.is_file():
        return None
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError):
        return None  # a damaged entry is recomputed, never trusted
    if need_features and "features" not in tensors:
        return None
    statistics = FeatureStatistics(int(tensors["total"].shape[0]))
    statistics.count = int(tensors["count"][0])
    statistics.total, statistics.outer = tensors["total"], tensors["outer"]
    return FeatureSet(statistics, tensors.get("features"))


def store(key: str, features: FeatureSet) -> None:
    """Write an entry atomically (a crash leaves the old entry or none, never half a file)."""
    from safetensors.numpy import save_file

    path = cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    stats = features.statistics
    tensors = {"count": np.array([stats.count], dtype=np.int64), "total": stats.total,
               "outer": stats.outer}
    if features.features is not None:
        tensors["features"] = np.ascontiguousarray(features.features)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    save_file(tensors, str(partial))
    os.replace(partial, path)
