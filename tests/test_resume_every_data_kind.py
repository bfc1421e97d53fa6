"""Resume is bit for bit for every data kind: a run stopped after 3 iterations and resumed to 6
ends with exactly the weights (live and EMA) of a straight 6-iteration run. One run is killed
with SIGKILL at a random iteration and resumed from its last checkpoint."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from click.testing import CliRunner

from ganzoo.cli import _add_core_commands, cli
from ganzoo.train.checkpoint import checkpoint_path, load_checkpoint
from ganzoo.train.state_file import load_state
from image_fixtures import labelled_folder, paired_folder, photo_folder, unpaired_folder

_add_core_commands()

QUIET = ["--set", "sample_every=0", "--set", "checkpoint_every=0", "--set", "threads=1",
         "--set", "log_every=1", "--set", "preview_count=2", "--set", "lr_decay_start=null"]
TRANSLATION = ["--set", "netG=resnet_6blocks", "--set", "ngf=4", "--set", "ndf=4",
               "--set", "n_layers_D=1", "--set", "netD=n_layers", "--set", "image_size=16",
               "--set", "ema_decay=0.9"]
SR = ["--set", "scale=2", "--set", "image_size=8", "--set", "features=8", "--set", "blocks=1"]

#: kind → ``ganzoo train`` arguments; ``{root}`` is the fixture folder of that kind.
CASES = {
    "toy": ["gan", "--data", "ring8", "--set", "hidden=16", "--set", "layers=1",
            "--batch-size", "16"],
    "digits": ["dcgan", "--data", "digits", "--set", "ngf=8", "--set", "ndf=8",
               "--batch-size", "16"],
    # DiffAugment draws from the engine's checkpointed streams: resume stays bit for bit, also
    # through R1 + R2 on augmented inputs (r3gan).
    "digits-diffaugment": ["r3gan", "--data", "digits", "--set", "width=16", "--set",
                           "min_width=16", "--set", "group_size=8",
                           "--set", "diffaugment=color,translation,cutout", "--batch-size", "16"],
    # Adaptive strength: p and the open interval's verdicts of D are checkpointed (the resume
    # lands mid-interval; p itself moving is tests/test_adaptive_augment.py's real run).
    "digits-ada": ["dcgan", "--data", "digits", "--set", "ngf=8", "--set", "ndf=8",
                   "--set", "diffaugment=color,translation,cutout", "--set", "ada_target=0.6",
                   "--set", "ada_kimg=0.2", "--batch-size", "16"],
    "folder": ["dcgan", "--data", "folder:{root}", "--set", "channels=3", "--set", "ngf=8",
               "--set", "ndf=8", "--batch-size", "2"],
    "images": ["srgan", "--data", "images:{root}", *SR, "--set", "d_features=4",
               "--batch-size", "2"],
    "sr": ["srresnet", "--data", "sr:{root}", *SR, "--batch-size", "2"],
    "paired": ["pix2pix", "--data", "paired:{root}", *TRANSLATION, "--batch-size", "2"],
    "unpaired": ["cyclegan", "--data", "unpaired:{root}", *TRANSLATION, "--set", "pool_size=3",
                 "--batch-size", "2"],
    "labelled": ["cgan", "--data", "labelled:{root}", "--set", "channels=3",
                 "--set", "g_width=16", "--set", "d_width=8", "--batch-size", "2"],
}
FIXTURES = {"folder": photo_folder, "images": photo_folder, "sr": photo_folder,
            "paired": paired_folder, "unpaired": unpaired_folder, "labelled": labelled_folder}


def arguments(kind, tmp_path):
    root = FIXTURES[kind](tmp_path / "data") if kind in FIXTURES else None
    return [a.format(root=root) for a in CASES[kind]] + QUIET


def train(*args):
    result = CliRunner().invoke(cli, ["train", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def assert_same_state(a, b, where):
    assert a.keys() == b.keys(), where
    different = [k for k in a if not torch.equal(a[k], b[k])]
    assert not different, f"{where}: {different[:5]} differ"


def assert_same_run(straight, resumed):
    first = load_checkpoint(checkpoint_path(straight))
    second = load_checkpoint(checkpoint_path(resumed))
    assert first["step"] == second["step"]
    assert first.get("ada") == second.get("ada")
    assert_same_state(first["model"], second["model"], "live weights")
    if first["ema"] is not None:
        assert_same_state(first["ema"], second["ema"], "EMA weights")
    saved = [load_state_dict(folder / "model.safetensors") for folder in (straight, resumed)]
    assert_same_state(*saved, "saved model")


def load_state_dict(path):
    from safetensors.torch import load_file

    return load_file(str(path))


@pytest.mark.parametrize("kind", list(CASES))
def test_resume_matches_a_straight_run(tmp_path, kind):
    args = arguments(kind, tmp_path)
    train(*args, "--steps", "6", "--out", str(tmp_path / "straight"))
    train(*args, "--steps", "3", "--out", str(tmp_path / "resumed"))
    variant = args[0]
    train(variant, "--resume", "--steps", "6", "--out", str(tmp_path / "resumed"))
    assert_same_run(tmp_path / "straight", tmp_path / "resumed")


@pytest.mark.slow
def test_sigkill_at_a_random_iteration_then_resume_matches_a_straight_run(tmp_path):
    """A real process, killed without warning once its checkpoint reaches a random iteration
    (checkpoints every iteration, so the kill may land mid-write), then resumed."""
    steps = 8
    args = arguments("unpaired", tmp_path) + ["--set", "checkpoint_every=1"]
    train(*args, "--steps", str(steps), "--out", str(tmp_path / "straight"))

    kill_after = random.Random().randint(2, steps - 3)  # printed by the asserts below
    out = tmp_path / "killed"
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    process = subprocess.Popen([ganzoo_exe, "train", *args, "--steps", str(steps), "--out",
                                str(out)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            ckpt = checkpoint_path(out)
            try:
                if ckpt.is_file() and load_state(ckpt)["step"] >= kill_after:
                    break
            except Exception:  # caught between the write and the rename: try again
                pass
            time.sleep(0.01)
        assert process.poll() is None, f"finished before the kill: {process.stdout.read()[-800:]}"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    reached = load_checkpoint(checkpoint_path(out))["step"]
    assert kill_after <= reached < steps, (kill_after, reached)
    train(args[0], "--resume", "--out", str(out))
    assert json.loads((out / "run.json").read_text())["steps"] == steps
    assert_same_run(tmp_path / "straight", out)
