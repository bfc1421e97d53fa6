"""An overall deadline on a blocking network call (Hub downloads, publish's uploads).

huggingface_hub's timeouts bound each socket read, not the whole call: a mirror that sends one
byte every few seconds keeps a download alive for ever. `call_with_deadline` runs the call in a
daemon thread and stops waiting when the deadline passes; the thread is abandoned (it cannot be
killed, and it dies with the process), so its late result is never used.

``GANZOO_HUB_TIMEOUT`` (seconds, default 300) sets the deadline.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

from .errors import GanzooError

DEFAULT_HUB_TIMEOUT_S = 300.0


class DeadlineExceeded(GanzooError):
    """A call did not finish before its overall deadline."""


def hub_timeout() -> float:
    """``GANZOO_HUB_TIMEOUT`` as set now, in seconds."""
    raw = os.environ.get("GANZOO_HUB_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_HUB_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise GanzooError(f"GANZOO_HUB_TIMEOUT must be a positive number of seconds, got {raw!r}")
    return value


def call_with_deadline(function: Callable[..., Any], *args: Any, seconds: float,
                       what: str, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, or `DeadlineExceeded` once ``seconds`` have passed.

    Exceptions raised by ``function`` are re-raised here unchanged.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"ganzoo-deadline:{what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DeadlineExceeded(f"{what} did not finish within {seconds:g} s "
                               f"(GANZOO_HUB_TIMEOUT)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
