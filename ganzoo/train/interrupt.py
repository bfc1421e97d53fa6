"""Ctrl-C during training: finish the current iteration, checkpoint, exit cleanly.

Stopping between iterations (never in the middle of one) keeps the checkpoint consistent, so a
resumed run continues exactly. A second Ctrl-C falls back to Python's immediate interrupt.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class StopRequest:
    """Set by SIGINT while installed; the trainer polls ``requested`` between iterations."""

    def __init__(self) -> None:
        self.requested = False

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals only reach the main thread
            return
        previous = signal.getsignal(signal.SIGINT)

        def handle(signum, frame):
            self.requested = True
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once

        signal.signal(signal.SIGINT, handle)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)
