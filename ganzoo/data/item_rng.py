"""Random draws for a dataset item as a pure function of (seed, epoch, rank, index).

A dataset whose items are random (crops, flips, an unpaired partner image) draws them from
`item_generator`, never from the global RNG. Then:

* a resumed run sees exactly the items an uninterrupted one would (nothing it does before
  training, such as drawing the preview batch, can shift a shared stream);
* every epoch gets fresh crops, and the same ones again for the same seed;
* each process (rank) draws its own, and loader workers need no seeding.

The engine says which draw it wants: `ganzoo.train.batches.BatchStream` hands a `DrawKey`
``(seed, epoch, rank)`` to every dataset's ``set_draw`` (`TrainingData`; `RandomItems` keeps
it) before each batch. A dataset used on its own draws with its default key.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from .training_data import TrainingData


class DrawKey(NamedTuple):
    """Which stream of item randomness to draw from."""

    seed: int = 0
    epoch: int = 0
    rank: int = 0


def item_generator(key: DrawKey, index: int) -> torch.Generator:
    """A torch CPU generator seeded from ``(key.seed, key.epoch, key.rank, index)``.

    numpy's SeedSequence hashes the four numbers, so neighbouring items (or epochs) get
    unrelated streams rather than consecutive integer seeds.
    """
    entropy = [key.seed % 2**64, int(key.epoch), int(key.rank), int(index)]
    high, low = np.random.SeedSequence(entropy).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed((int(high) << 32 | int(low)) >> 1)


class RandomItems(TrainingData):
    """Base for datasets with random items: ``self.item_rng(index)`` is their generator."""

    draw_key: DrawKey = DrawKey()

    def set_draw(self, key: DrawKey) -> None:
        """Called by the engine before each batch with the current (seed, epoch, rank)."""
        self.draw_key = key

    def item_rng(self, index: int) -> torch.Generator:
        return item_generator(self.draw_key, index)
