"""The training-throughput benchmark cannot rot: its clocks measure real loops, and its smallest
configuration runs end to end (both sides train, the table has both ratios)."""

import importlib.util
import sys
import time
from pathlib import Path

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganzoo_benchmarks.photo_folder import make_photo_folder
from ganzoo_benchmarks.training_clocks import DataWaitClock, IterationClock

ROOT = Path(__file__).resolve().parent.parent


def load_command():
    spec = importlib.util.spec_from_file_location(
        "train_throughput", ROOT / "benchmarks" / "train_throughput.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_clocks_split_iterations_and_count_data_waits():
    net = torch.nn.Linear(4, 1)
    opt_a, opt_b = torch.optim.SGD(net.parameters(), 0.1), torch.optim.Adam(net.parameters())
    loader = DataLoader(TensorDataset(torch.randn(40, 4)), batch_size=4)
    clock, waits = IterationClock(steps_per_iteration=2), DataWaitClock()
    with clock.running(), waits.running():
        for (x,) in loader:
            net(x).sum().backward()
            opt_a.step()
            time.sleep(0.002)
            opt_b.step()
    opt_a.step()  # after the clock stopped: not counted
    assert len(clock.stamps) == 20 and len(clock.iteration_ends()) == 10
    start, end, iterations = clock.window(warmup=2)
    assert iterations == 8 and end - start >= 8 * 0.002
    assert "DataLoader" in waits.sources and len(waits.intervals) == 11  # 10 batches + the end
    assert 0 < waits.waited(start, end) < end - start


def test_photo_folder_is_made_once_and_split_in_two(tmp_path):
    root = make_photo_folder(tmp_path / "photos", 6, seed=1)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.jpg"))
    assert len(files) == 6 and sum(f.startswith("trainA/") for f in files) == 3
    before = (root / "trainA" / "photo_00000.jpg").stat().st_mtime_ns
    make_photo_folder(tmp_path / "photos", 6, seed=1)  # same request: reused, not rewritten
    assert (root / "trainA" / "photo_00000.jpg").stat().st_mtime_ns == before


@pytest.mark.slow
def test_smallest_configuration_runs_and_prints_both_ratios(tmp_path):
    command = load_command()
    out = tmp_path / "table.txt"
    text = command.main(["--quick", "--models", "srresnet", "--photos", "8",
                         "--folder", str(tmp_path / "photos"), "--pipeline-batches", "1",
                         "--out", str(out)])
    assert out.read_text() == text
    for needle in ("SRResNet x4 32-px (quick)", "plain", "ganzoo fast", "(a) same settings",
                   "(b) recommended vs plain fp32", "data pipeline alone", "reproduce:",
                   "ganzoo data path:"):
        assert needle in text, needle
