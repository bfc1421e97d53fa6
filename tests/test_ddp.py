"""``ganzoo train`` under torchrun: 2 CPU processes (gloo), DistributedDataParallel, one writer,
disjoint data shards, replicas identical at the end."""

import json
import os
import subprocess
import sys

import pytest
import torch

import ganzoo
from ganzoo.building import build_model
from ganzoo.errors import GanzooError
from ganzoo.train.batchnorm_sync import DESCRIPTIONS, prepare
from ganzoo.train.checkpoint import checkpoint_path, load_checkpoint
from image_fixtures import photo_folder

# The plain GAN; R1 (a double backward inside DDP's forward, every D step); InfoGAN (two
# parameter groups, trunk and Q head, in the discriminator role; its G step runs through D's
# frozen trunk).
CASES = {
    "gan-ring8": ["gan", "--data", "ring8", "--set", "hidden=16", "--set", "layers=1"],
    "gan-r1": ["gan", "--data", "grid25", "--set", "hidden=16", "--set", "layers=1",
               "--set", "penalty=r1", "--set", "penalty_every=1"],
    "infogan": ["infogan", "--data", "digits"],
}


def torchrun(*args, processes=2):
    """``ganzoo train ARGS`` in ``processes`` CPU processes; returns the finished process."""
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(processes), "--no-python", ganzoo_exe, "train", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_two_process_training_on_cpu(tmp_path, case):
    out = tmp_path / "ddp"
    done = torchrun(*CASES[case], "--steps", "8", "--batch-size", "32", "--out", str(out),
                    "--set", "log_every=2", "--set", "device=cpu", "--set", "sample_every=0")

    run = json.loads((out / "run.json").read_text())
    assert run["world_size"] == 2 and run["steps"] == 8
    assert run["data_parallel"] == "DistributedDataParallel"
    assert run["replicas_in_sync"] is True  # same weights on both ranks after 8 steps
    rank0, rank1 = (set(head) for head in run["shard_heads"])
    assert rank0 and rank1 and not rank0 & rank1  # each rank drew its own shard
    # Only rank 0 writes: one line per logged iteration, not two.
    steps = [json.loads(x)["step"] for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6, 8]
    assert done.stdout.count("wrote") == 1
    assert ganzoo.load(str(out)).sample(10, seed=0).shape[0] == 10


@pytest.mark.slow
def test_two_process_resume_matches_an_uninterrupted_two_process_run(tmp_path):
    """Each rank resumes with its own noise and its own BatchNorm statistics (DCGAN has BN),
    not rank 0's: the resumed weights equal the straight run's bit for bit."""
    args = ["dcgan", "--data", "digits", "--set", "ngf=8", "--set", "ndf=8", "--batch-size", "16",
            "--set", "device=cpu", "--set", "sample_every=0", "--set", "checkpoint_every=0",
            "--set", "threads=1"]
    torchrun(*args, "--steps", "6", "--out", str(tmp_path / "straight"))
    torchrun(*args, "--steps", "3", "--out", str(tmp_path / "resumed"))
    torchrun("dcgan", "--resume", "--steps", "6", "--out", str(tmp_path / "resumed"))

    straight, resumed = (load_checkpoint(checkpoint_path(tmp_path / name))
                         for name in ("straight", "resumed"))
    assert len(straight["rng"]) == 2 and not torch.equal(straight["rng"][0]["torch"],
                                                         straight["rng"][1]["torch"])
    for part in ("model", "ema"):
        assert straight[part].keys() == resumed[part].keys()
        different = [k for k in straight[part] if not torch.equal(straight[part][k],
                                                                  resumed[part][k])]
        assert not different, f"{part}: {different[:4]}"
    for mine, theirs in zip(straight["rank_buffers"], resumed["rank_buffers"]):
        assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    # ranks see different shards, so their BatchNorm statistics differ
    first, second = straight["rank_buffers"]
    assert any(not torch.equal(first[k], second[k]) for k in first if "running_mean" in k)


@pytest.mark.slow
def test_two_processes_with_data_workers_train_the_weights_of_in_process_loading(tmp_path):
    """Each rank's worker decodes only that rank's shard: with one worker per rank the run ends
    with the weights of the same run loading in-process (4 iterations: two epochs per rank)."""
    root = photo_folder(tmp_path / "photos", count=8)
    args = ["dcgan", "--data", f"folder:{root}", "--set", "channels=3", "--set", "ngf=8",
            "--set", "ndf=8", "--batch-size", "2", "--steps", "4", "--set", "device=cpu",
            "--set", "sample_every=0", "--set", "threads=1", "--set", "preview_count=2"]
    torchrun(*args, "--set", "workers=0", "--out", str(tmp_path / "in_process"))
    torchrun(*args, "--set", "workers=1", "--out", str(tmp_path / "workers"))

    run = json.loads((tmp_path / "workers" / "run.json").read_text())
    assert run["world_size"] == 2 and run["data_workers"] == 1 and run["replicas_in_sync"]
    rank0, rank1 = (set(head) for head in run["shard_heads"])
    assert len(rank0) == len(rank1) == 4 and not rank0 & rank1
    plain, pooled = (load_checkpoint(checkpoint_path(tmp_path / name))
                     for name in ("in_process", "workers"))
    for part in ("model", "ema"):
        different = [k for k in plain[part] if not torch.equal(plain[part][k], pooled[part][k])]
        assert not different, f"{part}: {different[:4]}"
    for mine, theirs in zip(plain["rank_buffers"], pooled["rank_buffers"]):
        assert all(torch.equal(mine[k], theirs[k]) for k in mine)  # each rank's own batches


@pytest.mark.slow
def test_batchnorm_statistics_averaged_across_processes_and_recorded(tmp_path):
    out = tmp_path / "avg"
    torchrun("dcgan", "--data", "digits", "--set", "ngf=8", "--set", "ndf=8", "--steps", "3",
             "--batch-size", "16", "--set", "device=cpu", "--set", "sample_every=2",
             "--set", "batchnorm_sync=average", "--set", "threads=1", "--out", str(out))
    run = json.loads((out / "run.json").read_text())
    assert run["batchnorm_across_processes"] == DESCRIPTIONS["average"]
    assert (out / "samples" / "step_0000002.png").is_file()
    first, second = load_checkpoint(checkpoint_path(out))["rank_buffers"]
    assert any("running_var" in k for k in first)
    assert all(torch.equal(first[k], second[k]) for k in first)  # one set of statistics


def test_sync_batchnorm_needs_cuda_and_unknown_modes_are_refused():
    model = build_model("dcgan", {"ngf": 4, "ndf": 4})
    with pytest.raises(GanzooError, match="CUDA devices only; on CPU use .*=average"):
        prepare(model, "sync", world=2, device=torch.device("cpu"))
    with pytest.raises(GanzooError, match="batchnorm_sync must be one of"):
        prepare(model, "global", world=2, device=torch.device("cpu"))
    assert prepare(model, "sync", world=1, device=torch.device("cpu")) is None  # one process
    assert prepare(model, "average", world=2, device=torch.device("cpu")) == DESCRIPTIONS["average"]


def test_resuming_with_another_process_count_is_a_clear_error():
    from ganzoo.train.rank_state import restore_rank_state
    from ganzoo.train.rng import capture_rng

    model = build_model("dcgan", {"ngf": 4, "ndf": 4})
    two = {"rng": [capture_rng(), capture_rng()], "rank_buffers": None}
    with pytest.raises(GanzooError, match="written by 2 process.* this run has 1; .*"
                                          "--nproc_per_node 2"):
        restore_rank_state(model, two, rank=0, world=1)
    restore_rank_state(model, {"rng": capture_rng()}, rank=0, world=1)  # an older checkpoint
