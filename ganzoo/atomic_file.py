"""Writing a file so that readers and crashes only ever see the old file or the new one.

Every file ganzoo writes (weights, checkpoints, configs, images, plots, run records) goes
through `write_atomic`: the bytes go to a temporary file in the same folder, are flushed to disk
(fsync), and the temporary file is renamed over the target, which POSIX makes atomic. A kill at
any moment leaves the previous file (or none), never a truncated one, and no temporary file
behind except after a hard kill (names start with ``.`` and end with ``.tmp``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from .errors import GanzooError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: str | os.PathLike, write: Callable[[Path], Any], *,
                 overwrite: bool = True) -> Path:
    """Create or replace ``target`` with what ``write(temp_path)`` writes.

    ``overwrite=False`` refuses to replace a file that exists when the rename happens (even one
    another process created meanwhile), with a one-line `GanzooError`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be read
        if overwrite:
            os.replace(temp, target)
        else:
            _move_without_replacing(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    """`write_atomic` for a text file (UTF-8)."""
    return write_atomic(target, lambda temp: temp.write_text(text, encoding="utf-8"))


def _move_without_replacing(source: Path, destination: Path) -> None:
    # A hard link fails if the destination appeared meanwhile, so a concurrent writer is
    # never clobbered; fall back to a checked rename where links are not supported.
    try:
        os.link(source, destination)
    except FileExistsError:
        raise GanzooError(f"{destination} already exists; pass --force (overwrite=True) to "
                          f"replace it") from None
    except OSError:
        if destination.exists():
            raise GanzooError(f"{destination} already exists; pass --force to replace it") from None
        os.replace(source, destination)
