"""`ganzoo train`'s CPU thread count: a new run takes the cores idle now (as sampling does),
records the count in train.json, and --resume keeps it so the run stays bit-identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganzoo.thread_choice import usable_cpus

GANZOO = str(Path(sys.executable).parent / "ganzoo")
SMALL = ["--data", "ring8", "--set", "hidden=16", "--set", "layers=1", "--batch-size", "32",
         "--set", "sample_every=0", "--set", "log_every=1", "--device", "cpu"]
SPIN = "while True: pass"

linux_only = pytest.mark.skipif(not os.path.exists("/proc/loadavg"),
                                reason="busy cores are read from Linux's /proc/loadavg")


def train(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([GANZOO, "train", "gan", *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def run_threads(out: Path) -> tuple[int | None, int]:
    """(threads recorded in train.json, threads the run's last segment used)."""
    recorded = json.loads((out / "train.json").read_text())["explicit"].get("threads")
    return recorded, json.loads((out / "run.json").read_text())["torch_threads"]


@linux_only
def test_a_new_run_on_a_busy_machine_takes_one_thread_and_resume_keeps_it(tmp_path):
    out = tmp_path / "run"
    # Every usable core busy with another process: the run must not fight them.
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(usable_cpus())]
    try:
        # 5 steps: the thread count is said with the time estimate, after 4 iterations.
        first = train(*SMALL, "--steps", "5", "--set", "checkpoint_every=1", "--out", str(out))
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert "training on 1 torch thread (" in first.stderr
    assert "--resume keeps this count" in first.stderr
    assert run_threads(out) == (1, 1)
    # Now idle (or whatever the machine does): the resumed segment keeps the recorded count.
    again = train("--resume", "--out", str(out), "--steps", "10")
    assert "training on" not in again.stderr
    assert run_threads(out) == (1, 1)


def test_an_explicit_thread_count_is_kept_and_not_announced(tmp_path):
    out = tmp_path / "run"
    done = train(*SMALL, "--steps", "5", "--set", "threads=1", "--out", str(out))
    assert "training on" not in done.stderr
    assert run_threads(out) == (1, 1)
