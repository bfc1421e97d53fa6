"""A deterministic, resumable, shard-aware stream of batches.

Data order is a pure function of (seed, epoch, rank): each epoch is a fresh permutation from
`DistributedSampler` (which also gives each process its own disjoint shard), so a checkpoint
only needs ``(epoch, position)`` to continue with exactly the batches a straight run would see.
Datasets with random items (crops, flips) are told the same ``(seed, epoch, rank)`` before each
batch (`ganzoo.data.item_rng`), so their items are reproducible too, and fresh every epoch.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import DistributedSampler

from ..data.item_rng import DrawKey
from ..data.training_data import TrainingData
from ..errors import GanzooError


def check_batches_fit(dataset, batch_size: int, world_size: int = 1) -> None:
    """At least one full batch per process and epoch, or a one-line error naming the fix."""
    per_process = len(dataset) // max(1, world_size)
    if per_process < batch_size:
        fits = max(1, per_process)
        raise GanzooError(f"dataset has {len(dataset)} items, fewer than one batch of "
                          f"{batch_size} per process; lower --batch-size (e.g. --batch-size "
                          f"{fits}) or add data")


class BatchStream:
    """Endless batches of ``batch_size`` items, reshuffled every epoch, last partial dropped."""

    def __init__(self, dataset: TrainingData, batch_size: int, seed: int, rank: int = 0, world_size: int = 1):
        self.dataset = dataset
        self.batch_size = batch_size
        self.seed, self.rank = seed, rank
        self.sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank,
                                          shuffle=True, seed=seed, drop_last=True)
        check_batches_fit(dataset, batch_size, world_size)
        self.per_epoch = self.sampler.num_samples // batch_size
        self.epoch, self.position = 0, 0
        self._order: torch.Tensor | None = None

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self._order = None

    def next_indices(self) -> torch.Tensor:
        if self.position >= self.per_epoch:
            self.epoch, self.position, self._order = self.epoch + 1, 0, None
        if self._order is None:
            self.sampler.set_epoch(self.epoch)
            self._order = torch.tensor(list(iter(self.sampler)), dtype=torch.long)
        start = self.position * self.batch_size
        self.position += 1
        return self._order[start:start + self.batch_size]

    def __next__(self) -> Any:
        indices = self.next_indices()  # first: it may start the next epoch
        self.dataset.set_draw(DrawKey(self.seed, self.epoch, self.rank))
        return self.dataset.get_batch(indices)

    def __iter__(self):
        return self
