"""The hooks section of docs/plugins.md, generated from the hookspec docstrings.

``python -m ganzoo.testing.hook_docs docs/plugins.md`` rewrites the text between the two
markers; the test suite fails when the guide and ``ganzoo/hookspecs.py`` disagree.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

BEGIN = "<!-- BEGIN HOOKS: generated from ganzoo/hookspecs.py by `python -m ganzoo.testing.hook_docs docs/plugins.md` -->"
END = "<!-- END HOOKS -->"


def hook_specs() -> list:
    """The hookspec functions of ``ganzoo.hookspecs``, in source order."""
    from .. import hookspecs

    functions = [f for _, f in inspect.getmembers(hookspecs, inspect.isfunction)
                 if hasattr(f, "ganzoo_spec")]
    return sorted(functions, key=lambda f: f.__code__.co_firstlineno)


def render_hooks() -> str:
    """Markdown for every hook: a heading with its signature, then its docstring."""
    parts = []
    for function in hook_specs():
        signature = f"{function.__name__}{inspect.signature(function)}"
        parts.append(f"### `{signature}`\n\n{inspect.getdoc(function)}\n")
    return "\n".join(parts)


def splice(document: str) -> str:
    """``document`` with the generated hooks section put between the markers."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are missing")
    return document[:start + len(BEGIN)] + "\n\n" + render_hooks() + "\n" + document[end:]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ganzoo.testing.hook_docs docs/plugins.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(splice(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated the hooks section of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
