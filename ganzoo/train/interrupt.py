"""Ctrl-C or SIGTERM during training: finish the current iteration, checkpoint, exit cleanly.

SIGTERM is what ``docker stop``, Slurm (before its SIGKILL) and Kubernetes send; it is handled
exactly like Ctrl-C. Stopping between iterations (never in the middle of one) keeps the
checkpoint consistent, so a resumed run continues exactly. A second signal falls back to the
previous behaviour (Python's immediate KeyboardInterrupt, or death by SIGTERM).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Set by SIGINT/SIGTERM while installed; the trainer polls ``requested`` between
    iterations. ``signum`` is the signal that asked."""

    def __init__(self) -> None:
        self.requested = False
        self.signum: int | None = None

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals only reach the main thread
            return
        previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        def handle(signum, frame):
            self.requested = True
            self.signum = signum
            restore()  # a second signal acts at once

        for sig in STOP_SIGNALS:
            signal.signal(sig, handle)
        try:
            yield self
        finally:
            restore()
