"""``ganzoo train`` killed at random moments (SIGKILL, also mid checkpoint and model writes),
interrupted by SIGINT and SIGTERM: every --resume continues, no file in the run folder is ever
truncated or lost, and the final weights are bit-identical to an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest
from safetensors import safe_open

from .conftest import TRAIN, TRAIN_STEPS
from .tally import DataLost, Hang, Traceback, WrongResult

STEPS = TRAIN_STEPS
KILLS = 20

RESUME = ["train", "gan", "--resume", "--out"]


@pytest.fixture(scope="session")
def straight(trained_run) -> dict:
    """The uninterrupted run's final tensors."""
    return tensors(trained_run / "model.safetensors")


def tensors(path: Path) -> dict:
    with safe_open(str(path), framework="pt") as handle:
        return {key: handle.get_tensor(key) for key in handle.keys()}


def step_of(checkpoint: Path) -> int:
    with safe_open(str(checkpoint), framework="pt") as handle:
        state = json.loads(handle.metadata()["ganzoo.state"])
    return dict((k, v) for k, v in state["__dict__"] if isinstance(k, str))["step"]


def check_folder(out: Path, last_step: int) -> int:
    """No file truncated, the checkpoint never goes back; returns the checkpoint's step."""
    checkpoint = out / "checkpoints" / "last.safetensors"
    step = last_step
    if checkpoint.exists():
        try:
            step = step_of(checkpoint)
        except Exception as exc:
            raise DataLost(f"checkpoint unreadable after a kill: {exc}") from exc
        if step < last_step:
            raise DataLost(f"checkpoint went back from step {last_step} to {step}")
    elif last_step > 0:
        raise DataLost("the checkpoint disappeared")
    for name in ("model.safetensors",):
        if (out / name).exists():
            try:
                tensors(out / name)
            except Exception as exc:
                raise DataLost(f"{name} truncated after a kill: {exc}") from exc
    if (out / "train.json").exists():
        json.loads((out / "train.json").read_text())
    return step


def kill_mid_write(pid: int, out: Path, seconds: float) -> bool:
    """SIGKILL as soon as an atomic write's temporary file appears; False if none did."""
    folders = [out / "checkpoints", out]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for folder in folders:
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            if any(n.startswith(".") and ".tmp" in n for n in names):
                os.kill(pid, signal.SIGKILL)
                return True
        time.sleep(0.0005)
    return False


def wait_for_progress(out: Path, last_step: int, seconds: float) -> None:
    checkpoint = out / "checkpoints" / "last.safetensors"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if step_of(checkpoint) > last_step or last_step >= STEPS:
                return
        except Exception:  # not there yet, or being replaced
            pass
        time.sleep(0.005)


def finish(launcher, out: Path, log: Path, straight: dict) -> None:
    status = launcher.run(RESUME + [str(out)], out.parent, log)
    text = log.read_text()
    if status is None:
        raise Hang("--resume did not finish")
    if status != 0 or "Traceback" in text or "unexpected" in text:
        raise Traceback(f"--resume failed ({status}): {text[-500:]}")
    final = tensors(out / "model.safetensors")
    if final.keys() != straight.keys() or any(
            not final[k].equal(straight[k]) for k in final):
        raise WrongResult("final weights differ from the uninterrupted run")
    leftovers = [p.name for p in (out / "checkpoints").iterdir() if ".tmp" in p.name]
    if leftovers:
        raise DataLost(f"temporary files left behind: {leftovers}")


def test_sigkill_at_random_moments_then_resume_is_bit_exact(launcher, straight, tmp_path,
                                                             tally):
    rng = random.Random(int(os.environ.get("GANZOO_RELIABILITY_SEED", "28")))
    out = tmp_path / "run"
    log = tmp_path / "log"
    last_step, mid_write = 0, 0
    for kill in range(KILLS):
        # Killed before it saved its settings, a run is started again, else resumed.
        args = RESUME + [str(out)] if (out / "train.json").exists() else \
            [*TRAIN, "--out", str(out)]
        pid = launcher.start(args, tmp_path, log)
        # A quarter of the kills land anywhere from start-up on, half while it trains (after
        # its checkpoint moved on), a quarter the moment a file write is under way.
        if kill % 4 == 3 and kill_mid_write(pid, out, seconds=5.0):
            mid_write += 1
        else:
            if kill % 4 in (1, 2):
                wait_for_progress(out, last_step, seconds=10.0)
            time.sleep(rng.uniform(0.0, 0.3) if kill % 4 else rng.uniform(0.05, 1.0))
            os.kill(pid, signal.SIGKILL)
        status = launcher.wait(pid, timeout=60)

        def survived(status=status):
            nonlocal last_step
            if status is None:
                raise Hang("a killed process did not exit")
            text = log.read_text()
            if status not in (0, -signal.SIGKILL) or "Traceback" in text:
                raise Traceback(f"exit {status}: {text[-500:]}")
            last_step = check_folder(out, last_step)

        tally.run(f"kill {kill} (step {last_step})", survived)
    tally.run("final --resume", lambda: finish(launcher, out, log, straight))
    print(f"{KILLS} kills, {mid_write} during a file write, last checkpoint step {last_step}")
    tally.assert_all_handled()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_and_sigterm_checkpoint_then_resume_is_bit_exact(launcher, straight, tmp_path,
                                                                 signum):
    out = tmp_path / "run"
    log = tmp_path / "log"
    pid = launcher.start([*TRAIN, "--out", str(out)], tmp_path, log)
    checkpoint = out / "checkpoints" / "last.safetensors"
    deadline = time.monotonic() + 60
    while not checkpoint.exists() and time.monotonic() < deadline:
        time.sleep(0.002)  # the run takes ~2 s: signal it right after its first checkpoint
    os.kill(pid, signum)
    status = launcher.wait(pid, timeout=60)
    if status is None:
        raise Hang(f"{signum.name} did not stop the run")
    text = log.read_text()
    assert status == 128 + signum, text[-500:]
    assert "checkpoint saved" in text and "Traceback" not in text
    step = step_of(checkpoint)
    assert f"Interrupted at iteration {step}" in text
    finish(launcher, out, log, straight)
