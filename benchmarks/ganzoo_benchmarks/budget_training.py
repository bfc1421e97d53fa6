"""Training through the one Trainer within a budget of CPU time, and translating photos with the
result: how the translation benchmark trains and runs every model.

CPU seconds of this process (``time.process_time``), not wall time, so other jobs on a shared
machine do not silently shrink the training. The step count is fitted from the CPU time of a
short probe run.
"""

from __future__ import annotations

import numpy as np
import torch

#: Steps of the probe run that times one training step.
PROBE_STEPS = 10


def train(variant: str, values: dict, data: str, *, minutes: float, max_steps: int,
          batch_size: int, steps: int | None = None, lr_decay: bool = True,
          ema_decay: float = 0.0, start=None, seed: int = 0):
    """Train with the Trainer for ``steps`` iterations, or as many as fit ``minutes`` of CPU
    time of this process (per-step CPU time measured on a short probe run). ``start(model)``,
    if given, sets the weights training starts from. Returns
    (model, steps, wall seconds, CPU seconds)."""
    from ganzoo.building import build_model
    from ganzoo.data.spec import load_dataset
    from ganzoo.train import TrainConfig, Trainer

    dataset = load_dataset(data)
    if steps is None:
        probe = build_model(variant, values)
        warm = TrainConfig(steps=PROBE_STEPS, batch_size=batch_size, ema_decay=0, device="cpu",
                           sample_every=0, checkpoint_every=0, log_every=PROBE_STEPS)
        per_step = Trainer(probe, dataset, warm).fit()["cpu_seconds"] / PROBE_STEPS
        # 0.88: measured runs took ~10 % more CPU per step than their probe (the pool fills, etc.).
        steps = int(min(max_steps, max(10, 0.88 * minutes * 60 / per_step)))
    torch.manual_seed(seed)
    model = build_model(variant, values)
    if start is not None:
        start(model)
    config = TrainConfig(steps=steps, batch_size=batch_size, ema_decay=ema_decay, device="cpu",
                         lr_decay_start=steps // 2 if lr_decay else None, sample_every=0,
                         checkpoint_every=0, log_every=max(1, steps // 20), seed=seed)
    trainer = Trainer(model, dataset, config)
    summary = trainer.fit()
    return trainer.final_model, steps, summary["wall_seconds"], summary["cpu_seconds"]


def translate_all(model, inputs: list[np.ndarray], **options) -> list[np.ndarray]:
    """``model.translate`` of each float (H, W, 3) photo. Quality is scored on the fp32 output
    (the model's definition; bf16 is a speed option)."""
    options.setdefault("precision", "fp32")
    outputs = []
    for image in inputs:
        tensor = torch.from_numpy(image).permute(2, 0, 1)[None]
        outputs.append(model.translate(tensor, **options)[0].permute(1, 2, 0).numpy())
    return outputs
