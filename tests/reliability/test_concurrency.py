"""Two writers, one run folder; checkpoints from elsewhere: refused in one line, before
anything in the folder changes."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

from .conftest import TRAIN
from .tally import DataLost, Hang, Traceback, WrongResult

RESUME = ["train", "gan", "--resume", "--out"]


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (except the lock)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def one_line_error(status, log: Path, expected: str) -> None:
    if status is None:
        raise Hang("no answer")
    text = log.read_text()
    if "Traceback" in text or "unexpected" in text:
        raise Traceback(text[-400:])
    errors = [line for line in text.splitlines() if line.startswith("Error:")]
    if status != 1 or len(errors) != 1 or expected not in errors[0]:
        raise WrongResult(f"expected one error line with {expected!r}, got {status}: "
                          f"{text[-400:]}")


def test_two_runs_into_one_folder_one_is_refused(launcher, tmp_path):
    out = tmp_path / "run"
    pids = [launcher.start([*TRAIN, "--out", str(out)], tmp_path, tmp_path / f"log{i}")
            for i in range(2)]
    statuses = [launcher.wait(pid, timeout=120) for pid in pids]
    if None in statuses:
        raise Hang("a run did not finish")
    assert sorted(statuses) == [0, 1], statuses
    loser = tmp_path / f"log{statuses.index(1)}"
    text = loser.read_text()
    assert ("in use by another `ganzoo train`" in text or "is not empty" in text), text[-400:]
    rows = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    if rows != sorted(set(rows)):
        raise DataLost(f"metric rows interleaved or duplicated: {rows}")


def test_resume_while_the_run_is_live_is_refused(launcher, tmp_path):
    import os
    import signal

    out = tmp_path / "run"
    long_run = [*TRAIN[:4], "--steps", "100000", *TRAIN[6:]]  # still going when --resume comes
    pid = launcher.start([*long_run, "--out", str(out)], tmp_path, tmp_path / "log")
    deadline = time.monotonic() + 60
    while not (out / "train.json").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    status = launcher.run([*RESUME, str(out)], tmp_path, tmp_path / "resume.log")
    os.kill(pid, signal.SIGTERM)
    assert launcher.wait(pid, timeout=120) == 128 + signal.SIGTERM
    one_line_error(status, tmp_path / "resume.log", "in use by another `ganzoo train`")


def test_checkpoint_from_another_run_is_refused_before_anything_changes(launcher, finished_run,
                                                                        tmp_path):
    other = tmp_path / "other"
    shutil.copytree(finished_run, other)
    train = json.loads((other / "train.json").read_text())
    train["run_id"] = "0" * 32  # a different run with the same settings
    (other / "train.json").write_text(json.dumps(train))
    before = fingerprint(other)
    status = launcher.run([*RESUME, str(other), "--steps", "80"], tmp_path, tmp_path / "log")
    one_line_error(status, tmp_path / "log", "belongs to another run")
    if fingerprint(other) != before:
        raise DataLost("the refused --resume changed files in the run folder")


def _rewrite_state(checkpoint: Path, change) -> None:
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(checkpoint), framework="pt") as handle:
        metadata = dict(handle.metadata())
        tensors = {k: handle.get_tensor(k) for k in handle.keys()}
    state = json.loads(metadata["ganzoo.state"])
    change(state)
    metadata["ganzoo.state"] = json.dumps(state)
    save_file(tensors, str(checkpoint), metadata)


def _set(key, value):
    def change(state):
        state["__dict__"] = [[k, value if k == key else v] for k, v in state["__dict__"]]
    return change


def _drop(key):
    def change(state):
        state["__dict__"] = [[k, v] for k, v in state["__dict__"] if k != key]
    return change


TAMPERING = {
    "step beyond --steps": (lambda ckpt, out: _rewrite_state(ckpt, _set("step", 3000)),
                            "outside 0..80"),
    "negative step": (lambda ckpt, out: _rewrite_state(ckpt, _set("step", -5)), "outside"),
    "step as text": (lambda ckpt, out: _rewrite_state(ckpt, _set("step", "40")), "outside"),
    "missing rng": (lambda ckpt, out: _rewrite_state(ckpt, _drop("rng")), "lacks rng"),
    "missing model": (lambda ckpt, out: _rewrite_state(ckpt, _drop("model")), "lacks model"),
    "history past step": (lambda ckpt, out: _rewrite_state(ckpt, _set("step", 10)),
                          "loss history"),
    "truncated checkpoint": (lambda ckpt, out: ckpt.write_bytes(ckpt.read_bytes()[:500]),
                             "cannot be read"),
    "not a checkpoint": (lambda ckpt, out: ckpt.write_bytes(b"\0" * 64), "cannot be read"),
    "corrupt train.json": (lambda ckpt, out: (out / "train.json").write_text('{"variant": '),
                           "train.json is damaged"),
    "train.json not an object": (lambda ckpt, out: (out / "train.json").write_text("[1, 2]"),
                                 "must hold a JSON object"),
    "train.json without data": (
        lambda ckpt, out: (out / "train.json").write_text(json.dumps(
            {k: v for k, v in json.loads((out / "train.json").read_text()).items()
             if k != "data"})), "'data' is missing"),
}


def test_tampered_resume_is_refused_before_anything_changes(launcher, finished_run, tmp_path,
                                                            tally):
    for name, (tamper, expected) in TAMPERING.items():
        out = tmp_path / name.replace(" ", "-")
        shutil.copytree(finished_run, out)
        tamper(out / "checkpoints" / "last.safetensors", out)
        before = fingerprint(out)
        log = tmp_path / f"{out.name}.log"

        def case(out=out, log=log, expected=expected, before=before):
            status = launcher.run([*RESUME, str(out), "--steps", "80"], tmp_path, log)
            one_line_error(status, log, expected)
            if fingerprint(out) != before:
                raise DataLost("the refused --resume changed files in the run folder")

        tally.run(name, case)
    tally.assert_all_handled()


def test_temp_files_of_killed_writes_are_cleared_on_the_next_start(launcher, finished_run):
    leftovers = [finished_run / "checkpoints" / ".last.safetensors.tmp12345",
                 finished_run / ".model.safetensors.abcd1234.tmp", finished_run / ".run.json.tmp"]
    for path in leftovers:
        path.write_bytes(b"x" * 2000)
    log = finished_run.parent / "resume.log"
    status = launcher.run([*RESUME, str(finished_run)], finished_run.parent, log)
    assert status == 0, log.read_text()[-400:]
    assert not any(p.exists() for p in leftovers)
    assert (finished_run / "checkpoints" / "last.safetensors").is_file()


@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_two_samples_into_one_file_never_interleave(launcher, tmp_path, force):
    import torch
    from PIL import Image

    from ganzoo.imageio import write_image

    torch.manual_seed(0)
    source = write_image(torch.rand(3, 48, 40), tmp_path / "photo.png")
    target = tmp_path / "same.png"
    args = ["sample", "cyclegan-grade-s", "--input", str(source), "--out", str(target)]
    args += ["--force"] if force else []
    pids = [launcher.start(args, tmp_path, tmp_path / f"log{i}") for i in range(2)]
    statuses = [launcher.wait(pid, timeout=120) for pid in pids]
    if None in statuses:
        raise Hang("a sample did not finish")
    if force:
        assert statuses == [0, 0]
    else:
        assert 0 in statuses and set(statuses) <= {0, 1}, statuses
        for i, status in enumerate(statuses):
            if status == 1:
                one_line_error(status, tmp_path / f"log{i}", "already exists")
    with Image.open(target) as written:
        written.load()  # a torn file fails to decode
        if written.size != (40, 48):
            raise DataLost(f"the output is {written.size}")
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
