"""A folder nothing may be written into, for the read-only-output tests, also when the tests
run as root (CI does), where permission bits are ignored: there the folder is made immutable
with ``chattr +i``, which binds root too. Where neither works the test skips, saying why."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest


@contextlib.contextmanager
def read_only_folder(path: Path) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    immutable = os.geteuid() == 0
    if immutable:
        chattr = shutil.which("chattr")
        done = chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode == 0
        if not done:
            pytest.skip("running as root without a working `chattr +i`: no folder can be made "
                        "read-only for root here")
    else:
        path.chmod(0o555)
    try:
        probe = path / ".probe"
        try:
            probe.write_text("x")
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip(f"{path} stays writable on this file system; cannot test read-only")
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        else:
            path.chmod(0o755)
