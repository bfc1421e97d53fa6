"""Downloading pinned weights through the real Hub client from a real loopback server (olah)."""

from __future__ import annotations

import pytest
import torch
from hub_server import unique_repo

import ganzoo
from ganzoo.building import build_model
from ganzoo.errors import GanzooError
from ganzoo.hub import IntegrityError, sha256_of, weights_status
from ganzoo.layout import save_pretrained
from ganzoo.loading import resolve
from ganzoo.plugins import get_catalog
from ganzoo.registry import load_registry


def tiny_folder(path, seed: int, **values):
    torch.manual_seed(seed)
    return save_pretrained(build_model("tiny", values), path)


def first_weight(model) -> torch.Tensor:
    return model.generator.net[0].weight


@pytest.fixture
def published(tiny_variant, hub_server, hub_env, pin_registry, tmp_path):
    """A repo with two commits; the registry pins the first. Returns (repo, commit, folder)."""
    repo = unique_repo("tiny")
    first = tiny_folder(tmp_path / "first", seed=1)
    commit = hub_server.publish(repo, first, "first weights")
    hub_server.publish(repo, tiny_folder(tmp_path / "second", seed=2), "newer weights")
    pin_registry("tiny-pinned", "tiny", "toy", aliases=["tp"],
                 weights={"repo": repo, "revision": commit,
                          "sha256": sha256_of(first / "model.safetensors")})
    return repo, commit, first


def test_load_by_name_downloads_the_pinned_revision(published, hub_env):
    repo, commit, first = published
    model = ganzoo.load("tp")
    expected = ganzoo.load(str(first))
    assert torch.equal(first_weight(model), first_weight(expected))
    snapshot = hub_env / f"models--{repo.replace('/', '--')}" / "snapshots" / commit
    assert (snapshot / "model.safetensors").is_file() and (snapshot / "config.json").is_file()
    again = resolve("tiny-pinned")
    assert again.origin == "cache" and again.revision == commit


def test_hf_source_follows_branch_or_revision(published, tmp_path):
    repo, commit, first = published
    latest = ganzoo.load(f"hf://{repo}")
    pinned = ganzoo.load(f"hf://{repo}@{commit}")
    assert torch.equal(first_weight(pinned), first_weight(ganzoo.load(str(first))))
    assert not torch.equal(first_weight(latest), first_weight(pinned))
    assert resolve(f"hf://{repo}").revision != commit


def test_second_load_is_served_from_cache_with_the_server_stopped(
        tiny_variant, fresh_hub_server, pin_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", fresh_hub_server.endpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    repo = unique_repo("stop")
    folder = tiny_folder(tmp_path / "m", seed=3)
    commit = fresh_hub_server.publish(repo, folder)
    pin_registry("tiny-stop", "tiny", "toy", weights={
        "repo": repo, "revision": commit, "sha256": sha256_of(folder / "model.safetensors")})
    entry = load_registry(get_catalog().pretrained_files).get("tiny-stop")
    assert weights_status(entry) == "hub"
    first = ganzoo.load("tiny-stop")
    assert weights_status(entry) == "cached"
    fresh_hub_server.stop()
    assert resolve("tiny-stop").origin == "cache"
    assert torch.equal(first_weight(ganzoo.load("tiny-stop")), first_weight(first))


def test_offline_with_empty_cache_says_what_to_do(published, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(GanzooError) as err:
        ganzoo.load("tiny-pinned")
    message = str(err.value)
    assert "not in the local Hugging Face cache" in message and "HF_HUB_OFFLINE" in message
    assert "HF_ENDPOINT" in message and "local model folder" in message


@pytest.mark.slow  # the client retries a refused connection for ~20 s before giving up
def test_unreachable_server_says_what_to_do(published, monkeypatch):
    from hub_server import _free_port

    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(GanzooError, match="cannot download .*connect, set HF_ENDPOINT"):
        ganzoo.load("tiny-pinned")


def test_sha256_mismatch_is_refused_naming_both_hashes(tiny_variant, hub_server, hub_env,
                                                        pin_registry, tmp_path):
    repo = unique_repo("tampered")
    genuine = tiny_folder(tmp_path / "genuine", seed=4)
    # The "tampered" file is a valid safetensors file: only the pin can tell it apart.
    commit = hub_server.publish(repo, tiny_folder(tmp_path / "other", seed=5))
    expected = sha256_of(genuine / "model.safetensors")
    actual = sha256_of(tmp_path / "other" / "model.safetensors")
    pin_registry("tiny-tampered", "tiny", "toy",
                 weights={"repo": repo, "revision": commit, "sha256": expected})
    with pytest.raises(IntegrityError) as err:
        ganzoo.load("tiny-tampered")
    assert f"expected {expected}, got {actual}" in str(err.value)
    with pytest.raises(IntegrityError):  # still refused when served from the cache
        ganzoo.load("tiny-tampered")


def test_missing_file_repo_and_branch_are_named(tiny_variant, hub_server, hub_env, tmp_path):
    repo = unique_repo("partial")
    hub_server.publish(repo, {"config.json": b'{"variant": "tiny", "config": {}}'})
    with pytest.raises(GanzooError, match=rf"{repo}@\w+ has no file model.safetensors "
                                          r"\(it has: config.json\)"):
        ganzoo.load(f"hf://{repo}")
    with pytest.raises(GanzooError, match=r"repository test-org/absent not found"):
        ganzoo.load("hf://test-org/absent")
    with pytest.raises(GanzooError, match=rf"revision no-such-branch not found in {repo}"):
        ganzoo.load(f"hf://{repo}@no-such-branch")


@pytest.mark.slow  # the client retries the server's 500 for ~20 s before giving up
def test_unknown_pinned_revision_is_named(published, pin_registry):
    repo, _, first = published
    pin_registry("tiny-badrev", "tiny", "toy", weights={
        "repo": repo, "revision": "0" * 40, "sha256": sha256_of(first / "model.safetensors")})
    with pytest.raises(GanzooError, match=f"revision {'0' * 40} not found in {repo}"):
        ganzoo.load("tiny-badrev")


def test_pickle_in_place_of_safetensors_is_refused(tiny_variant, hub_server, hub_env, tmp_path):
    folder = tiny_folder(tmp_path / "m", seed=6)
    model = ganzoo.load(str(folder))
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin")
    repo = unique_repo("pickle")
    hub_server.publish(repo, {"config.json": (folder / "config.json").read_bytes(),
                              "pytorch_model.bin": (tmp_path / "pytorch_model.bin").read_bytes()})
    with pytest.raises(GanzooError, match="pickles are never loaded.*ganzoo convert"):
        ganzoo.load(f"hf://{repo}")
    with pytest.raises(GanzooError, match="never loads pickles"):
        ganzoo.load(str(tmp_path / "pytorch_model.bin"))


def test_truncated_safetensors_from_the_hub(tiny_variant, hub_server, hub_env, tmp_path):
    folder = tiny_folder(tmp_path / "m", seed=7)
    data = (folder / "model.safetensors").read_bytes()
    repo = unique_repo("truncated")
    hub_server.publish(repo, {"config.json": (folder / "config.json").read_bytes(),
                              "model.safetensors": data[: len(data) - 40]})
    with pytest.raises(GanzooError, match="truncated or not a safetensors file"):
        ganzoo.load(f"hf://{repo}")


def test_uninstalled_variant_from_the_hub_names_the_plugin(tiny_variant, hub_server, hub_env,
                                                            tmp_path, monkeypatch):
    registry = tmp_path / "registry.yaml"
    registry.write_text("schema: 1\nplugins:\n  ghost: ganzoo-ghost\n")
    monkeypatch.setenv("GANZOO_REGISTRY", str(registry))
    folder = tiny_folder(tmp_path / "m", seed=8)
    repo = unique_repo("ghost")
    hub_server.publish(repo, {"config.json": b'{"variant": "ghost", "config": {}}',
                              "model.safetensors": (folder / "model.safetensors").read_bytes()})
    with pytest.raises(GanzooError, match="variant 'ghost', which is not installed; "
                                          "pip install ganzoo-ghost"):
        ganzoo.load(f"hf://{repo}")
