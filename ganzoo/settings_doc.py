"""What each setting of a config dataclass is: name, default and the note its author wrote,
for ``ganzoo info NAME --settings``.

Notes come from the class source: a trailing ``# comment`` on the field's line (how variant
configs document themselves), else a ``name: text`` entry in the class docstring (the
Google-style layout `ganzoo.train.TrainConfig` uses). Without source (a plugin installed as a
zip) the notes are empty; names and defaults still show.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import re
import textwrap
import tokenize
from typing import Any


def describe_settings(config_cls: type) -> list[dict[str, Any]]:
    """``[{"name", "default", "note"}, ...]`` for every field of dataclass ``config_cls``, in
    declaration order; a field without a default has ``default`` None."""
    comments = _trailing_comments(config_cls)
    documented = _docstring_entries(config_cls.__doc__ or "")
    rows = []
    for field in dataclasses.fields(config_cls):
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = None
        rows.append({"name": field.name, "default": default,
                     "note": comments.get(field.name) or documented.get(field.name, "")})
    return rows


def _trailing_comments(cls: type) -> dict[str, str]:
    """Field name → the ``# comment`` ending its line in the class body."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    rows: dict[int, list[tokenize.TokenInfo]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            rows.setdefault(token.start[0], []).append(token)
    except (tokenize.TokenError, IndentationError):
        return {}
    notes = {}
    for tokens in rows.values():
        # A field line: [INDENT] NAME ':' ... [COMMENT]
        meaningful = [t for t in tokens if t.type not in (tokenize.INDENT, tokenize.DEDENT)]
        if (len(meaningful) >= 2 and meaningful[0].type == tokenize.NAME
                and meaningful[1].string == ":"):
            comment = next((t.string for t in meaningful if t.type == tokenize.COMMENT), None)
            if comment:
                notes[meaningful[0].string] = comment.lstrip("#").strip()
    return notes


def _docstring_entries(docstring: str) -> dict[str, str]:
    """``name: text`` entries of a Google-style docstring, continuation lines joined."""
    entries: dict[str, str] = {}
    current, indent = None, 0
    for line in inspect.cleandoc(docstring).splitlines():
        match = re.match(r"^(\s*)(\w+): (.+)$", line)
        if match and (current is None or len(match.group(1)) <= indent):
            current, indent = match.group(2), len(match.group(1))
            entries[current] = match.group(3).strip()
        elif current is not None and line.strip() and len(line) - len(line.lstrip()) > indent:
            entries[current] += " " + line.strip()
        else:
            current = None
    return entries
