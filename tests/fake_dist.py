"""Build real (uninstalled) distributions for plugin tests.

A folder holding ``<module>/__init__.py`` and ``<dist>-<version>.dist-info/`` (METADATA and
entry_points.txt) is a distribution to ``importlib.metadata`` once the folder is on ``sys.path``
or ``PYTHONPATH`` — the same discovery pip-installed plugins go through, without touching the
test environment.
"""

from __future__ import annotations

import textwrap
from pathlib import Path


def make_distribution(root: Path, dist: str, module: str, source: str,
                      version: str = "0.0.1", entry_name: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    package = root / module
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[ganzoo]\n{entry_name or module} = {module}\n")
    return root
