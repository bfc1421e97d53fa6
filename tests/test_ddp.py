"""``ganzoo train`` under torchrun: 2 CPU processes (gloo), one writer, disjoint data shards."""

import json
import os
import subprocess
import sys

import pytest

import ganzoo


@pytest.mark.slow
def test_two_process_training_on_cpu(tmp_path):
    out = tmp_path / "ddp"
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", "2", "--no-python", ganzoo_exe, "train", "gan",
               "--data", "ring8", "--steps", "8", "--batch-size", "32", "--out", str(out),
               "--set", "hidden=16", "--set", "layers=1", "--set", "log_every=2",
               "--set", "device=cpu"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    run = json.loads((out / "run.json").read_text())
    assert run["world_size"] == 2 and run["steps"] == 8
    assert run["replicas_in_sync"] is True
    rank0, rank1 = (set(head) for head in run["shard_heads"])
    assert rank0 and rank1 and not rank0 & rank1  # each rank drew its own shard
    # Only rank 0 writes: one line per logged iteration, not two.
    steps = [json.loads(x)["step"] for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6, 8]
    assert done.stdout.count("wrote") == 1
    assert tuple(ganzoo.load(str(out)).sample(10, seed=0).shape) == (10, 2)
