"""What a pickle would import and call, read without unpickling it (``pickletools``).

``torch.load(weights_only=True)`` refuses a malicious pickle, but its message reads like a
damaged file and advises ``weights_only=False``, the one thing that would run the payload. This
scan lets `ganzoo convert` say what the file really wants: to run code. Only opcodes are read;
nothing in the file is ever executed or imported.
"""

from __future__ import annotations

import io
import pickletools
import zipfile
from pathlib import Path

#: Globals a plain state-dict checkpoint references (tensor rebuilding, ordered dicts).
_DATA_PREFIXES = ("torch.", "collections.OrderedDict", "_codecs.encode", "builtins.set",
                  "builtins.frozenset", "builtins.bytearray", "builtins.slice", "builtins.complex")
_MAX_PICKLE_BYTES = 64 << 20


def code_globals(path: Path) -> list[str]:
    """Globals the pickle(s) in ``path`` reference beyond plain data, e.g. ``posix.system``."""
    found: list[str] = []
    for data in _pickles(path):
        found += [name for name in _globals(data) if not name.startswith(_DATA_PREFIXES)]
    return sorted(set(found))


def _pickles(path: Path) -> list[bytes]:
    try:
        if zipfile.is_zipfile(path):  # torch.save's default format: the pickle is data.pkl
            with zipfile.ZipFile(path) as archive:
                return [archive.read(info) for info in archive.infolist()
                        if info.filename.endswith(".pkl") and info.file_size < _MAX_PICKLE_BYTES]
        with open(path, "rb") as handle:
            return [handle.read(_MAX_PICKLE_BYTES)]
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return []


def _globals(data: bytes) -> list[str]:
    names: list[str] = []
    strings: list[str] = []
    memo: dict[int, str] = {}
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        try:
            for op, arg, _pos in pickletools.genops(stream):
                if op.name in ("GLOBAL", "INST"):
                    names.append(str(arg).replace(" ", "."))
                elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                    names.append(f"{strings[-2]}.{strings[-1]}")
                elif op.name in ("MEMOIZE",) and strings:
                    memo[len(memo)] = strings[-1]
                elif op.name in ("BINGET", "LONG_BINGET", "GET") and arg in memo:
                    strings.append(memo[arg])
                elif isinstance(arg, str):
                    strings.append(arg)
        except Exception:  # a damaged stream: report what was read so far
            break
        # legacy torch files hold several pickles back to back
    return names
