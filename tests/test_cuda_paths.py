"""The CUDA paths of training (run by ``benchmarks/gpu_check.sh`` on a GPU machine; skipped,
with the reason, everywhere else): fp16 with and without a gradient penalty, bf16 autocast,
fused Adam, pinned memory, compiled networks, torchrun with the nccl backend."""

import json
import os
import subprocess
import sys

import pytest
import torch

from ganzoo.building import build_model
from ganzoo.data.toy import ring8
from ganzoo.errors import GanzooError
from ganzoo.train import TrainConfig, Trainer

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(),
                                 reason="needs a CUDA device (benchmarks/gpu_check.sh runs these "
                                        "on a GPU machine)")]

SMALL = {"hidden": 32, "layers": 2}


def make(**values):
    torch.manual_seed(0)
    return build_model("gan", {**SMALL, **values})


def quick(**overrides):
    settings = dict(steps=6, batch_size=64, device="cuda", sample_every=0, checkpoint_every=0,
                    log_every=2, preview_count=16)
    settings.update(overrides)
    return TrainConfig(**settings)


def finite_losses(history) -> bool:
    return bool(history) and all(torch.isfinite(torch.tensor(v)).item()
                                 for row in history for k, v in row.items() if k != "step")


def test_fp16_with_a_gradient_penalty_is_refused_in_one_line():
    trainer = Trainer(make(penalty="r1", penalty_weight=1.0, penalty_every=1), ring8(points=512),
                      quick(precision="fp16"))
    with pytest.raises(GanzooError, match="not supported with precision fp16.*bf16"):
        trainer.fit()


def test_fp16_without_a_penalty_trains_with_a_grad_scaler():
    trainer = Trainer(make(penalty="none"), ring8(points=512), quick(precision="fp16"))
    trainer.fit()
    assert trainer.precision == "fp16" and finite_losses(trainer.history)


def test_bf16_autocast_trains_on_cuda():
    trainer = Trainer(make(), ring8(points=512), quick(precision="bf16"))
    summary = trainer.fit()
    assert summary["steps"] == 6 and trainer.precision == "bf16"
    assert finite_losses(trainer.history)


def test_fused_adam_runs_on_cuda():
    model = make(fused_adam=True)
    trainer = Trainer(model, ring8(points=512), quick())
    trainer.fit()
    assert all(opt.defaults.get("fused") for opt in trainer.optimizers.values())
    assert finite_losses(trainer.history)


def test_image_batches_come_from_pinned_memory(tmp_path, monkeypatch):
    from torch.utils.data import dataloader

    seen = []
    original = dataloader.DataLoader.__iter__

    def recording_iter(loader):  # the real loader runs; we only note how it was built
        seen.append(loader.pin_memory)
        return original(loader)

    monkeypatch.setattr(dataloader.DataLoader, "__iter__", recording_iter)
    import numpy as np
    from PIL import Image

    from ganzoo.data.spec import load_dataset

    photos = tmp_path / "photos"  # files: in-memory data keeps its batched path, no DataLoader
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(32):
        Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(photos / f"{i}.png")
    torch.manual_seed(0)
    model = build_model("dcgan", {"channels": 3, "image_size": 8, "ngf": 8, "ndf": 8})
    trainer = Trainer(model, load_dataset(f"folder:{photos}", image_size=8),
                      quick(steps=3, batch_size=16, workers=1))
    trainer.fit()
    assert seen and all(seen)


def test_compiled_networks_on_cuda_follow_eager_losses_with_a_penalty():
    from ganzoo.train.compiled_networks import check_compile_works

    try:
        check_compile_works()
    except GanzooError as error:
        pytest.skip(f"torch.compile cannot run here: {error}")
    values = {"penalty": "r1", "penalty_weight": 1.0, "penalty_every": 1}
    eager = Trainer(make(**values), ring8(points=512), quick(log_every=1))
    eager.fit()
    compiled = Trainer(make(**values), ring8(points=512), quick(log_every=1, compile=True))
    compiled.fit()
    for a, b in zip(eager.history, compiled.history, strict=True):
        for key in a:
            # TF32 and fused kernels differ from eager ones in the last bits, more than on CPU.
            assert b[key] == pytest.approx(a[key], rel=1e-3, abs=1e-5), (a["step"], key)


def torchrun(tmp_path, processes: int):
    ganzoo_exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    out = tmp_path / f"torchrun{processes}"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(processes), "--no-python", ganzoo_exe, "train", "gan",
               "--data", "ring8", "--steps", "6", "--batch-size", "64", "--device", "cuda",
               "--out", str(out), "--set", "hidden=32", "--set", "layers=2",
               "--set", "sample_every=0"]
    done = subprocess.run(command, env={**os.environ, "TQDM_DISABLE": "1"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads((out / "run.json").read_text())


def test_torchrun_one_process_trains_on_cuda(tmp_path):
    # One process joins no process group (ganzoo does so only when WORLD_SIZE > 1): this is
    # the launcher's path on a one-GPU machine; nccl itself needs two GPUs (next test).
    run = torchrun(tmp_path, 1)
    assert run["world_size"] == 1 and run["steps"] == 6


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="nccl data parallel needs 2 GPUs "
                                                          "(one process per GPU)")
def test_torchrun_two_processes_use_nccl_and_stay_in_sync(tmp_path):
    run = torchrun(tmp_path, 2)
    assert run["world_size"] == 2 and run["replicas_in_sync"]
    assert run["data_parallel"] == "DistributedDataParallel"
