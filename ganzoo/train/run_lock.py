"""One writer per run folder: an advisory lock held for the life of ``ganzoo train``.

Two runs into one ``--out`` (or a ``--resume`` while the run still goes) would interleave
metric rows and overwrite each other's checkpoints. The lock is ``flock`` on ``DIR/.lock``: the
kernel drops it when the process ends, however it ends (SIGKILL included), so a stale lock
never needs cleaning up. The file records the holder's pid for the message.

The lock also makes it safe to clear what killed writes left behind (``.NAME.tmp*`` files) when
a run starts: no other process can be writing them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import GanzooError

LOCK_FILE = ".lock"
#: Folders of a run that atomic writes put temporary files in.
_TEMP_FOLDERS = (".", "checkpoints", "samples")


class RunLock:
    """Held while the object lives (or until `release`)."""

    def __init__(self, handle) -> None:
        self._handle = handle
        if handle is not None:
            _HELD.add(self)

    def release(self) -> None:
        _HELD.discard(self)
        if self._handle is not None:
            self._handle.close()  # closing drops the flock
            self._handle = None


#: Locks this process holds. A forked child (a DataLoader worker) closes its copies at once:
#: the flock belongs to every copy of the descriptor, so a worker outliving a SIGKILLed
#: trainer by its few seconds of shutdown would keep the folder locked against --resume.
_HELD: set[RunLock] = set()


def _close_inherited_locks() -> None:
    for lock in list(_HELD):
        lock.release()  # the child's descriptor only: the parent keeps its lock


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def lock_run_folder(out: Path) -> RunLock:
    """Lock ``out`` (created if missing) or raise a one-line `GanzooError` naming the holder."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): run unlocked, as before
        return RunLock(None)
    if out.exists() and not out.is_dir():
        raise GanzooError(f"--out {out} is a file; choose a folder")
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK_FILE, "a+")  # noqa: SIM115 - kept open: it is the lock
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise GanzooError(f"{out} is in use by another `ganzoo train` (pid {holder}); wait for "
                          f"it to finish (or stop it), or choose another --out") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return RunLock(handle)


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Delete temporary files that killed atomic writes left (call only while locked)."""
    removed = []
    for folder in _TEMP_FOLDERS:
        where = out / folder
        if not where.is_dir():
            continue
        for path in where.iterdir():
            if path.name.startswith(".") and ".tmp" in path.name and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
