"""The CI wheel job's package-data check (`.ci/check_wheel_contents.py`) fails when a wheel
lacks a tracked file such as the registry, a template or shipped weights."""

from __future__ import annotations

import importlib.util
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_check():
    spec = importlib.util.spec_from_file_location("check_wheel_contents",
                                                  REPO / ".ci" / "check_wheel_contents.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tracked(root: Path, package: str) -> list[str]:
    return subprocess.run(["git", "-C", str(root), "ls-files", package], check=True,
                          capture_output=True, text=True).stdout.split()


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")
def test_a_wheel_missing_package_data_is_reported(tmp_path):
    check = load_check()
    dropped = {"ganzoo/registry.yaml", "ganzoo/templates/plugin/common/pyproject.toml.tmpl",
               "ganzoo_srgan/pretrained/srresnet-x4-s/model.safetensors"}
    for prefix, (root, package) in check.projects(REPO).items():
        with zipfile.ZipFile(tmp_path / f"{prefix}-0.1.0-py3-none-any.whl", "w") as wheel:
            for name in tracked(root, package):
                if name not in dropped:
                    wheel.writestr(name, b"")  # names are what the check compares
    assert sorted(m.split(": ", 1)[1] for m in check.missing_files(REPO, tmp_path)) == sorted(dropped)
    (tmp_path / "ganzoo_cgan-0.1.0-py3-none-any.whl").unlink()
    assert any("ganzoo_cgan: expected one wheel" in m for m in check.missing_files(REPO, tmp_path))
