"""``ganzoo train`` end to end: writes a loadable folder, refuses to clobber, resumes."""

import json

import pytest
from click.testing import CliRunner

import ganzoo
from ganzoo.cli import _add_core_commands, cli

_add_core_commands()

FAST = ["--set", "hidden=16", "--set", "layers=1", "--set", "sample_every=0",
        "--set", "threads=1", "--batch-size", "32"]


def train(*args):
    return CliRunner().invoke(cli, ["train", *args], catch_exceptions=False)


def test_train_writes_a_published_folder_that_loads_and_samples(tmp_path):
    out = tmp_path / "g"
    result = train("gan", "--data", "grid25", "--steps", "20", "--out", str(out), *FAST)
    assert result.exit_code == 0, result.output
    assert "20 iterations" in result.output and "modes_captured" in result.output
    for name in ("config.json", "model.safetensors", "README.md", "samples.png", "losses.png",
                 "metrics.jsonl", "train.json", "run.json", "checkpoints/last.safetensors"):
        assert (out / name).is_file(), name
    samples = ganzoo.load(str(out)).sample(2500, seed=0)
    assert tuple(samples.shape) == (2500, 2)
    config = json.loads((out / "config.json").read_text())
    assert config["variant"] == "gan" and config["config"]["hidden"] == 16
    card = (out / "README.md").read_text()
    assert "ganzoo train gan --data grid25" in card


def test_non_empty_out_is_refused_then_force_replaces(tmp_path):
    out = tmp_path / "g"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    result = CliRunner().invoke(cli, ["train", "gan", "--data", "ring8", "--steps", "2",
                                      "--out", str(out), *FAST])
    assert result.exit_code != 0
    assert "not empty; continue it with --resume, overwrite it with --force" in result.output
    assert train("gan", "--data", "ring8", "--steps", "2", "--out", str(out), "--force",
                 *FAST).exit_code == 0
    assert (out / "keep.txt").read_text() == "user file"  # --force replaces only run files


def test_resume_continues_with_saved_settings(tmp_path):
    out = tmp_path / "g"
    assert train("gan", "--data", "ring8", "--steps", "6", "--out", str(out), *FAST).exit_code == 0
    result = train("gan", "--resume", "--steps", "10", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 10
    assert json.loads((out / "run.json").read_text())["steps"] == 10


@pytest.mark.parametrize("args,message", [
    (["gan", "--data", "grid25", "--set", "colour=red"], "unknown setting(s) colour"),
    (["gan", "--data", "grid25", "--set", "colour=red"], "ganzoo info --variant gan --settings"),
    (["gan", "--data", "nope"], "unknown dataset 'nope'"),
    (["gan", "--resume"], "--resume needs --out"),
    (["nosuch", "--data", "grid25"], "unknown variant 'nosuch'"),
    (["gan", "--data", "grid25", "--set", "pack=two"], "expected an integer"),
    # A badly typed value names a correct one: the default, or a value of its type where the
    # default is None (automatic).
    (["gan", "--data", "grid25", "--set", "pack=two"], "(e.g. --set pack=1, its default)"),
    (["dcgan", "--data", "digits", "--set", "workers=abc"],
     "(e.g. --set workers=2, or leave it unset)"),
    (["gan", "--data", "grid25", "--set", "betas=0.5"], "(e.g. --set betas=[0.5,0.999]"),
])
def test_bad_input_is_one_line_error(args, message):
    result = CliRunner().invoke(cli, ["train", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_resume_refuses_changed_settings(tmp_path):
    out = tmp_path / "g"
    train("gan", "--data", "ring8", "--steps", "2", "--out", str(out), *FAST)
    result = CliRunner().invoke(cli, ["train", "gan", "--resume", "--out", str(out), "--set",
                                      "pack=4"])
    assert result.exit_code != 0 and "only --steps and --device may change" in result.output


def test_dcgan_on_digits_uses_data_hints_and_writes_an_image_grid(tmp_path):
    out = tmp_path / "d"
    result = train("dcgan", "--data", "digits", "--steps", "3", "--out", str(out),
                   "--set", "ngf=8", "--set", "ndf=8", "--set", "threads=1")
    assert result.exit_code == 0, result.output
    model = ganzoo.load(str(out))
    assert tuple(model.sample(4, seed=0).shape) == (4, 1, 8, 8)
    from PIL import Image

    assert Image.open(out / "samples.png").size[0] >= 8 * 8 * 4  # 64 upscaled digits


def test_the_hours_on_a_cpu_hint_offers_the_small_preset_only_where_it_shrinks_the_run(capsys):
    from types import SimpleNamespace

    from ganzoo.cli.train import SLOW_RUN_SECONDS, estimate_printer

    cpu = SimpleNamespace(device="cpu")
    for image_size, hint in [(64, "`--preset small`"), (8, "lower --steps")]:
        report = estimate_printer("r3gan", {"preset": None}, cpu,
                                  model_config=SimpleNamespace(image_size=image_size))
        report(1.0, SLOW_RUN_SECONDS + 1)  # an hour and a second left
        err = capsys.readouterr().err
        assert "hours on a CPU" in err and hint in err, (image_size, err)
