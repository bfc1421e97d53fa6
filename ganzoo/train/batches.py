"""A deterministic, resumable, shard-aware stream of batches.

Data order is a pure function of (seed, epoch, rank): each epoch is a fresh permutation from
`DistributedSampler` (which also gives each process its own disjoint shard), so a checkpoint
only needs ``(epoch, position)`` to continue with exactly the batches a straight run would see.
Datasets with random items (crops, flips) are told the same ``(seed, epoch, rank)`` before each
batch (`ganzoo.data.item_rng`), so their items are reproducible too, and fresh every epoch.

Datasets that read files item by item (``TrainingData.benefits_from_workers``) are batched in
``DataLoader`` worker processes that follow the same plan (`ganzoo.train.data_workers`), so the
batches are the same with or without workers; in-memory data is indexed in-process.
"""

from __future__ import annotations

from typing import Any, Iterator

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
    """Endless batches of ``batch_size`` items, reshuffled every epoch, last partial dropped.

    Args:
        dataset: the training data.
        batch_size / seed / rank / world_size: as in `ganzoo.train.TrainConfig` and torchrun.
        workers: DataLoader worker processes (0: batches are made in this process; None: the
            machine's default). Data without per-item work always uses 0.
        pin_memory: batches from workers come in page-locked memory (CUDA training only).
    """

    def __init__(self, dataset: TrainingData, batch_size: int, seed: int, rank: int = 0,
                 world_size: int = 1, *, workers: int | None = 0, pin_memory: bool = False):
        from .data_workers import resolve_workers

        self.dataset = dataset
        self.batch_size = batch_size
        self.seed, self.rank = seed, rank
        self.sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank,
                                          shuffle=True, seed=seed, drop_last=True)
        check_batches_fit(dataset, batch_size, world_size)
        self.per_epoch = self.sampler.num_samples // batch_size
        self.epoch, self.position = 0, 0
        self._plan: Iterator[tuple[int, int, torch.Tensor]] | None = None
        self.workers = resolve_workers(workers, dataset)
        self.pin_memory = pin_memory
        self._loader = None
        self._batches = None  # the loader's iterator, from the state it was started at

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self._plan = None
        self._batches = None

    def plan(self, epoch: int, position: int) -> Iterator[tuple[int, int, torch.Tensor]]:
        """``(epoch, position, indices)`` of every batch after ``position`` batches of
        ``epoch`` were drawn, forever. The one order both this process and workers follow."""
        while True:
            if position >= self.per_epoch:
                epoch, position = epoch + 1, 0
            self.sampler.set_epoch(epoch)
            order = torch.tensor(list(iter(self.sampler)), dtype=torch.long)
            for at in range(position, self.per_epoch):
                yield epoch, at, order[at * self.batch_size:(at + 1) * self.batch_size]
            position = self.per_epoch

    def next_indices(self) -> torch.Tensor:
        if self._plan is None:
            self._plan = self.plan(self.epoch, self.position)
        self.epoch, position, indices = next(self._plan)
        self.position = position + 1
        return indices

    def __next__(self) -> Any:
        if self.workers:
            return self._from_workers()
        indices = self.next_indices()  # first: it may start the next epoch
        self.dataset.set_draw(DrawKey(self.seed, self.epoch, self.rank))
        return self.dataset.get_batch(indices)

    def _from_workers(self) -> Any:
        if self._batches is None:
            if self._loader is None:
                from .data_workers import Requests, worker_loader

                self._requests = Requests(self.plan, self.seed, self.rank)
                self._loader = worker_loader(self.dataset, self._requests, self.workers,
                                             self.pin_memory)
            self._requests.start = (self.epoch, self.position)
            self._batches = iter(self._loader)  # persistent workers restart from the state
        where, batch = next(self._batches)
        self.next_indices()  # keep (epoch, position) with what was trained on
        if where != (self.epoch, self.position - 1):
            raise RuntimeError(f"data workers sent batch {where}, expected "
                               f"{(self.epoch, self.position - 1)}")  # an engine bug
        if isinstance(batch, GanzooError):
            raise batch
        return batch

    def close(self) -> None:
        """Stop the worker processes (they also stop when this process exits)."""
        shutdown = getattr(self._batches, "_shutdown_workers", None)
        if shutdown is not None:  # at once, not whenever the iterator is collected
            shutdown()
        self._batches = self._loader = None

    def __iter__(self):
        return self
