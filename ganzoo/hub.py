"""Weights on the Hugging Face Hub: where a registry entry's file is, and whether it is cached.

Importing this module must stay cheap (``ganzoo list`` uses `weights_status`).
"""

from __future__ import annotations

from .registry import ModelEntry


def cached_weights(entry: ModelEntry) -> str | None:
    """Path of the entry's weights file in the local Hub cache at its pinned revision, or None."""
    if not entry.weights.repo:
        return None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(entry.weights.repo, entry.weights.file,
                                   revision=entry.weights.revision)
    return found if isinstance(found, str) else None


def weights_status(entry: ModelEntry) -> str:
    """``cached`` (in the Hub cache), ``shipped`` (inside a plugin), or ``hub`` (to download)."""
    if cached_weights(entry):
        return "cached"
    if entry.weights.shipped:
        return "shipped"
    return "hub"
