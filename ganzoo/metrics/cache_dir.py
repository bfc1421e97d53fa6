"""Where ganzoo keeps files it derives locally (converted weights, reference statistics).

``GANZOO_CACHE`` if set, else ``$XDG_CACHE_HOME/ganzoo``, else ``~/.cache/ganzoo``. Read on each
call, so tests (and users) can point it elsewhere in a running process. Everything here can be
deleted; it is rebuilt on the next use.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("GANZOO_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "ganzoo"
