"""End to end through the installed CLI: a first-party model (dcgan) published on the loopback
Hub, pinned in a registry, pulled by `ganzoo pull`, listed as cached, then loaded offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import torch
import yaml
from hub_server import unique_repo

from ganzoo.building import build_model
from ganzoo.hub import sha256_of
from ganzoo.layout import save_pretrained


def ganzoo(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                          text=True, timeout=180, env={**os.environ, **env})


def test_pull_list_and_offline_load_of_a_first_party_model(hub_server, tmp_path):
    torch.manual_seed(0)
    model = build_model("dcgan", {"ngf": 8, "ndf": 8, "latent_dim": 8})
    folder = save_pretrained(model, tmp_path / "dcgan-tiny", card={"datasets": "digits"})
    repo = unique_repo("dcgan")
    commit = hub_server.publish(repo, folder)
    registry = tmp_path / "registry.yaml"
    registry.write_text(yaml.safe_dump({"schema": 1, "models": [{
        "name": "dcgan-tiny-digits", "aliases": ["dtd"], "variant": "dcgan",
        "task": "unconditional", "weights": {
            "repo": repo, "revision": commit,
            "sha256": sha256_of(folder / "model.safetensors")}}]}))
    env = {"HF_ENDPOINT": hub_server.endpoint, "HF_HUB_CACHE": str(tmp_path / "cache"),
           "GANZOO_REGISTRY": str(registry), "HF_HUB_OFFLINE": "0"}

    listed = ganzoo("list", "dcgan-tiny*", "--json", env=env)
    assert json.loads(listed.stdout)[0]["weights"] == "hub", listed.stderr
    pulled = ganzoo("pull", "dtd", env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert f"dtd: hub@{commit}" in pulled.stdout and "sha256 verified" in pulled.stdout
    listed = ganzoo("list", "dcgan-tiny*", "--json", env=env)
    assert json.loads(listed.stdout)[0]["weights"] == "cached"

    offline = {**env, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
    code = ("import ganzoo, torch; m = ganzoo.load('dcgan-tiny-digits'); x = m.sample(3, seed=0);"
            "print(tuple(x.shape), float(x.min()) >= 0.0, float(x.max()) <= 1.0)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=180, env={**os.environ, **offline})
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "(3, 1, 8, 8) True True"

    empty = ganzoo("pull", "dtd", env={**offline, "HF_HUB_CACHE": str(tmp_path / "empty")})
    assert empty.returncode == 1
    lines = empty.stderr.strip().splitlines()
    assert len(lines) == 1 and "HF_HUB_OFFLINE is set" in lines[0], empty.stderr
