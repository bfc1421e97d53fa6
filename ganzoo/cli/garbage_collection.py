"""The ``ganzoo`` process and Python's cyclic garbage collector.

Importing torch leaves about 170,000 long-lived container objects. Every full collection walks
all of them (about 0.1 s each on a 2-core machine), and a ``ganzoo sample`` run triggered
three during its start (import, model load) and three more while the interpreter shut down,
freeing almost nothing: about 0.6 s of a 2.5 s run (issue 6). So, only when the CLI owns the
process (`main`), a command pauses the collector while it imports torch and loads its model,
then freezes what exists (moves it to the permanent generation, which collections skip), and
everything is frozen again before the interpreter exits.

When the click group is invoked inside another program (tests, notebooks) nothing here touches
that program's collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_process_owned = False


def own_process() -> None:
    """Declare that the ``ganzoo`` command line runs this process (called by `main`)."""
    global _process_owned
    _process_owned = True


@contextmanager
def startup_without_collection() -> Iterator[None]:
    """Pause the collector around a command's start (heavy imports, model load), then freeze.

    A no-op unless `own_process` was called. The few cycles that become garbage meanwhile are
    frozen too and never freed: a bounded, one-time cost for a short-lived process.
    """
    if not _process_owned:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def freeze_before_exit() -> None:
    """Let the interpreter's shutdown skip the full collections of the whole heap.

    Objects alive now are not collected at exit; Python never promised to finalize them, and
    the files ganzoo writes are closed (and renamed into place) before a command returns.
    """
    if _process_owned:
        gc.freeze()
