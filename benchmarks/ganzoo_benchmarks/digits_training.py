"""Training for the digits benchmark (cGAN, InfoGAN): on the training split only, with exactly
the recipe ``ganzoo train VARIANT --data digits --seed S`` resolves, through the one Trainer."""

from __future__ import annotations

import time

import numpy as np

#: Seed of the stratified 75/25 split of the 1,797 digits (the judge and the GANs share it).
SPLIT_SEED = 0


class DigitsSubset:
    """The digits restricted to some indices, keeping the dataset's fast batch path and hints."""

    def __init__(self, digits, indices):
        import torch

        self.digits = digits
        self.indices = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        self.config_hints = digits.config_hints

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int):
        return self.digits[int(self.indices[index])]

    def get_batch(self, indices):
        return self.digits.get_batch(self.indices[indices])


def train_one(variant: str, seed: int, train_set, steps: int | None, threads: int,
              sets: dict[str, str] | None = None):
    """Train with the recipe ``ganzoo train VARIANT --data digits --seed S [--set k=v]``
    resolves."""
    import torch

    from ganzoo.building import build_model
    from ganzoo.cli.train import resolve_settings, split_values
    from ganzoo.config import build_config
    from ganzoo.train import TrainConfig, Trainer
    from ganzoo.train.rng import seed_everything

    flags = {"seed": seed, "device": "cpu"} | ({"steps": steps} if steps else {})
    settings = resolve_settings(variant, "digits", flags=flags, sets=sets or {})
    model_values, train_values = split_values(settings, train_set.config_hints)
    train_config = build_config(TrainConfig, {**train_values, "threads": threads,
                                              "sample_every": 0, "checkpoint_every": 0})
    seed_everything(train_config.seed)
    model = build_model(variant, model_values)
    torch.set_num_threads(threads)
    cpu, wall = time.process_time(), time.perf_counter()
    trainer = Trainer(model, train_set, train_config)
    summary = trainer.fit()
    return trainer.final_model, {"steps": summary["steps"],
                                 "cpu_s": time.process_time() - cpu,
                                 "wall_s": time.perf_counter() - wall}
