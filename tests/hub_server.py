"""A real Hub-compatible server on loopback: olah serving local git repos, for download tests.

olah (PyPI, "self-hosted lightweight huggingface mirror") run with ``offline = true`` and
``mirrors-path`` serves every git repository at ``<mirrors>/models/<org>/<name>`` (branch
``main``) as a Hub model repo; ``hf_hub_download(..., endpoint=server.endpoint)`` then downloads
from it and the snapshot id is the git commit. Nothing leaves the machine.

Fixtures:
    hub_server: one server per test session (per xdist worker); tests publish repos under
        unique names with ``hub_server.publish(...)``.
    fresh_hub_server: a server of the test's own, for tests that stop it.
    hub_env: points HF_ENDPOINT at ``hub_server`` and HF_HUB_CACHE at an empty folder.
    pin_registry: writes a registry file (GANZOO_REGISTRY) pinning published repos.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import huggingface_hub.constants
import pytest

_STARTUP_TIMEOUT_S = 60
_names = itertools.count()


class HubServer:
    """An olah process serving the git repos under ``root/mirrors/models``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.mirrors = self.root / "mirrors"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HubServer:
        (self.mirrors / "models").mkdir(parents=True, exist_ok=True)
        config = self.root / "olah.toml"
        config.write_text(
            "[basic]\n"
            'host = "127.0.0.1"\n'
            f"port = {self.port}\n"
            f'repos-path = "{self.root / "repos"}"\n'
            f'mirrors-path = ["{self.mirrors}"]\n'
            # Repos change between requests in a test: never reuse resolved revisions.
            "metadata-cache-ttl = 0\n"
            "[accessibility]\n"
            "offline = true\n")
        olah = shutil.which("olah-cli", path=str(Path(sys.executable).parent)) or "olah-cli"
        self.log = open(self.root / "olah.out", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [olah, "-c", str(config), "--log-path", str(self.root / "logs")],
            cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"olah exited with {self.process.returncode}: "
                                   f"{(self.root / 'olah.out').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.endpoint}/api/models/ready/probe/revision/main",
                                       timeout=2)
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"olah did not answer on {self.endpoint} within "
                           f"{_STARTUP_TIMEOUT_S} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None

    def repo_path(self, repo_id: str) -> Path:
        return self.mirrors / "models" / repo_id

    def publish(self, repo_id: str, files: Path | dict[str, bytes], message: str = "upload") -> str:
        """Commit ``files`` (a folder's files, or name → bytes) to ``repo_id``'s main branch.

        Creates the repo on first use; later calls add a commit. Returns the commit id.
        """
        repo = self.repo_path(repo_id)
        if not (repo / ".git").exists():
            repo.mkdir(parents=True)
            _git(repo, "init", "-q", "-b", "main")
        if isinstance(files, dict):
            for name, data in files.items():
                (repo / name).write_bytes(data)
        else:
            for path in Path(files).iterdir():
                if path.is_file():
                    shutil.copyfile(path, repo / path.name)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", message)
        return _git(repo, "rev-parse", "HEAD").strip()


def unique_repo(prefix: str = "model") -> str:
    """A repo id no other test of this session uses: ``test-org/<prefix>-<n>-<pid>``."""
    return f"test-org/{prefix}-{next(_names)}-{os.getpid()}"


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "ganzoo-tests", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "ganzoo-tests", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory):
    server = HubServer(tmp_path_factory.mktemp("olah")).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_hub_server(tmp_path):
    server = HubServer(tmp_path / "olah").start()
    yield server
    server.stop()


@pytest.fixture
def hub_env(hub_server, tmp_path, monkeypatch):
    """HF_ENDPOINT → the loopback server, HF_HUB_CACHE → an empty folder, online."""
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_ENDPOINT", hub_server.endpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: make sure it reads "online".
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    return cache


@pytest.fixture
def pin_registry(tmp_path, monkeypatch):
    """``pin(name, variant, task, weights=dict, **fields)`` writes a registry file and sets
    GANZOO_REGISTRY to it; returns the path. Call again to add entries."""
    import yaml

    path = tmp_path / "pinned-registry.yaml"
    models: list[dict] = []

    def pin(name: str, variant: str, task: str, weights: dict, **fields) -> Path:
        models.append({"name": name, "variant": variant, "task": task, "weights": weights,
                       **fields})
        path.write_text(yaml.safe_dump({"schema": 1, "models": models}))
        monkeypatch.setenv("GANZOO_REGISTRY", str(path))
        return path

    return pin
