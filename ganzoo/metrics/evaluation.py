"""Compare two image sets with FID, KID and precision/recall/density/coverage: the Python API.

    from ganzoo.metrics.evaluation import evaluate
    evaluate("data/real", "samples/", metrics=["fid", "kid"])
    # {"fid": 12.3, "kid": {"mean": 0.004, "std": 0.001}, "n_real": ..., "n_fake": ...,
    #  "extractor": {"name": "inception-v3-fid", "sha256": "..."}}

Either side may be a folder, a tensor ``(N, C, H, W)`` in [0, 1], or an
`ganzoo.metrics.image_sources.ImageSource`. The real side's features are cached (see
`ganzoo.metrics.reference_cache`); ``cache=False`` turns that off.
"""

from __future__ import annotations

from typing import Any

from ..errors import GanzooError
from .extractors import DEFAULT_EXTRACTOR, FeatureExtractor, load_extractor
from .image_sources import ImageSource, as_source
from .kid import DEFAULT_SUBSETS
from .precision_recall import DEFAULT_NEAREST_K

#: What ``--metrics`` accepts; ``prdc`` is precision, recall, density and coverage together.
METRICS = ("fid", "kid", "prdc")


def parse_metrics(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"fid,kid"`` or ``["fid", "kid"]`` → validated names in the order given, no repeats."""
    names = text.split(",") if isinstance(text, str) else list(text)
    chosen: list[str] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in METRICS:
            raise GanzooError(f"unknown metric {name!r}; choose from {', '.join(METRICS)} "
                              f"(e.g. --metrics fid,kid)")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise GanzooError(f"no metric asked for; choose from {', '.join(METRICS)}")
    return chosen


def minimum_images(metrics: list[str], nearest_k: int) -> dict[str, int]:
    """The fewest images per side each asked metric needs."""
    need = {"fid": 2, "kid": 2, "prdc": nearest_k + 1}
    return {m: need[m] for m in metrics}


def check_counts(real: ImageSource, fake: ImageSource, metrics: list[str],
                 nearest_k: int) -> None:
    """Refuse, before any work, sets too small for a metric asked for."""
    for metric, need in minimum_images(metrics, nearest_k).items():
        for source, side in ((real, "real"), (fake, "generated")):
            if len(source) < need:
                what = "precision/recall/density/coverage" if metric == "prdc" else metric.upper()
                raise GanzooError(f"{what} needs at least {need} {side} images, {source.label} "
                                  f"has {len(source)}; add images or drop it from --metrics")


def real_features(source: ImageSource, extractor: FeatureExtractor, *, need_features: bool,
                  batch_size: int, progress: bool, cache: bool):
    """The reference set's features, from the cache when its content was seen before."""
    from . import reference_cache
    from .features import extract_features

    key = reference_cache.cache_key(source.content_sha256(), extractor) if cache else None
    if key is not None:
        cached = reference_cache.load_cached(key, need_features)
        if cached is not None:
            return cached
    features = extract_features(source, extractor, batch_size=batch_size,
                                keep_features=need_features, keep_at_most=extractor.dims,
                                progress=progress)
    if key is not None:
        reference_cache.store(key, features)
    return features


def evaluate(real, fake, metrics=("fid",), *, extractor: str | FeatureExtractor = DEFAULT_EXTRACTOR,
             device: str = "cpu", batch_size: int = 32, progress: bool = False,
             cache: bool = True, kid_subsets: int = DEFAULT_SUBSETS,
             kid_subset_size: int | None = None, nearest_k: int = DEFAULT_NEAREST_K,
             seed: int = 0) -> dict[str, Any]:
    """Score ``fake`` against ``real``; the result holds only the metrics asked for.

    Args:
        real, fake: folder, tensor ``(N, C, H, W)`` in [0, 1], or `ImageSource`.
        metrics: any of ``fid``, ``kid``, ``prdc`` (list or comma-separated text).
        extractor: a registered feature-extractor name, or a built `FeatureExtractor`.
        device: where the extractor runs.
        batch_size: images per extractor call.
        progress: show progress bars.
        cache: reuse/store the real set's features (`ganzoo.metrics.reference_cache`).
        kid_subsets, kid_subset_size: KID's subset sampling (default: 100 subsets of
            `ganzoo.metrics.kid.default_subset_size` images; see that module).
        nearest_k: k of the k-NN manifolds of precision/recall/density/coverage.
        seed: KID subset sampling seed.
    """
    from .frechet import fid
    from .kid import kernel_inception_distance
    from .precision_recall import manifold_metrics
    from .features import extract_features

    chosen = parse_metrics(metrics)
    if batch_size < 1:
        raise GanzooError(f"batch size must be at least 1, got {batch_size}")
    real_source, fake_source = as_source(real, "--real"), as_source(fake, "--fake")
    check_counts(real_source, fake_source, chosen, nearest_k)
    if not isinstance(extractor, FeatureExtractor):
        extractor = load_extractor(extractor, device)
    need_features = "kid" in chosen or "prdc" in chosen
    real_set = real_features(real_source, extractor, need_features=need_features,
                             batch_size=batch_size, progress=progress, cache=cache)
    fake_set = extract_features(fake_source, extractor, batch_size=batch_size,
                                keep_features=need_features, keep_at_most=extractor.dims,
                                progress=progress)
    result: dict[str, Any] = {}
    if "fid" in chosen:
        result["fid"] = fid(real_set.statistics, fake_set.statistics, real_set.features,
                            fake_set.features)
    if "kid" in chosen:
        result["kid"] = kernel_inception_distance(real_set.features, fake_set.features,
                                                  num_subsets=kid_subsets,
                                                  subset_size=kid_subset_size, seed=seed)
    if "prdc" in chosen:
        result.update(manifold_metrics(real_set.features, fake_set.features, nearest_k))
    result.update({"n_real": real_set.count, "n_fake": fake_set.count,
                   "extractor": {"name": extractor.name, "sha256": extractor.sha256}})
    return result
