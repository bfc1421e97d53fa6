"""Image data loaded by DataLoader worker processes: the same batches, hence bit-identical weights,
for any worker count; resume (also after SIGKILL) stays exact with workers; bad ``workers`` values
and unreadable images are one-line errors; in-memory data stays in-process."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from ganzoo.cli import cli
from ganzoo.data.digits import Digits
from ganzoo.data.image_folder import ImageFolder
from ganzoo.data.ram_cache import check_fits_in_ram
from ganzoo.errors import GanzooError
from ganzoo.train.batches import BatchStream
from ganzoo.train.checkpoint import checkpoint_path, load_checkpoint
from ganzoo.train.data_workers import check_workers, default_workers
from ganzoo.train.run_lock import lock_run_folder
from ganzoo.train.state_file import load_state
from image_fixtures import photo_folder
from test_resume_every_data_kind import arguments, assert_same_run, train


def workers(count):
    return ["--set", f"workers={count}"]


@pytest.mark.parametrize("kind", ["folder", "sr"])
def test_two_workers_train_the_weights_of_in_process_loading(tmp_path, kind):
    args = arguments(kind, tmp_path)
    train(*args, *workers(0), "--steps", "4", "--out", str(tmp_path / "in_process"))
    train(*args, *workers(2), "--steps", "4", "--out", str(tmp_path / "workers"))
    assert json.loads((tmp_path / "workers" / "run.json").read_text())["data_workers"] == 2
    assert_same_run(tmp_path / "in_process", tmp_path / "workers")


def test_resume_with_workers_matches_a_straight_in_process_run(tmp_path):
    """Batches 1-6 span two epochs of the 4-photo folder (2 per epoch at batch 2), so the
    resumed loader restarts mid-run and crosses epoch boundaries."""
    args = arguments("paired", tmp_path)
    train(*args, *workers(0), "--steps", "6", "--out", str(tmp_path / "straight"))
    train(*args, *workers(2), "--steps", "3", "--out", str(tmp_path / "resumed"))
    train("pix2pix", "--resume", "--steps", "6", "--out", str(tmp_path / "resumed"))
    assert_same_run(tmp_path / "straight", tmp_path / "resumed")


def worker_pids(pid):
    """The children of process ``pid`` (its DataLoader workers) from /proc."""
    tasks = Path(f"/proc/{pid}/task")
    return {int(child) for task in tasks.iterdir()
            for child in (task / "children").read_text().split()}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_sigkill_with_two_workers_then_resume_matches_a_straight_run(tmp_path):
    """A real ``ganzoo train`` with 2 workers, killed once its checkpoint passes iteration 3:
    its workers exit on their own, and the resumed run ends with the straight run's weights."""
    steps = 10
    args = arguments("folder", tmp_path) + ["--set", "checkpoint_every=1"]
    train(*args, *workers(0), "--steps", str(steps), "--out", str(tmp_path / "straight"))

    out = tmp_path / "killed"
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    process = subprocess.Popen([ganzoo_exe, "train", *args, *workers(2), "--steps", str(steps),
                                "--out", str(out)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    children = set()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            children |= worker_pids(process.pid)
            try:
                if load_state(checkpoint_path(out))["step"] >= 3:
                    break
            except Exception:  # no checkpoint yet, or caught between write and rename
                pass
            time.sleep(0.01)
        assert process.poll() is None, f"finished before the kill: {process.stdout.read()[-800:]}"
        children |= worker_pids(process.pid)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert len(children) == 2, children
    assert 3 <= load_checkpoint(checkpoint_path(out))["step"] < steps
    train("dcgan", "--resume", "--out", str(out))  # at once: the workers hold no lock
    assert_same_run(tmp_path / "straight", out)

    gone_by = time.monotonic() + 30  # workers poll for their parent every 5 s
    while time.monotonic() < gone_by and any(Path(f"/proc/{p}").exists() for p in children):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{p}").exists() for p in children), "orphaned data workers"


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_with_workers_checkpoints_and_stops_cleanly(tmp_path):
    """A terminal's Ctrl-C reaches the workers too: they ignore it, the trainer finishes its
    iteration, checkpoints and exits 130, and no worker is left behind."""
    args = arguments("folder", tmp_path) + ["--set", "checkpoint_every=1"]
    out = tmp_path / "run"
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    process = subprocess.Popen([ganzoo_exe, "train", *args, *workers(2), "--steps", "1000",
                                "--out", str(out)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if load_state(checkpoint_path(out))["step"] >= 2:
                    break
            except Exception:  # no checkpoint yet, or caught between write and rename
                pass
            time.sleep(0.02)
        children = worker_pids(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        output = process.communicate(timeout=60)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert len(children) == 2
    assert process.returncode == 130, output[-1500:]
    assert "Interrupted at iteration" in output and "Traceback" not in output, output[-1500:]
    stopped = load_checkpoint(checkpoint_path(out))["step"]
    assert json.loads((out / "run.json").read_text())["steps"] == stopped
    assert not any(Path(f"/proc/{p}").exists() for p in children), "data workers left running"


def idle(started):
    started.set()
    time.sleep(30)


def test_a_forked_worker_does_not_keep_the_run_folder_locked(tmp_path):
    """flock belongs to every copy of the descriptor: a worker forked while the trainer holds
    the lock must drop its copy, or the folder stays locked after the trainer is gone."""
    lock = lock_run_folder(tmp_path)
    fork = multiprocessing.get_context("fork")
    started = fork.Event()
    worker = fork.Process(target=idle, args=(started,))
    worker.start()
    try:
        assert started.wait(30)
        lock.release()  # the trainer ends (as if killed) while its worker still lives
        lock_run_folder(tmp_path).release()
    finally:
        worker.terminate()
        worker.join()


@pytest.mark.parametrize("value", ["-1", "100000"])
def test_an_invalid_worker_count_is_one_line_naming_the_fix(tmp_path, value):
    root = photo_folder(tmp_path / "photos")
    result = CliRunner().invoke(cli, ["train", "dcgan", "--data", f"folder:{root}",
                                      "--batch-size", "2", "--set", f"workers={value}",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    assert result.output.count("\n") == 1, result.output
    assert f"got {value}" in result.output and "--set workers=2" in result.output
    assert not (tmp_path / "run").exists()  # refused before anything was written
    with pytest.raises(GanzooError, match="--set workers="):
        check_workers(True)


def test_an_unreadable_image_read_by_a_worker_is_one_line(tmp_path):
    root = photo_folder(tmp_path / "photos")
    (root / "zz_broken.png").write_bytes(b"not a png")  # sorted last: read by a worker
    result = CliRunner().invoke(cli, ["train", "dcgan", "--data", f"folder:{root}",
                                      "--batch-size", "5", "--steps", "2", *workers(2),
                                      "--set", "preview_count=2", "--set", "sample_every=0",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "zz_broken.png" in error, result.output
    assert "DataLoader worker" not in result.output and "Traceback" not in result.output


def test_in_memory_data_stays_in_process_and_image_folders_use_workers(tmp_path):
    assert BatchStream(Digits(), 16, seed=0, workers=4).workers == 0
    folder = ImageFolder(photo_folder(tmp_path / "photos"), size=8)
    assert BatchStream(folder, 2, seed=0, workers=None).workers == default_workers()
    assert BatchStream(folder, 2, seed=0, workers=2).workers == 2
    assert default_workers(cpus=2, processes=1) == default_workers(cpus=1, processes=1)
    assert default_workers(cpus=16, processes=1) == 8
    assert default_workers(cpus=16, processes=4) == 3  # torchrun: a share of the CPUs each
    assert default_workers(cpus=64, processes=1) == 8


def test_worker_batches_equal_in_process_batches_across_epochs_and_a_restart(tmp_path):
    folder = ImageFolder(photo_folder(tmp_path / "photos", count=5), size=8)
    plain = BatchStream(folder, 2, seed=4)
    straight = [next(plain) for _ in range(7)]  # 2 batches per epoch: epochs 0-3
    with closing(BatchStream(folder, 2, seed=4, workers=2)) as pooled:
        first = [next(pooled) for _ in range(3)]
        state = pooled.state()
        pooled.load_state(state)  # the workers restart from the saved position
        rest = [next(pooled) for _ in range(4)]
        assert pooled.state() == plain.state()
    assert all(torch.equal(a, b) for a, b in zip(straight, first + rest))


def test_files_are_read_as_needed_unless_cache_ram_is_asked(tmp_path):
    """Memory stays flat as the folder grows: a full pass keeps no decoded image; cache=ram
    decodes each once, and batches from memory equal the ones read from the files."""
    folder = ImageFolder(photo_folder(tmp_path / "photos", count=6), size=8)
    files = BatchStream(folder, 2, seed=1)
    read = [next(files) for _ in range(6)]  # two epochs
    assert folder.cached is None and not any(isinstance(v, torch.Tensor)
                                             for v in vars(folder).values())
    assert folder.cache_in_ram() and folder.cached.shape == (6, 3, 8, 8)
    stream = BatchStream(folder, 2, seed=1, workers=2)
    assert stream.workers == 0  # indexing memory needs no workers
    memory = BatchStream(folder, 2, seed=1)
    assert all(torch.equal(a, next(memory)) for a in read)
    assert not Digits().cache_in_ram()  # in memory already: nothing to cache


def test_cache_ram_trains_the_weights_of_reading_files(tmp_path):
    args = arguments("labelled", tmp_path)
    train(*args, "--steps", "3", "--out", str(tmp_path / "files"))
    train(*args, "--steps", "3", "--set", "cache=ram", "--out", str(tmp_path / "cached"))
    assert json.loads((tmp_path / "cached" / "run.json").read_text())["data_workers"] == 0
    assert_same_run(tmp_path / "files", tmp_path / "cached")


def test_a_cache_larger_than_half_the_free_memory_is_refused_naming_the_fix():
    check_fits_in_ram(2 * 2**30, "images", available=8 * 2**30)
    with pytest.raises(GanzooError, match=r"12\.0 GiB .* 16\.0 GiB .*drop --set cache=ram"):
        check_fits_in_ram(12 * 2**30, "images", available=16 * 2**30)
