"""A new user's first hour with their own images: the commands that used to fail, each now
working or refused in one line that names the fix, before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ganzoo.cli import _add_core_commands, cli
from ganzoo.cli.train import undo_unstarted_run

_add_core_commands()
QUICK = ["--set", "sample_every=0", "--set", "threads=1", "--set", "ngf=8", "--set", "ndf=8"]


def ganzoo(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output and "unexpected" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    for i in range(6):
        Image.fromarray(rng.integers(0, 255, (40, 52, 3), dtype=np.uint8)).save(folder / f"{i}.jpg")
    return folder


@pytest.fixture(scope="module")
def gray_photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gray")
    rng = np.random.default_rng(1)
    for i in range(4):
        Image.fromarray(rng.integers(0, 255, (20, 20), dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


def config_of(out: Path) -> dict:
    return json.loads((out / "config.json").read_text())["config"]


def test_a_colour_folder_trains_a_colour_model_at_the_datas_size(photos, tmp_path):
    out = tmp_path / "run"
    result = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--batch-size", 4,
                    "--steps", 1, "--out", out, *QUICK)
    assert result.exit_code == 0, result.output
    assert (config_of(out)["channels"], config_of(out)["image_size"]) == (3, 64)
    sized = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--batch-size", 4,
                   "--steps", 1, "--out", tmp_path / "small", "--set", "image_size=16", *QUICK)
    assert sized.exit_code == 0, sized.output
    assert config_of(tmp_path / "small")["image_size"] == 16  # an explicit setting wins


def test_a_grayscale_folder_trains_a_grayscale_model(gray_photos, tmp_path):
    out = tmp_path / "run"
    result = ganzoo("train", "dcgan", "--data", f"folder:{gray_photos}", "--batch-size", 2,
                    "--steps", 1, "--out", out, "--set", "image_size=16", *QUICK)
    assert result.exit_code == 0, result.output
    assert config_of(out)["channels"] == 1


@pytest.mark.parametrize("args,words", [
    (["train", "cgan", "--data", "folder:{photos}"],
     "cgan trains on digits, labelled data, not 'folder'"),
    (["train", "pix2pix", "--data", "unpaired:{photos}"],
     "pix2pix trains on paired data, not 'unpaired'"),
    (["train", "pix2pix"], "it trains on paired, e.g. --data paired:PATH"),
    (["train", "dcgan", "--data", "ring8"], "dcgan trains on digits, folder, images, labelled"),
    (["train", "gan", "--data", "ring8", "--steps", "5", "--set", "steps=3"],
     "--steps 5 and --set steps=3 disagree"),
    (["train", "dcgan", "--data", "{photos}"], "put the data kind before the path, e.g. --data "
                                               "folder:"),
    (["train", "dcgan", "--data", "folde:{photos}"], "did you mean 'folder'?"),
    (["train", "dcgan", "--data", "digits", "--set", "stpes=3"], "did you mean 'steps'?"),
    (["train", "cyclegan", "--data", "unpaired:{photos}", "--preset", "tiny"],
     "cyclegan has no preset 'tiny' (its presets: small)"),
])
def test_mismatches_are_refused_in_one_line_before_anything_is_written(args, words, photos,
                                                                       tmp_path):
    out = tmp_path / "out"
    result = ganzoo(*[a.format(photos=photos) for a in args], "--out", out)
    assert result.exit_code != 0
    assert words in result.output, result.output
    assert not out.exists()


def test_a_failed_first_start_does_not_block_the_corrected_command(photos, tmp_path):
    out = tmp_path / "run"
    first = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--out", out, *QUICK)
    assert first.exit_code != 0
    assert "fewer than one batch of 64 per process; lower --batch-size (e.g. --batch-size 6)" \
        in first.output
    assert not out.exists()
    retry = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--batch-size", 4,
                   "--steps", 1, "--out", out, *QUICK)
    assert retry.exit_code == 0, retry.output


def test_a_run_that_dies_before_its_first_checkpoint_leaves_the_folder_as_it_was(tmp_path):
    existing = tmp_path / "mine"
    existing.mkdir()
    (existing / "train.json").write_text("{}")
    (existing / "notes.txt").write_text("the user's")
    undo_unstarted_run(existing, created=False)
    assert sorted(p.name for p in existing.iterdir()) == ["notes.txt"]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "train.json").write_text("{}")
    undo_unstarted_run(fresh, created=True)
    assert not fresh.exists()
    started = tmp_path / "started"
    (started / "checkpoints").mkdir(parents=True)
    (started / "train.json").write_text("{}")
    undo_unstarted_run(started, created=True)
    assert (started / "train.json").exists()  # a run with a checkpoint continues with --resume


def test_read_only_out_is_refused_up_front(photos, tmp_path):
    from read_only import read_only_folder

    with read_only_folder(tmp_path / "locked") as locked:
        result = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--out", locked / "run")
        assert result.exit_code != 0 and "permission denied" in result.output
        assert not (locked / "run").exists()


def test_small_preset_and_the_time_estimate(photos, tmp_path):
    out = tmp_path / "run"
    result = ganzoo("train", "dcgan", "--data", f"folder:{photos}", "--preset", "small",
                    "--batch-size", 4, "--steps", 6, "--out", out, "--set", "sample_every=0",
                    "--set", "threads=1")
    assert result.exit_code == 0, result.output
    config = config_of(out)
    assert (config["image_size"], config["ngf"]) == (32, 32)
    assert json.loads((out / "train.json").read_text())["preset"] == "small"
    assert "s per iteration; 2 more take about" in result.output


def test_list_datasets_shows_every_kind_with_its_layout():
    result = ganzoo("list", "--datasets")
    assert result.exit_code == 0
    for kind in ("folder", "images", "digits", "paired", "unpaired", "sr", "labelled"):
        assert f"\n{kind}  (" in "\n" + result.output
    assert "PATH/trainA/ and PATH/trainB/" in result.output
