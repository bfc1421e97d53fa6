"""Fixtures of the reliability suite (the counting lives in ``tally.py``)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import huggingface_hub.constants
import pytest
import torch

from .fault_proxy import fault_proxy  # noqa: F401 - fixture
from .warm_launcher import WarmLauncher

ROOT = Path(__file__).resolve().parents[2]
_packages = itertools.count()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.reliability)


def ganzoo_cli(*args: str, env: dict | None = None, timeout: float = 120, cwd=None,
               **kwargs) -> subprocess.CompletedProcess:
    """Run the real ``ganzoo`` command in a fresh process."""
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout,
                          cwd=cwd, **kwargs)


def tiny_folder(path: Path, seed: int) -> Path:
    from ganzoo.building import build_model
    from ganzoo.layout import save_pretrained

    torch.manual_seed(seed)
    return save_pretrained(build_model("tiny"), path)


@pytest.fixture
def shipped_package(tmp_path, monkeypatch):
    """A fresh importable package (on sys.path and PYTHONPATH); returns (folder, spec)."""
    name = f"rel_weights_pkg_{next(_packages)}_{os.getpid()}"
    site = tmp_path / "site"
    package = site / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(site), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    return package / "weights", f"{name}:weights"


@pytest.fixture
def hub_model(tiny_variant, hub_server, fault_proxy, shipped_package, pin_registry, tmp_path,
              monkeypatch):
    """A tiny model published on the test Hub behind the fault proxy and shipped in a package;
    the registry pins both (weights and config.json). Returns a namespace of facts."""
    from hub_server import unique_repo

    from ganzoo.hub import sha256_of

    folder, spec = shipped_package
    tiny_folder(folder, seed=3)
    repo = unique_repo("rel")
    commit = hub_server.publish(repo, folder)
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_ENDPOINT", fault_proxy.endpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("GANZOO_HUB_TIMEOUT", "3")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    weights = {"repo": repo, "revision": commit, "sha256": sha256_of(folder / "model.safetensors"),
               "config_sha256": sha256_of(folder / "config.json")}

    class Facts:
        pass

    facts = Facts()
    facts.repo, facts.commit, facts.folder, facts.cache = repo, commit, folder, cache
    facts.proxy, facts.server = fault_proxy, hub_server
    facts.registry = pin_registry("rel-hub", "tiny", "toy", weights=weights)
    facts.registry = pin_registry("rel-hub-shipped", "tiny", "toy",
                                  weights={**weights, "shipped": spec})
    return facts


@pytest.fixture(scope="session")
def launcher():
    """Starts real ``ganzoo`` commands in forked processes of one warm interpreter."""
    warm = WarmLauncher()
    yield warm
    warm.close()


#: A tiny, fast ``ganzoo train`` (checkpoint every iteration, so kills land mid-write too).
TRAIN_STEPS = 60
TRAIN = ["train", "gan", "--data", "ring8", "--steps", str(TRAIN_STEPS), "--set", "hidden=16",
         "--set", "layers=1", "--set", "sample_every=0", "--set", "threads=1",
         "--batch-size", "32", "--set", "checkpoint_every=1", "--set", "log_every=5"]


@pytest.fixture(scope="session")
def trained_run(launcher, tmp_path_factory) -> Path:
    """One uninterrupted ``TRAIN`` run, made once per session; copy it before changing it."""
    base = tmp_path_factory.mktemp("trained")
    out = base / "run"
    status = launcher.run([*TRAIN, "--out", str(out)], base, base / "log")
    assert status == 0, (base / "log").read_text()[-2000:]
    return out


@pytest.fixture
def finished_run(trained_run, tmp_path) -> Path:
    """A private copy of `trained_run`."""
    import shutil

    copy = tmp_path / "finished" / "run"
    shutil.copytree(trained_run, copy)
    return copy
