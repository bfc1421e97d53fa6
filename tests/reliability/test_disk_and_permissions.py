"""A full disk during training, sampling, conversion and Hub cache writes: one-line error, the
previous checkpoint and outputs intact, no partial file left where a good one stood.

The full disk is ``RLIMIT_FSIZE`` (writes past the limit fail with EFBIG), which needs no
mount privileges; SIGXFSZ is ignored so the write fails instead of killing the process.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys

import pytest
import torch

from .conftest import TRAIN
from .test_concurrency import fingerprint, one_line_error
from .tally import DataLost

LIMIT = 10_000  # bytes: below a checkpoint (~27 KB) and a translated 64x64 PNG


def leftovers(folder):
    return [p.name for p in folder.rglob("*") if ".tmp" in p.name]


def test_training_on_a_full_disk_keeps_the_last_checkpoint(launcher, finished_run, tmp_path):
    out = finished_run
    before = fingerprint(out)
    log = tmp_path / "full.log"
    status = launcher.run(["train", "gan", "--resume", "--out", str(out), "--steps", "80"],
                          tmp_path, log, fsize=LIMIT)
    one_line_error(status, log, "the file size limit was reached")
    after = fingerprint(out)
    for name in ("checkpoints/last.safetensors", "model.safetensors", "config.json"):
        if after.get(name) != before[name]:
            raise DataLost(f"{name} changed or vanished after a failed write")
    if leftovers(out):
        raise DataLost(f"partial files left: {leftovers(out)}")


def test_a_new_run_on_a_full_disk_is_one_line(launcher, tmp_path):
    out = tmp_path / "run"
    status = launcher.run([*TRAIN, "--out", str(out)], tmp_path, tmp_path / "log", fsize=LIMIT)
    one_line_error(status, tmp_path / "log", "cannot write")
    assert not leftovers(out)


@pytest.fixture
def photo(tmp_path):
    from ganzoo.imageio import write_image

    torch.manual_seed(0)
    return write_image(torch.rand(3, 64, 64), tmp_path / "photo.png")


def test_sampling_on_a_full_disk_writes_nothing_partial(launcher, tmp_path, photo):
    log = tmp_path / "log"
    status = launcher.run(["sample", "cyclegan-grade-s", "--input", str(photo), "--out",
                           str(tmp_path / "out.png")], tmp_path, log, fsize=LIMIT)
    one_line_error(status, log, "cannot write")
    assert not (tmp_path / "out.png").exists() and not leftovers(tmp_path)
    # an existing output replaced with --force on a full disk stays as it was
    (tmp_path / "old.png").write_bytes(photo.read_bytes())
    status = launcher.run(["sample", "cyclegan-grade-s", "--input", str(photo), "--out",
                           str(tmp_path / "old.png"), "--force"], tmp_path, log, fsize=LIMIT)
    one_line_error(status, log, "cannot write")
    if (tmp_path / "old.png").read_bytes() != photo.read_bytes():
        raise DataLost("the existing output was damaged by a failed --force write")


def test_convert_on_a_full_disk_leaves_no_folder(launcher, tmp_path):
    from ganzoo.building import build_model

    torch.manual_seed(0)
    torch.save(build_model("gan", {"hidden": 256, "layers": 2}).state_dict(), tmp_path / "g.pth")
    log = tmp_path / "log"
    status = launcher.run(["convert", str(tmp_path / "g.pth"), "--variant", "gan", "--set",
                           "hidden=256", "--set", "layers=2", "--out", str(tmp_path / "conv")],
                          tmp_path, log, fsize=LIMIT)
    one_line_error(status, log, "cannot write")
    assert not (tmp_path / "conv").exists()


def test_a_full_hub_cache_is_not_blamed_on_the_network(hub_model, tmp_path):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))

    result = subprocess.run([sys.executable, "-m", "ganzoo", "pull", "rel-hub"],
                            capture_output=True, text=True, timeout=120, preexec_fn=limit,
                            env={**os.environ, "GANZOO_HUB_TIMEOUT": "30"})
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert "size limit" in lines[0] or "no space" in lines[0]
    assert "connect" not in lines[0]
    shutil.rmtree(hub_model.cache, ignore_errors=True)


def test_read_only_output_folder(tmp_path):
    from read_only import read_only_folder

    with read_only_folder(tmp_path / "ro") as out:
        result = subprocess.run([sys.executable, "-m", "ganzoo", *TRAIN, "--out",
                                 str(out / "run")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "permission denied" in result.stderr


@pytest.mark.parametrize("command", [
    ["sample", "gan-grid25", "--out", "{ro}/points.png"],
    ["sample", "srresnet", "--input", "{photo}", "--out", "{ro}/up.png"],
    ["convert", "{ckpt}", "--variant", "gan", "--set", "hidden=8", "--set", "layers=1",
     "--out", "{ro}/converted"],
])
def test_read_only_folder_for_sampling_and_conversion(command, tmp_path):
    """Sampling or converting into a folder nothing may be written to: one line, nothing
    left behind."""
    from PIL import Image

    from read_only import read_only_folder

    photo = tmp_path / "small.png"
    Image.new("RGB", (12, 10), (120, 30, 200)).save(photo)
    from ganzoo.building import build_model

    ckpt = tmp_path / "g.pth"  # a valid bare generator state dict: conversion reaches the write
    torch.save(build_model("gan", {"hidden": 8, "layers": 1}).generator.state_dict(), ckpt)
    with read_only_folder(tmp_path / "ro") as ro:
        args = [a.format(ro=ro, photo=photo, ckpt=ckpt) for a in command]
        result = subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                                text=True, timeout=300,
                                env={**os.environ, "HF_HUB_OFFLINE": "1"})
        assert list(ro.iterdir()) == []
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    assert "unexpected" not in lines[0] and "not permitted" in lines[0] or "permission" in lines[0]
    assert ".tmp" not in lines[0]  # names the folder, not a temporary file


def test_a_read_only_hub_cache_is_one_line_and_a_shipped_copy_still_serves(hub_model,
                                                                            tmp_path,
                                                                            monkeypatch):
    """``HF_HUB_CACHE`` in a folder nothing may be written to: pulling says so in one line
    (not a network error); loading an entry with a shipped copy still works."""
    from read_only import read_only_folder

    with read_only_folder(tmp_path / "ro-cache") as cache:
        env = {**os.environ, "HF_HUB_CACHE": str(cache / "hub"), "GANZOO_HUB_TIMEOUT": "30"}
        pulled = subprocess.run([sys.executable, "-m", "ganzoo", "pull", "rel-hub"],
                                capture_output=True, text=True, timeout=120, env=env)
        monkeypatch.setenv("HF_HUB_CACHE", str(cache / "hub"))
        import ganzoo

        shipped = ganzoo.load("rel-hub-shipped")  # in-process: the test variant lives here
        assert list(cache.iterdir()) == []
    lines = pulled.stderr.strip().splitlines()
    assert pulled.returncode == 1 and "Traceback" not in pulled.stderr, pulled.stderr
    assert lines and lines[-1].startswith("Error:") and "connect" not in lines[-1], pulled.stderr
    assert "unexpected" not in lines[-1], pulled.stderr
    assert shipped.sample(4, seed=0).shape[0] == 4
