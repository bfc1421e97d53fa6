"""Resolution order (local folder → cache → Hub → shipped), shipped copies, and `ganzoo pull`."""

from __future__ import annotations

import itertools
import json
import shutil

import pytest
import torch
from click.testing import CliRunner
from hub_server import unique_repo

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError
from ganzoo.hub import IntegrityError, sha256_of
from ganzoo.layout import save_pretrained
from ganzoo.loading import resolve

_add_core_commands()


def tiny_folder(path, seed: int):
    torch.manual_seed(seed)
    return save_pretrained(build_model("tiny"), path)


def weight(model) -> torch.Tensor:
    return model.generator.net[0].weight


_packages = itertools.count()


@pytest.fixture
def shipped_package(tmp_path, monkeypatch):
    """A fresh importable package holding a model folder ``weights/``; returns (path, spec)."""
    name = f"tiny_weights_pkg_{next(_packages)}"
    package = tmp_path / "site" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return package, f"{name}:weights"


def test_shipped_only_entry_loads_the_verified_copy(tiny_variant, shipped_package,
                                                    pin_registry, tmp_path):
    package, spec = shipped_package
    folder = tiny_folder(package / "weights", seed=1)
    sha = sha256_of(folder / "model.safetensors")
    pin_registry("tiny-shipped", "tiny", "toy",
                 weights={"shipped": spec, "sha256": sha})
    resolved = resolve("tiny-shipped")
    assert resolved.origin == "shipped"
    assert torch.equal(weight(ganzoo.load("tiny-shipped")), weight(ganzoo.load(str(folder))))
    pin_registry("tiny-shipped-bad", "tiny", "toy",
                 weights={"shipped": spec, "sha256": "0" * 64})
    with pytest.raises(IntegrityError, match=f"expected {'0' * 64}, got {sha}"):
        ganzoo.load("tiny-shipped-bad")


def test_order_local_then_cache_then_hub_then_shipped(
        tiny_variant, hub_server, hub_env, shipped_package, pin_registry, tmp_path, monkeypatch):
    package, spec = shipped_package
    folder = tiny_folder(package / "weights", seed=2)
    sha = sha256_of(folder / "model.safetensors")
    repo = unique_repo("order")
    commit = hub_server.publish(repo, folder)
    pin_registry("tiny-order", "tiny", "toy", weights={
        "repo": repo, "revision": commit, "sha256": sha, "shipped": spec})

    # Offline with an empty cache: the Hub cannot help, the shipped copy does.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve("tiny-order").origin == "shipped"
    # Online: the Hub comes before the shipped copy, and fills the cache ...
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert resolve("tiny-order").origin == "hub"
    # ... which then comes before the Hub (even offline).
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve("tiny-order").origin == "cache"
    # A local folder named like the entry wins over all of them.
    monkeypatch.chdir(tmp_path)
    local = tiny_folder(tmp_path / "tiny-order", seed=3)
    assert resolve("tiny-order").origin == "local"
    assert torch.equal(weight(ganzoo.load("tiny-order")), weight(ganzoo.load(str(local))))


def test_a_mismatch_is_never_hidden_by_the_shipped_copy(
        tiny_variant, hub_server, hub_env, shipped_package, pin_registry, tmp_path):
    package, spec = shipped_package
    folder = tiny_folder(package / "weights", seed=4)
    repo = unique_repo("mismatch")
    commit = hub_server.publish(repo, tiny_folder(tmp_path / "other", seed=5))
    pin_registry("tiny-mm", "tiny", "toy", weights={
        "repo": repo, "revision": commit, "sha256": sha256_of(folder / "model.safetensors"),
        "shipped": spec})
    with pytest.raises(IntegrityError):
        ganzoo.load("tiny-mm")


def test_registry_config_overrides_apply(tiny_variant, shipped_package, pin_registry):
    package, spec = shipped_package
    folder = tiny_folder(package / "weights", seed=6)
    config = json.loads((folder / "config.json").read_text())
    pin_registry("tiny-override", "tiny", "toy", config={"latent_dim": 4},
                 weights={"shipped": spec,
                          "sha256": sha256_of(folder / "model.safetensors")})
    assert ganzoo.load("tiny-override").config.latent_dim == config["config"]["latent_dim"]
    pin_registry("tiny-override-bad", "tiny", "toy", config={"hidden": 5},
                 weights={"shipped": spec,
                          "sha256": sha256_of(folder / "model.safetensors")})
    with pytest.raises(GanzooError, match="mis-shaped"):
        ganzoo.load("tiny-override-bad")


def test_local_sources(tiny_variant, tmp_path):
    folder = tiny_folder(tmp_path / "m", seed=7)
    from_file = ganzoo.load(str(folder / "model.safetensors"))
    assert torch.equal(weight(from_file), weight(ganzoo.load(str(folder))))
    with pytest.raises(GanzooError, match="does not exist"):
        ganzoo.load(str(tmp_path / "nowhere"))
    shutil.copy(folder / "model.safetensors", tmp_path / "lonely.safetensors")
    with pytest.raises(GanzooError, match="has no config.json"):
        ganzoo.load(str(tmp_path / "lonely.safetensors"))
    with pytest.raises(GanzooError, match="no pretrained model named 'no-such-model'"):
        ganzoo.load("no-such-model")
    with pytest.raises(GanzooError, match="not a Hub source"):
        ganzoo.load("hf://just-a-name")


def test_pull_prefetches_and_list_marks_cached(tiny_variant, hub_server, hub_env, pin_registry,
                                               tmp_path):
    folder = tiny_folder(tmp_path / "m", seed=8)
    repo = unique_repo("pull")
    commit = hub_server.publish(repo, folder)
    pin_registry("tiny-pull", "tiny", "toy", weights={
        "repo": repo, "revision": commit, "sha256": sha256_of(folder / "model.safetensors")})
    runner = CliRunner()
    listed = runner.invoke(cli, ["list", "tiny-pull", "--json"])
    assert json.loads(listed.output)[0]["weights"] == "hub"
    result = runner.invoke(cli, ["pull", "tiny-pull"])
    assert result.exit_code == 0, result.output
    assert f"tiny-pull: hub@{commit}" in result.output and "sha256 verified" in result.output
    listed = runner.invoke(cli, ["list", "tiny-pull", "--json"])
    assert json.loads(listed.output)[0]["weights"] == "cached"
    again = runner.invoke(cli, ["pull", "tiny-pull"])
    assert f"tiny-pull: cache@{commit}" in again.output
    missing = runner.invoke(cli, ["pull", "hf://test-org/not-there"])
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("Error: repository test-org/not-there not found")
    assert len(missing.output.strip().splitlines()) == 1


def test_a_tampered_file_is_reported_before_config_problems(tiny_variant, shipped_package,
                                                            pin_registry):
    package, spec = shipped_package
    folder = tiny_folder(package / "weights", seed=9)
    (folder / "config.json").write_text('{"variant": "ghost", "config": {}}')
    pin_registry("tiny-ghost", "tiny", "toy", weights={"shipped": spec, "sha256": "1" * 64})
    with pytest.raises(IntegrityError, match="sha256 mismatch"):
        ganzoo.load("tiny-ghost")
