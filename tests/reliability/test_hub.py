"""The Hub through a fault-injecting proxy: bad bytes never stay in the cache, every call has a
deadline, network failures fall back to the shipped copy, config.json is pinned."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.errors import GanzooError
from ganzoo.hub import IntegrityError, sha256_of, weights_status
from ganzoo.loading import resolve
from ganzoo.plugins import get_catalog
from ganzoo.registry import load_registry

from .conftest import ganzoo_cli
from .tally import DataLost, Hang, WrongResult

FAULTS_WITH_FALLBACK = ["drop", "slow", "stall", "5xx", "gone"]


def entry(name: str):
    return load_registry(get_catalog().pretrained_files).get(name)


def weight(model) -> torch.Tensor:
    return model.generator.net[0].weight


def blobs(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("blobs/*") if p.is_file()]


def assert_cache_clean(cache: Path, sha: str) -> None:
    """No blob in the cache fails the pin it was downloaded for."""
    for blob in blobs(cache):
        if blob.stat().st_size > 1000 and sha256_of(blob) != sha:
            raise DataLost(f"the cache keeps a blob that failed its sha256: {blob}")


@pytest.mark.parametrize("fault", FAULTS_WITH_FALLBACK)
def test_network_fault_falls_back_to_the_shipped_copy(hub_model, fault):
    hub_model.proxy.fault = fault
    began = time.monotonic()
    model = ganzoo.load("rel-hub-shipped")
    took = time.monotonic() - began
    if took > 15:
        raise Hang(f"{fault}: took {took:.1f} s with a 3 s deadline")
    expected = ganzoo.load(str(hub_model.folder))
    if not torch.equal(weight(model), weight(expected)):
        raise WrongResult(f"{fault}: the fallback loaded other weights")
    assert_cache_clean(hub_model.cache, entry("rel-hub-shipped").weights.sha256)


@pytest.mark.parametrize("fault", FAULTS_WITH_FALLBACK)
def test_network_fault_without_shipped_copy_is_one_line_naming_the_mirror(hub_model, fault):
    hub_model.proxy.fault = fault
    began = time.monotonic()
    with pytest.raises(GanzooError) as err:
        ganzoo.load("rel-hub")
    if time.monotonic() - began > 15:
        raise Hang(f"{fault}: no answer within 15 s")
    message = str(err.value)
    assert "\n" not in message and "unexpected" not in message
    assert hub_model.proxy.endpoint in message or "HF_ENDPOINT" in message


def test_corrupt_download_is_evicted_and_a_later_run_recovers(hub_model):
    pin = entry("rel-hub").weights
    hub_model.proxy.fault = "corrupt"
    with pytest.raises(IntegrityError, match="removed it from the Hugging Face cache"):
        ganzoo.load("rel-hub")
    assert_cache_clean(hub_model.cache, pin.sha256)
    if weights_status(entry("rel-hub")) == "cached":
        raise WrongResult("`ganzoo list` calls a file that failed its sha256 cached")
    hub_model.proxy.fault = None  # the mirror is fixed: no manual cleanup needed
    model = ganzoo.load("rel-hub")
    assert torch.equal(weight(model), weight(ganzoo.load(str(hub_model.folder))))
    assert weights_status(entry("rel-hub")) == "cached"


def test_a_poisoned_cache_is_evicted_not_relinked(hub_model):
    pin = entry("rel-hub").weights
    resolved = resolve("rel-hub")  # a good download
    blob = Path(resolved.weights).resolve()
    blob.write_bytes(b"\0" * blob.stat().st_size)  # the cache goes bad afterwards
    with pytest.raises(IntegrityError):
        ganzoo.load("rel-hub")
    if blob.exists() or Path(resolved.weights).exists():
        raise DataLost("the bad blob or its snapshot link is still in the cache")
    # hf:// at the pinned revision (not verified) gets fresh bytes, not the bad blob
    unpinned = ganzoo.load(f"hf://{hub_model.repo}@{hub_model.commit}")
    assert torch.equal(weight(unpinned), weight(ganzoo.load(str(hub_model.folder))))
    model = ganzoo.load("rel-hub")
    assert sha256_of(resolve("rel-hub").weights) == pin.sha256
    assert torch.equal(weight(model), weight(ganzoo.load(str(hub_model.folder))))


def test_config_json_is_pinned_like_the_weights(hub_model):
    import json

    changed = json.loads((hub_model.folder / "config.json").read_text())
    changed["config"]["hidden"] = changed["config"].get("hidden", 8) + 1
    commit = hub_model.server.publish(hub_model.repo, {
        "config.json": json.dumps(changed).encode(),
        "model.safetensors": (hub_model.folder / "model.safetensors").read_bytes()})
    text = hub_model.registry.read_text().replace(hub_model.commit, commit)
    hub_model.registry.write_text(text)
    with pytest.raises(IntegrityError, match="config.json"):
        ganzoo.load("rel-hub")
    result = ganzoo_cli("pull", "rel-hub")
    assert result.returncode == 1 and "sha256 mismatch" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_pull_force_downloads_again(hub_model):
    first = ganzoo_cli("pull", "rel-hub")
    assert first.returncode == 0, first.stderr
    assert "config.json too" in first.stdout
    served = hub_model.proxy.served
    cached = ganzoo_cli("pull", "rel-hub")
    assert cached.returncode == 0 and hub_model.proxy.served == served
    forced = ganzoo_cli("pull", "--force", "rel-hub")
    assert forced.returncode == 0, forced.stderr
    if hub_model.proxy.served != served + 1:
        raise WrongResult("pull --force did not download the weights again")


def test_two_concurrent_pulls_both_succeed(hub_model):
    import os
    import subprocess
    import sys

    hub_model.proxy.fault = "slow"  # both are mid-download at once
    hub_model.proxy.fault = None
    env = {**os.environ, "GANZOO_HUB_TIMEOUT": "60"}
    procs = [subprocess.Popen([sys.executable, "-m", "ganzoo", "pull", "rel-hub"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=90) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        assert "sha256 verified" in out
    assert sha256_of(resolve("rel-hub").weights) == entry("rel-hub").weights.sha256


def test_publish_has_an_overall_deadline(hub_model, monkeypatch):
    from ganzoo.cli.publish import publish_folder

    hub_model.proxy.target = "*"
    hub_model.proxy.fault = "stall"
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    monkeypatch.setenv("GANZOO_HUB_TIMEOUT", "2")
    began = time.monotonic()
    with pytest.raises(GanzooError) as err:
        publish_folder(hub_model.folder, "test-org/stalled", echo=lambda *a: None)
    if time.monotonic() - began > 30:
        raise Hang("publish did not give up")
    message = str(err.value)
    assert "did not finish within 2 s" in message and "HF_ENDPOINT" in message
    assert hub_model.proxy.endpoint in message and "\n" not in message


def test_unpinned_hf_source_refuses_a_damaged_cached_blob(tiny_variant, tmp_path, monkeypatch):
    """A large file's blob is named by its sha256 (as the Hub does for LFS files): a damaged
    one is evicted and refused even for an unpinned hf:// source, offline too."""
    import hashlib
    import os

    import huggingface_hub.constants

    from .conftest import tiny_folder

    folder = tiny_folder(tmp_path / "model", seed=5)
    cache = tmp_path / "cache"
    repo_dir = cache / "models--test-org--lfs"
    commit = "c" * 40
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)
    snapshot = repo_dir / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo_dir / "blobs").mkdir()
    for name in ("config.json", "model.safetensors"):
        data = (folder / name).read_bytes()
        blob = repo_dir / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        os.symlink(os.path.relpath(blob, snapshot), snapshot / name)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    good = ganzoo.load("hf://test-org/lfs")
    assert torch.equal(weight(good), weight(ganzoo.load(str(folder))))
    blob = (snapshot / "model.safetensors").resolve()
    blob.write_bytes(blob.read_bytes()[:-4] + b"\0\0\0\0")  # damaged after download
    with pytest.raises(IntegrityError, match="damaged"):
        ganzoo.load("hf://test-org/lfs")
    if blob.exists() or (snapshot / "model.safetensors").exists():
        raise DataLost("the damaged blob is still in the cache")
