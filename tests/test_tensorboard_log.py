"""``ganzoo train --set log=tensorboard``: the event file, read back with TensorBoard's own
reader, holds every logged loss, the learning rates, the step time, the previews and the final
metrics; the command prints the ``tensorboard --logdir`` line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ganzoo.cli import _add_core_commands, cli

pytest.importorskip("tensorboard", reason="the [tensorboard] extra is not installed")
from tensorboard.backend.event_processing.event_accumulator import (  # noqa: E402
    IMAGES, SCALARS, EventAccumulator)

_add_core_commands()


@pytest.mark.slow
def test_training_writes_events_tensorboard_reads_back(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "gan", "--data", "ring8", "--steps", "12", "--out",
                                      str(out), "--set", "log=tensorboard", "--set",
                                      "log_every=4", "--set", "sample_every=6", "--set",
                                      "batch_size=32"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"tensorboard --logdir {out / 'tensorboard'}" in result.output
    events = EventAccumulator(str(out / "tensorboard"), size_guidance={SCALARS: 0, IMAGES: 0})
    events.Reload()
    tags = events.Tags()
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    losses = sorted(k for k in rows[0] if k != "step")
    assert losses and {f"loss/{k}" for k in losses} <= set(tags["scalars"])
    for name in losses:  # the same numbers as metrics.jsonl, at the same steps
        logged = [(e.step, e.value) for e in events.Scalars(f"loss/{name}")]
        assert [s for s, _ in logged] == [r["step"] for r in rows] == [4, 8, 12]
        assert [v for _, v in logged] == pytest.approx([r[name] for r in rows], rel=1e-6)
    assert {"lr/generator", "lr/discriminator", "time/step_seconds"} <= set(tags["scalars"])
    assert all(e.value > 0 for e in events.Scalars("time/step_seconds"))
    run = json.loads((out / "run.json").read_text())
    finals = {k for k, v in run.get("metrics", {}).items() if isinstance(v, (int, float))}
    assert finals and {f"final/{k}" for k in finals} <= set(tags["scalars"])
    assert [e.step for e in events.Images("preview")] == [6, 12, 12]  # 2 previews + final grid


@pytest.mark.slow
def test_default_run_writes_no_events_and_imports_no_tensorboard(tmp_path):
    out = tmp_path / "plain"
    code = ("import sys; from ganzoo.cli import main; sys.argv = ['ganzoo', 'train', 'gan', "
            f"'--data', 'ring8', '--steps', '2', '--out', {str(out)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'tensorboard' not in sys.modules, 'tensorboard imported'\n"
            "assert 'torch.utils.tensorboard' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "metrics.jsonl").exists() and not (out / "tensorboard").exists()
