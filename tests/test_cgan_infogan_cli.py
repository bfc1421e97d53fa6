"""``ganzoo train cgan|infogan --data digits`` then ``ganzoo sample`` from the trained folder,
with no flags that must match training, and one-line errors for bad conditioning."""

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from ganzoo.cli import _add_core_commands, cli

_add_core_commands()


def run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Both variants trained for a few real iterations through the CLI."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}
    for variant in ("cgan", "infogan"):
        out = root / variant
        result = run("train", variant, "--data", "digits", "--steps", 4, "--batch-size", 16,
                     "--set", "threads=1", "--set", "checkpoint_every=0", "--out", out)
        assert result.exit_code == 0, result.output
        folders[variant] = out
    return folders


def grid_shape(path):
    return Image.open(path).size


def test_trained_folders_describe_their_conditioning(trained):
    cgan = json.loads((trained["cgan"] / "config.json").read_text())
    assert cgan["variant"] == "cgan" and cgan["config"]["num_classes"] == 10
    infogan = json.loads((trained["infogan"] / "config.json").read_text())
    assert infogan["config"]["num_categories"] == 10 and infogan["config"]["num_continuous"] == 2
    assert (trained["infogan"] / "traversal.png").is_file()


def test_cgan_sample_label_and_class_by_row_grid(trained, tmp_path):
    result = run("sample", trained["cgan"], "--label", 3, "--n", 16, "--out", tmp_path / "3.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "3.png").is_file()
    result = run("sample", trained["cgan"], "--out", tmp_path / "grid.png")
    assert result.exit_code == 0, result.output
    width, height = grid_shape(tmp_path / "grid.png")
    assert height > width * 0.8  # ten class rows: about as tall as wide


def test_infogan_sample_codes_and_traversal(trained, tmp_path):
    result = run("sample", trained["infogan"], "--category", 2, "--continuous", "0.5,-1",
                 "--n", 8, "--out", tmp_path / "c2.png")
    assert result.exit_code == 0, result.output
    result = run("sample", trained["infogan"], "--out", tmp_path / "traversal.png")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("variant,args,message", [
    ("cgan", ["--label", 12], "label 12 is outside the trained classes 0-9"),
    ("infogan", ["--category", 11], "category 11 is out of range"),
    ("infogan", ["--continuous", "1"], "2 continuous code(s), got a vector of length 1"),
])
def test_bad_conditioning_is_a_one_line_error(trained, tmp_path, variant, args, message):
    result = run("sample", trained[variant], *args, "--out", tmp_path / "x.png")
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
