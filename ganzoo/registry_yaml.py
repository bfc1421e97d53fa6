"""Reading a registry YAML file that may come from someone else (a plugin, a shared config).

``yaml.safe_load`` builds no objects, but it still expands aliases: a few hundred bytes of
nested ``*a`` references ("billion laughs") become gigabytes of text. Registry files have no use
for anchors, so aliases are refused outright; nesting depth and file size are bounded too.
"""

from __future__ import annotations

import errno
from pathlib import Path

import yaml

MAX_BYTES = 4 << 20  # the shipped catalog is ~6 KB; 4 MiB leaves room for big private zoos
MAX_DEPTH = 32


class _RegistryLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and nesting deeper than `MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed in a registry file (aliases "
                f"can expand without bound); write the value out", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_untrusted_yaml(text: str):
    """``yaml.safe_load`` without aliases and with bounded nesting (model cards, registries)."""
    return yaml.load(text, Loader=_RegistryLoader)  # noqa: S506 - a SafeLoader subclass


def read_registry_yaml(path: Path):
    """The parsed content of ``path``; raises OSError, UnicodeDecodeError or yaml.YAMLError."""
    if not path.is_file():  # a named pipe would block the read for ever
        raise OSError(errno.ENOENT, "missing, or not a regular file", str(path))
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise yaml.YAMLError(f"larger than {MAX_BYTES >> 20} MiB; a registry file lists "
                             f"entries, not data")
    return load_untrusted_yaml(data.decode("utf-8"))
