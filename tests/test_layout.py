"""The published-model layout: save_pretrained → folder → load_pretrained_folder."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open

from ganzoo.atomic_file import write_atomic
from ganzoo.building import build_model
from ganzoo.errors import GanzooError
from ganzoo.layout import (
    load_pretrained_folder,
    read_config,
    save_pretrained,
)
from ganzoo.model_card import read_front_matter


@pytest.fixture
def trained_tiny(tiny_variant):
    """A tiny model with non-default weights and BatchNorm statistics."""
    torch.manual_seed(0)
    model = build_model("tiny", {"hidden": 6})
    model.train()
    with torch.no_grad():
        model.generator(torch.randn(32, 4) * 3 + 1)  # moves BatchNorm running stats
        for p in model.parameters():
            p.add_(0.1)
    return model


def test_save_writes_config_weights_and_card(trained_tiny, tmp_path):
    folder = save_pretrained(trained_tiny, tmp_path / "m",
                             card={"datasets": "grid25", "license": "mit", "sample": "s.png"})
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json",
                                                         "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["variant"] == "tiny" and config["task"] == "toy"
    assert config["plugin"] == {"name": "ganzoo-tiny", "version": "?"}
    assert config["config"] == {"hidden": 6, "latent_dim": 4}
    assert config["preprocessing"] == {"value_range": [-1.0, 1.0]}
    assert config == read_config(folder)
    with safe_open(folder / "model.safetensors", "pt") as f:
        keys = set(f.keys())
        meta = f.metadata()
    assert "generator.net.0.weight" in keys and "discriminator.net.2.bias" in keys
    assert "generator.net.1.running_mean" in keys
    assert not any("scratch" in k or k.startswith("criterion") for k in keys)
    assert meta["library"] == "ganzoo" and meta["variant"] == "tiny"
    card = (folder / "README.md").read_text()
    front = read_front_matter(card)
    assert front["library_name"] == "ganzoo" and front["license"] == "mit"
    assert front["datasets"] == ["grid25"] and "tiny" in front["tags"]
    assert front["pipeline_tag"] == "unconditional-image-generation"
    assert "![samples](s.png)" in card and "| `hidden` | `6` |" in card


def test_round_trip_restores_weights_and_statistics(trained_tiny, tmp_path):
    save_pretrained(trained_tiny, tmp_path / "m")
    loaded = load_pretrained_folder(tmp_path / "m", device="cpu")
    assert not loaded.training and type(loaded).__name__ == "TinyGAN"
    assert loaded.variant.name == "tiny"
    original = trained_tiny.state_dict()
    for key, value in loaded.state_dict().items():
        assert torch.equal(value, original[key]), key
    trained_tiny.eval()
    assert torch.equal(loaded.sample(5, seed=3), trained_tiny.sample(5, seed=3))


def test_generator_only_folder_loads(trained_tiny, tmp_path):
    save_pretrained(trained_tiny, tmp_path / "g", include_discriminator=False)
    with safe_open(tmp_path / "g" / "model.safetensors", "pt") as f:
        assert all(k.startswith("generator.") for k in f.keys())
    loaded = load_pretrained_folder(tmp_path / "g")
    assert torch.equal(loaded.generator.net[0].weight, trained_tiny.generator.net[0].weight)


def test_existing_files_are_not_overwritten(trained_tiny, tmp_path):
    save_pretrained(trained_tiny, tmp_path / "m")
    before = (tmp_path / "m" / "model.safetensors").read_bytes()
    with torch.no_grad():
        trained_tiny.generator.net[0].weight.mul_(2)
    with pytest.raises(GanzooError, match="--force"):
        save_pretrained(trained_tiny, tmp_path / "m")
    assert (tmp_path / "m" / "model.safetensors").read_bytes() == before
    save_pretrained(trained_tiny, tmp_path / "m", overwrite=True)
    assert (tmp_path / "m" / "model.safetensors").read_bytes() != before
    assert not [p for p in (tmp_path / "m").iterdir() if p.name.endswith(".tmp")]


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "config.json"
    target.write_text("old")

    def explode(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, explode)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_mismatched_weights_give_a_readable_diff(trained_tiny, tmp_path):
    folder = save_pretrained(trained_tiny, tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["config"]["hidden"] = 7
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(GanzooError, match=r"mis-shaped: discriminator\.net\.0\.bias "
                                          r"\(file \(6,\) vs model \(7,\)\)") as err:
        load_pretrained_folder(folder)
    assert "\n" not in str(err.value)


def test_missing_and_unexpected_keys_are_named(trained_tiny, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = save_pretrained(trained_tiny, tmp_path / "m")
    tensors = load_file(folder / "model.safetensors")
    tensors["generator.extra"] = torch.zeros(1)
    del tensors["generator.net.3.bias"]
    save_file(tensors, folder / "model.safetensors")
    with pytest.raises(GanzooError, match=r"missing: generator\.net\.3\.bias; "
                                          r"unexpected: generator\.extra"):
        load_pretrained_folder(folder)


def test_uninstalled_variant_names_the_plugin(tiny_variant, tmp_path, monkeypatch):
    registry = tmp_path / "registry.yaml"
    registry.write_text("schema: 1\nplugins:\n  ghost: ganzoo-ghost\nmodels: []\n")
    monkeypatch.setenv("GANZOO_REGISTRY", str(registry))
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"variant": "ghost", "config": {}}))
    (folder / "model.safetensors").write_bytes(b"")
    with pytest.raises(GanzooError, match="variant 'ghost', which is not installed; "
                                          "pip install ganzoo-ghost"):
        load_pretrained_folder(folder)


def test_truncated_weights_are_a_clear_error(trained_tiny, tmp_path):
    folder = save_pretrained(trained_tiny, tmp_path / "m")
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(GanzooError, match="truncated or not a safetensors file"):
        load_pretrained_folder(folder)


def test_bad_config_files(tmp_path):
    with pytest.raises(GanzooError, match="has no config.json"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(GanzooError, match="not valid JSON"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text('{"variant": "tiny"}')
    with pytest.raises(GanzooError, match="lacks config"):
        read_config(tmp_path)


def test_pickle_instead_of_safetensors_is_refused(trained_tiny, tmp_path):
    folder = save_pretrained(trained_tiny, tmp_path / "m")
    (folder / "model.safetensors").unlink()
    torch.save(trained_tiny.state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(GanzooError, match="pickles are never loaded"):
        load_pretrained_folder(folder)


def test_weights_modules_import_without_torch():
    """`ganzoo list` imports ganzoo.hub; the CLI imports pull/publish/convert: keep them light."""
    import subprocess
    import sys

    code = ("import sys, ganzoo.hub, ganzoo.loading, ganzoo.layout, ganzoo.convert, "
            "ganzoo.model_card, ganzoo.cli.pull, ganzoo.cli.publish, ganzoo.cli.convert; "
            "print(sorted(m for m in ('torch', 'safetensors', 'huggingface_hub') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
