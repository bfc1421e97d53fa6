""""Did you mean ...?" for mistyped names (variants, datasets, models, settings)."""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``" (did you mean 'folder'?)"`` when ``name`` is close to a known name, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"
