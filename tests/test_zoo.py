"""The zoo's first-party models: every registry entry loads from its shipped copy with a verified
sha256, aliases resolve, fp16 storage keeps outputs within 2/255, the shipped total stays small,
and `ganzoo list` / `ganzoo info` show them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

import ganzoo
from ganzoo.hub import sha256_of
from ganzoo.loading import resolve
from ganzoo.plugins import get_catalog
from ganzoo.registry import load_registry, shipped_registry_path

ROOT = Path(__file__).resolve().parent.parent
SIZE_BUDGET = 25 * 1000 * 1000
TOLERANCE = 2 / 255
#: What users type → the first-party model it must reach.
REQUIRED_ALIASES = ("cyclegan", "pix2pix", "cgan", "infogan", "dcgan", "srresnet")


def first_party_entries():
    """The entries of the repository's own registry.yaml (not user or plugin layers)."""
    data = yaml.safe_load(shipped_registry_path().read_text(encoding="utf-8"))
    return [entry["name"] for entry in data.get("models") or []]


ENTRIES = first_party_entries()


@pytest.fixture(autouse=True)
def _only_first_party_registry(monkeypatch, tmp_path):
    # A developer's ~/.config/ganzoo/registry.yaml or GANZOO_REGISTRY must not change results.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GANZOO_REGISTRY", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


def registry():
    return load_registry(get_catalog().pretrained_files)


def tiny_input(model) -> dict:
    """Arguments for one small, deterministic forward of ``model``."""
    channels = model.preprocessing().get("channels", 3) if hasattr(model, "preprocessing") else 3
    return {"images": torch.rand(1, channels, 24, 24, generator=torch.Generator().manual_seed(0))}


def run(model) -> torch.Tensor:
    """A deterministic output of ``model`` in [0, 1] (toy models: raw points)."""
    with torch.no_grad():
        if model.task in ("image-to-image", "super-resolution"):
            return model.translate(tiny_input(model)["images"])
        return model.sample(16, seed=0)


def test_registry_has_the_first_party_models():
    assert ENTRIES, "registry.yaml lists no first-party models"
    reg = registry()
    for alias in REQUIRED_ALIASES:
        assert reg.get(alias).name in ENTRIES and reg.get(alias).variant == alias, alias
    for name in ENTRIES:  # every alias an entry declares reaches that entry
        for alias in reg.get(name).aliases:
            assert reg.get(alias).name == name, (name, alias)


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_is_honest_and_complete(name):
    entry = registry().get(name)
    # A Hub pin is whole (repo and revision; the loader checks their form) or absent, and the
    # first-party copy ships either way.
    assert (entry.weights.repo is None) == (entry.weights.revision is None)
    assert entry.weights.shipped and entry.weights.size
    assert entry.license and entry.dataset and entry.recipe and entry.metrics
    assert set(entry.aliases) <= {entry.variant}  # an alias is the short name users type


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_loads_from_shipped_copy_and_sha256_verifies(name):
    entry = registry().get(name)
    found = resolve(name)  # verifies the pinned sha256
    assert found.origin == "shipped"
    assert sha256_of(found.weights) == entry.weights.sha256
    assert found.weights.stat().st_size == entry.weights.size
    model = ganzoo.load(name)
    assert model.variant.name == entry.variant
    output = run(model)
    assert torch.isfinite(output).all()
    if entry.task != "toy":
        assert 0 <= float(output.min()) and float(output.max()) <= 1


def test_alias_resolves_to_the_first_party_model():
    entry = registry().get("cyclegan")
    assert entry.name == "cyclegan-grade-s"
    assert resolve("cyclegan").weights == resolve(entry.name).weights


def test_tampered_shipped_weights_are_refused(tmp_path, monkeypatch):
    import shutil

    from ganzoo.hub import IntegrityError

    entry = registry().get("cyclegan")
    folder = resolve("cyclegan").weights.parent
    copy = tmp_path / "pkg" / "zoo_copy" / "model"
    shutil.copytree(folder, copy)
    (tmp_path / "pkg" / "zoo_copy" / "__init__.py").write_text("")
    data = bytearray((copy / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (copy / "model.safetensors").write_bytes(bytes(data))
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    registry_file = tmp_path / "tampered.yaml"
    registry_file.write_text(yaml.safe_dump({"schema": 1, "models": [{
        "name": "tampered", "variant": entry.variant, "task": entry.task,
        "weights": {"shipped": "zoo_copy:model", "sha256": entry.weights.sha256}}]}))
    monkeypatch.setenv("GANZOO_REGISTRY", str(registry_file))
    with pytest.raises(IntegrityError):
        ganzoo.load("tampered")


def half_ulp_noise(tensor: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Uniform noise of up to half an fp16 step around each value: an fp32 tensor that rounds
    to ``tensor`` in fp16 can differ from it by at most this much."""
    half = tensor.to(torch.float16)
    step = (torch.nextafter(half.float(), torch.full_like(half.float(), float("inf")))
            - half.float()).abs()
    step = torch.maximum(step, torch.full_like(step, 2 ** -24))
    noise = (torch.rand(tensor.shape, generator=generator) - 0.5) * step
    return tensor + noise


@pytest.mark.parametrize("name", ENTRIES)
def test_fp16_storage_keeps_outputs_within_2_of_255(name):
    """The shipped fp16 weights load into fp32 modules, and fp32 weights that round to them
    (their possible originals) give outputs within 2/255 of the shipped model's."""
    from safetensors import safe_open

    found = resolve(name)
    with safe_open(str(found.weights), framework="pt") as handle:
        dtypes = {handle.get_tensor(k).dtype for k in handle.keys()
                  if handle.get_tensor(k).is_floating_point()}
    model = ganzoo.load(name)
    if dtypes != {torch.float16}:
        pytest.skip(f"{name} ships {dtypes}, not fp16")
    assert all(p.dtype == torch.float32 for p in model.parameters())
    reference = run(model)
    generator = torch.Generator().manual_seed(1)
    for _ in range(2):
        original = ganzoo.load(name)
        with torch.no_grad():
            for network in original.generator_names:
                for tensor in getattr(original, network).state_dict().values():
                    if tensor.is_floating_point():
                        tensor.copy_(half_ulp_noise(tensor, generator))
        assert float((run(original) - reference).abs().max()) <= TOLERANCE


def test_install_time_fp16_check_recorded_within_tolerance():
    """fp16 copies record the install-time check within 2/255; fp32 ones have nothing to check."""
    for name in ENTRIES:
        record = json.loads((resolve(name).weights.parent / "metrics.json").read_text())
        assert record["dtype"] in ("float16", "float32"), name
        if record["dtype"] == "float16":
            assert record["fp16_vs_fp32_max_abs_diff"] <= TOLERANCE, name
        else:
            assert record["fp16_vs_fp32_max_abs_diff"] is None, name


def test_total_shipped_weights_within_budget():
    total = 0
    for name in ENTRIES:
        weights = resolve(name).weights
        total += weights.stat().st_size
    assert total <= SIZE_BUDGET, f"shipped weights total {total / 1e6:.1f} MB > 25 MB"


@pytest.mark.parametrize("name", ENTRIES)
def test_card_recipe_and_metrics_agree(name):
    """The card states the metrics the registry pins, and the recipe spells out the settings
    of the shipped config.json."""
    entry = registry().get(name)
    folder = resolve(name).weights.parent
    card = (folder / "README.md").read_text()
    assert card.startswith("---\n") and "![samples](sample.png)" in card
    assert (folder / "sample.png").stat().st_size > 0
    for metric, value in entry.metrics.items():
        assert f"| {metric} | {value} |" in card
    # The card says whether the model is on the Hub exactly as the registry pin does.
    assert ("**not published yet**" in card) == (entry.weights.repo is None)
    recipe = yaml.safe_load((folder / "recipe.yaml").read_text())
    assert recipe["name"] == name and recipe["variant"] == entry.variant
    config = json.loads((folder / "config.json").read_text())["config"]
    for key, value in recipe["set"].items():
        if key in config and key != "init_from":  # training-only: cleared in shipped configs
            expected = list(config[key]) if isinstance(config[key], (list, tuple)) else config[key]
            got = list(value) if isinstance(value, (list, tuple)) else value
            assert got == expected, f"{name}: recipe {key}={value!r}, config {config[key]!r}"
    assert name in entry.recipe


@pytest.mark.parametrize("name", ENTRIES)
def test_recipe_spells_out_every_setting_of_its_variant(name):
    """A setting added to a variant after its zoo model was trained must be pinned in the
    recipe, or a dataset recipe that sets it would change what `tools/train_zoo.py` retrains."""
    import dataclasses

    from ganzoo.building import variant_class

    folder = resolve(name).weights.parent
    recipe = yaml.safe_load((folder / "recipe.yaml").read_text())
    fields = {f.name for f in dataclasses.fields(variant_class(recipe["variant"])[1].Config)}
    missing = sorted(fields - set(recipe["set"]))
    assert not missing, f"{name}: recipe.yaml does not pin {missing}"


def ganzoo_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_list_shows_shipped_models_with_size():
    result = ganzoo_cli("list")
    assert result.returncode == 0, result.stderr
    for name in ENTRIES:
        line = next(line for line in result.stdout.splitlines() if line.startswith(name))
        assert "shipped" in line and " MB" in line
    rows = {row["name"]: row for row in json.loads(ganzoo_cli("list", "--json").stdout)}
    for name in ENTRIES:
        assert rows[name]["weights"] == "shipped" and rows[name]["size"] > 0


def test_info_shows_summary_and_metrics():
    result = ganzoo_cli("info", "cyclegan")
    assert result.returncode == 0, result.stderr
    entry = registry().get("cyclegan")
    assert entry.summary in result.stdout
    assert "metrics:" in result.stdout
    for metric, value in entry.metrics.items():
        assert f"{metric}: {value}" in result.stdout


def registry_models() -> list[dict]:
    return yaml.safe_load(shipped_registry_path().read_text(encoding="utf-8"))["models"]


def card_metrics(name: str) -> dict:
    return next(e for e in registry_models() if e["name"] == name)["metrics"]


def test_the_srgan_card_shows_the_adversarial_effect_over_its_srresnet():
    """SRGAN trades a little PSNR for texture (Ledig et al. 2017): the shipped SRGAN, fine-tuned
    from the shipped SRResNet, must be sharper (closer to the truth's gradient magnitude) and
    must not have gained PSNR, or its adversarial term did nothing."""
    srresnet, srgan = card_metrics("srresnet-x4-s"), card_metrics("srgan-x4-s")
    truth = srresnet["sharpness_ground_truth"]
    assert srgan["sharpness_ground_truth"] == truth
    assert abs(srgan["sharpness"] - truth) < abs(srresnet["sharpness"] - truth)
    assert srgan["psnr_y_db"] <= srresnet["psnr_y_db"]


def test_every_image_card_carries_kid_and_fid_with_its_sample_count():
    for entry in registry_models():
        if entry["task"] == "toy":  # 2-D points, not images: mode counts instead
            continue
        metrics = entry["metrics"]
        assert {"kid", "kid_std", "fid", "fid_kid_n", "fid_kid_reference"} <= set(metrics), \
            entry["name"]
        assert metrics["fid_kid_n"] >= 10 and metrics["kid"] < 1, entry["name"]


def test_a_toy_card_short_of_full_coverage_says_so_in_its_summary():
    """`ganzoo list` shows the summary: a toy model that misses modes must not read as a
    working one there."""
    for entry in registry_models():
        if entry["task"] != "toy":
            continue
        found, total = entry["metrics"]["modes_captured"].split("/")
        if int(found) < int(total) or entry["metrics"]["high_quality_percent"] < 90:
            assert "does NOT converge" in entry["summary"], entry["name"]


@pytest.mark.parametrize("name", ENTRIES)
def test_every_card_states_its_data_seed_and_wall_time(name):
    """What a reader needs to judge a number: what it trained on, which seed, for how long."""
    folder = resolve(name).weights.parent
    about = (folder / "README.md").read_text().split("## About this copy", 1)[1]
    recipe = yaml.safe_load((folder / "recipe.yaml").read_text())
    record = json.loads((folder / "metrics.json").read_text())
    assert "- Data: " in about
    assert f"- Training: seed {recipe['set']['seed']}, {record['train_seconds']} s wall" in about


@pytest.mark.parametrize("name", ENTRIES)
def test_every_card_gives_fid_and_kid_or_says_why_not(name):
    entry = registry().get(name)
    card = (resolve(name).weights.parent / "README.md").read_text()
    if "kid" in entry.metrics:
        assert "| kid |" in card and "| fid |" in card
    else:
        assert "FID/KID: not applicable" in card and "2-D points" in card
