"""Fail when a file git tracks in a package is missing from its wheel (issue #25).

Usage: python .ci/check_wheel_contents.py REPO DIST   (DIST holds one wheel per project: the
core ``ganzoo_core-*.whl`` and ``ganzoo_<plugin>-*.whl`` for each ``plugins/ganzoo-*``).
Registry files, templates and shipped weights are package data: a packaging rule that drops
one would pass an editable install and break every user; this catches it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path


def projects(repo: Path) -> dict[str, tuple[Path, str]]:
    """Wheel name prefix → (project folder, package folder inside it)."""
    found = {"ganzoo_core": (repo, "ganzoo")}
    for plugin in sorted(repo.glob("plugins/ganzoo-*")):
        module = plugin.name.replace("-", "_")
        found[module] = (plugin, module)
    return found


def missing_files(repo: Path, dist: Path) -> list[str]:
    """``"<wheel>: <path>"`` for every tracked package file a wheel lacks."""
    missing = []
    for prefix, (root, package) in projects(repo).items():
        wheels = list(dist.glob(f"{prefix}-*.whl"))
        if len(wheels) != 1:
            missing.append(f"{prefix}: expected one wheel in {dist}, found {len(wheels)}")
            continue
        inside = set(zipfile.ZipFile(wheels[0]).namelist())
        tracked = subprocess.run(["git", "-C", str(root), "ls-files", package], check=True,
                                 capture_output=True, text=True).stdout.split()
        lacking = [name for name in tracked if name not in inside]
        missing += [f"{wheels[0].name}: {name}" for name in lacking]
        print(f"{wheels[0].name}: {len(tracked) - len(lacking)} of {len(tracked)} tracked "
              f"files inside")
    return missing


if __name__ == "__main__":
    problems = missing_files(Path(sys.argv[1]), Path(sys.argv[2]))
    if problems:
        sys.exit("files missing from wheels:\n  " + "\n  ".join(problems))
