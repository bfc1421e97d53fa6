"""The super-resolution benchmark's training runs, through the one Trainer, with their CPU time."""

from __future__ import annotations

import time
from pathlib import Path

import torch


def train(variant: str, values: dict, dataset, steps: int, batch: int, seed: int, out: Path,
          precision: str, channels_last: bool):
    """Train ``variant`` for ``steps`` into ``out``; returns (the loaded model, {train_s,
    train_cpu_s, precision})."""
    from ganzoo.building import build_model
    from ganzoo.layout import load_pretrained_folder
    from ganzoo.train import TrainConfig, Trainer

    torch.manual_seed(seed)
    model = build_model(variant, values)
    config = TrainConfig(steps=steps, batch_size=batch, seed=seed, device="cpu",
                         sample_every=0, checkpoint_every=0, log_every=max(1, steps // 20),
                         preview_count=4, ema_decay=0.999, precision=precision,
                         channels_last=channels_last)
    trainer = Trainer(model, dataset, config, out_dir=out)
    began, cpu_began = time.perf_counter(), time.process_time()
    trainer.fit()
    # CPU seconds of this process (all its threads): the fair budget on a shared machine.
    return load_pretrained_folder(out), {"train_s": time.perf_counter() - began,
                                         "train_cpu_s": time.process_time() - cpu_began,
                                         "precision": trainer.precision}
