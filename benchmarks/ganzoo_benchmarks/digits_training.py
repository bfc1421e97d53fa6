"""Training for the digits benchmark (cGAN, InfoGAN): on the training split only, with exactly
the recipe ``ganzoo train VARIANT --data digits --seed S`` resolves, through the one Trainer."""

from __future__ import annotations

import numpy as np

from .recipe_runs import train_recipe

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
    """Train on ``train_set`` with the recipe ``ganzoo train VARIANT --data digits --seed S
    [--set k=v]`` resolves."""
    return train_recipe(variant, "digits", seed=seed, threads=threads, steps=steps, sets=sets,
                        dataset=train_set)
