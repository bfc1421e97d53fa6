"""``ganzoo convert``: pickled checkpoints → the published layout, never unpickling code."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from safetensors import safe_open

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.convert import convert_checkpoint
from ganzoo.errors import GanzooError

_add_core_commands()


class NotATensor:
    """Pickled into a checkpoint to prove weights_only refuses arbitrary objects."""


def foreign_tiny_checkpoint(path, hidden: int = 6):
    """A checkpoint as another project would write it: generator under ``G.``."""
    torch.manual_seed(0)
    source = build_model("tiny", {"hidden": hidden})
    state = {f"G.{k}": v for k, v in source.generator.state_dict().items()}
    torch.save(state, path)
    return source


def test_cli_converts_through_the_variant_hook(tiny_variant, tmp_path):
    source = foreign_tiny_checkpoint(tmp_path / "G.pth")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "G.pth"), "--variant", "tiny",
                                      "--set", "hidden=6", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["variant"] == "tiny" and config["config"]["hidden"] == 6
    with safe_open(tmp_path / "out" / "model.safetensors", "pt") as f:
        assert all(k.startswith("generator.") for k in f.keys())  # no D in the checkpoint
    model = ganzoo.load(str(tmp_path / "out"))
    source.eval()
    assert torch.equal(model.sample(4, seed=1), source.sample(4, seed=1))
    card = (tmp_path / "out" / "README.md").read_text()
    assert "ganzoo convert" in card and "--set hidden=6" in card


def test_existing_output_needs_force(tiny_variant, tmp_path):
    foreign_tiny_checkpoint(tmp_path / "G.pth")
    args = ["convert", str(tmp_path / "G.pth"), "--variant", "tiny", "--set", "hidden=6",
            "--out", str(tmp_path / "out")]
    runner = CliRunner()
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


def test_wrong_config_gives_the_key_diff(tiny_variant, tmp_path):
    foreign_tiny_checkpoint(tmp_path / "G.pth", hidden=6)
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "G.pth"), "--variant", "tiny",
                                      "--out", str(tmp_path / "out")])  # default hidden=8
    assert result.exit_code == 1
    assert "mis-shaped: generator.net.0.bias (file (6,) vs model (8,))" in result.output
    assert not (tmp_path / "out").exists()


def test_pickled_code_is_refused(tiny_variant, tmp_path):
    torch.save({"G.net.0.weight": torch.zeros(1), "payload": NotATensor()}, tmp_path / "evil.pth")
    with pytest.raises(GanzooError, match=r"wants to run code when loaded "
                                          r"\(test_convert.NotATensor\), so it was refused"):
        convert_checkpoint(tmp_path / "evil.pth", "tiny", tmp_path / "out")
    (tmp_path / "broken.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(GanzooError, match="not a readable PyTorch checkpoint"):
        convert_checkpoint(tmp_path / "broken.pth", "tiny", tmp_path / "out")
    with pytest.raises(GanzooError, match="does not exist"):
        convert_checkpoint(tmp_path / "absent.pth", "tiny", tmp_path / "out")


def test_default_mapping_unwraps_containers_and_bare_generators(tmp_path):
    """A variant without a hook (first-party ``gan``): our keys, ``module.``, containers."""
    values = {"hidden": 16, "layers": 1}
    torch.manual_seed(0)
    source = build_model("gan", values)
    wrapped = {"state_dict": {f"module.{k}": v for k, v in source.state_dict().items()},
               "epoch": 3}
    torch.save(wrapped, tmp_path / "full.pth")
    full = convert_checkpoint(tmp_path / "full.pth", "gan", tmp_path / "full", values=values)
    with safe_open(full / "model.safetensors", "pt") as f:
        assert any(k.startswith("discriminator.") for k in f.keys())
    torch.save(source.generator.state_dict(), tmp_path / "bare.pt")
    bare = convert_checkpoint(tmp_path / "bare.pt", "gan", tmp_path / "bare", values=values)
    for folder in (full, bare):
        loaded = ganzoo.load(str(folder))
        for key, value in source.generator.state_dict().items():
            assert torch.equal(loaded.generator.state_dict()[key], value), key


def test_unknown_variant_names_the_plugin(tmp_path, monkeypatch):
    registry = tmp_path / "registry.yaml"
    registry.write_text("schema: 1\nplugins:\n  ghost: ganzoo-ghost\n")
    monkeypatch.setenv("GANZOO_REGISTRY", str(registry))
    torch.save({"w": torch.zeros(1)}, tmp_path / "c.pth")
    with pytest.raises(GanzooError, match="pip install ganzoo-ghost"):
        convert_checkpoint(tmp_path / "c.pth", "ghost", tmp_path / "out")
