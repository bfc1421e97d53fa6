"""``--set compile=true``: compiled networks train like eager ones (a gradient penalty
included), their checkpoints and saved models carry the eager state-dict keys, and a platform
that cannot compile is refused in one line."""

import json
import os
import subprocess
import sys

import pytest
import torch
from click.testing import CliRunner

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.data.toy import ring8
from ganzoo.errors import GanzooError
from ganzoo.train import TrainConfig, Trainer
from ganzoo.train.checkpoint import checkpoint_path, load_checkpoint
from ganzoo.train.compiled_networks import check_compile_works

_add_core_commands()


@pytest.fixture(scope="module")
def needs_compile():
    """Skips, naming the reason, where the installed torch cannot compile on this platform
    (probed once, when a test asks: collecting the suite compiles nothing)."""
    try:
        check_compile_works()
    except GanzooError as error:
        pytest.skip(f"torch.compile cannot run here: {error}")


# A tiny MLP GAN with R1 at every D step: the penalty's double backward runs each iteration.
SMALL = {"hidden": 32, "layers": 2, "penalty": "r1", "penalty_weight": 1.0, "penalty_every": 1}
#: Compiled kernels may fuse and reorder float operations; over 6 iterations the logged losses
#: stay within this relative distance of eager ones (measured on this CPU: identical).
LOSS_RTOL = 1e-4


def losses(compile: bool) -> list[dict]:
    torch.manual_seed(0)
    model = build_model("gan", SMALL)
    config = TrainConfig(steps=6, batch_size=32, device="cpu", sample_every=0,
                         checkpoint_every=0, log_every=1, preview_count=8, threads=1,
                         compile=compile)
    trainer = Trainer(model, ring8(points=512), config)
    trainer.fit()
    return trainer.history


@pytest.mark.slow
def test_compiled_training_follows_the_eager_loss_trajectory_with_a_penalty(needs_compile):
    from torch._dynamo.utils import counters

    eager = losses(False)
    compiled_before = counters["frames"]["ok"]
    compiled = losses(True)
    assert counters["frames"]["ok"] > compiled_before  # the networks really were compiled
    assert [row["step"] for row in compiled] == [row["step"] for row in eager] == list(range(1, 7))
    for a, b in zip(eager, compiled):
        assert set(a) == set(b) and "r1" in a
        for key in a:
            assert b[key] == pytest.approx(a[key], rel=LOSS_RTOL, abs=1e-6), (a["step"], key)


@pytest.mark.slow
def test_a_compiled_run_checkpoints_eager_keys_resumes_and_samples(tmp_path, needs_compile):
    out = tmp_path / "run"
    args = ["train", "gan", "--data", "ring8", "--steps", "3", "--out", str(out),
            "--batch-size", "32", "--set", "hidden=16", "--set", "layers=1",
            "--set", "sample_every=0", "--set", "threads=1", "--set", "compile=true"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # The eager model of the same settings (ring8's recipe included): no compiled-module prefix.
    settings = json.loads((out / "config.json").read_text())["config"]
    eager_keys = set(build_model("gan", settings).state_dict())
    assert set(load_checkpoint(checkpoint_path(out))["model"]) == eager_keys
    assert json.loads((out / "run.json").read_text())["train_config"]["compile"] is True

    result = CliRunner().invoke(cli, ["train", "gan", "--resume", "--out", str(out),
                                      "--steps", "5"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "5 iterations" in result.output
    assert set(load_checkpoint(checkpoint_path(out))["model"]) == eager_keys
    result = CliRunner().invoke(cli, ["sample", str(out), "--n", "64", "--out",
                                      str(tmp_path / "points.png")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "points.png").is_file()
    assert ganzoo.load(str(out)).sample(8, seed=0).shape == (8, 2)


@pytest.mark.slow
def test_compile_without_a_working_compiler_is_one_line_naming_the_fix(tmp_path):
    # A real failure, not a mock: inductor pointed at a C++ compiler that does not exist, with
    # an empty kernel cache so nothing compiled before can stand in.
    env = {**os.environ, "CXX": str(tmp_path / "no-such-g++"), "TQDM_DISABLE": "1",
           "TORCHINDUCTOR_CACHE_DIR": str(tmp_path / "inductor-cache"),
           "TORCHINDUCTOR_FX_GRAPH_CACHE": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo", "train", "gan", "--data", "ring8", "--steps", "2",
         "--out", str(tmp_path / "run"), "--set", "compile=true", "--set", "hidden=8",
         "--set", "layers=1", "--batch-size", "16"],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "compile=true" in lines[0] and "set compile=false" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()  # refused before the run folder was made
