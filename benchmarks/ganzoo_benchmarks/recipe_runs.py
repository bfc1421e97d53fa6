"""Training runs with exactly the settings ``ganzoo train VARIANT --data SPEC [--preset P]
[--seed S] [--steps N] [--set k=v]`` resolves (the CLI's own resolution code), through the one
Trainer, in this process: no previews, no checkpoints, a pinned torch thread count.

Benchmarks that compare recipes use this, so what they measure is what a user's command trains.
"""

from __future__ import annotations

import time
from typing import Any

#: Iterations of the probe run that times one iteration for a CPU-time budget.
PROBE_STEPS = 20
#: Measured runs took ~10 % more CPU per iteration than their probe (warm-up is amortised
#: differently, the EMA and pools fill), so a budget is filled to this fraction.
BUDGET_FILL = 0.9


def train_recipe(variant: str, data: str, *, seed: int, threads: int,
                 steps: int | None = None, preset: str | None = None,
                 sets: dict[str, Any] | None = None, dataset=None):
    """Train ``variant`` on ``data`` as the CLI would; ``dataset`` replaces the one ``data``
    names (e.g. a training split), keeping ``data``'s recipe. Returns (EMA/final model,
    {steps, cpu_s, wall_s, ada_p: the adaptive augmentation probability at the end or None})."""
    import torch

    from ganzoo.building import build_model
    from ganzoo.cli.train import dataset_options, resolve_settings, split_values
    from ganzoo.config import build_config
    from ganzoo.data.spec import load_dataset
    from ganzoo.data.training_data import as_training_data
    from ganzoo.train import TrainConfig, Trainer
    from ganzoo.train.rng import seed_everything

    flags = {"seed": seed, "device": "cpu"} | ({"steps": steps} if steps else {})
    settings = resolve_settings(variant, data, flags=flags, sets=dict(sets or {}), preset=preset)
    if dataset is None:
        dataset = as_training_data(load_dataset(data, **dataset_options(settings)))
    model_values, train_values = split_values(settings, dataset.config_hints)
    train_config = build_config(TrainConfig, {**train_values, "threads": threads,
                                              "sample_every": 0, "checkpoint_every": 0})
    seed_everything(train_config.seed)
    model = build_model(variant, model_values)
    torch.set_num_threads(threads)
    cpu, wall = time.process_time(), time.perf_counter()
    trainer = Trainer(model, dataset, train_config)
    summary = trainer.fit()
    return trainer.final_model, {"steps": summary["steps"],
                                 "cpu_s": time.process_time() - cpu,
                                 "wall_s": time.perf_counter() - wall,
                                 "ada_p": trainer.ada.p if trainer.ada is not None else None}


def steps_in_budget(variant: str, data: str, minutes: float, *, threads: int,
                    preset: str | None = None, sets: dict[str, Any] | None = None,
                    max_steps: int = 1_000_000) -> int:
    """How many iterations of this recipe fit ``minutes`` of CPU time of this process, from the
    CPU time of a `PROBE_STEPS`-iteration probe run. CPU time, not wall time, so other work on
    a shared machine does not shrink one run's budget and not another's."""
    _, probe = train_recipe(variant, data, seed=0, threads=threads, steps=PROBE_STEPS,
                            preset=preset, sets={**(sets or {}), "ema_decay": 0.0})
    per_step = probe["cpu_s"] / PROBE_STEPS
    return int(min(max_steps, max(PROBE_STEPS, BUDGET_FILL * minutes * 60 / per_step)))
