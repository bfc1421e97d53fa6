"""Batches made in ``DataLoader`` worker processes, identical to the ones made in-process.

Reading, decoding, resizing and cropping images one by one is most of a small model's step on a
CPU; worker processes prepare the next batches while the training process computes. Nothing
about a batch may depend on which process made it, so a worker is sent the whole request — the
batch's indices and its `DrawKey` (seed, epoch, rank) — and calls the dataset's own
``get_batch`` exactly as the training process would: data order and random crops are the same
for any number of workers, and a resumed run's are a straight run's. Under torchrun each rank
sends its own workers only the indices of its shard.

The request stream is endless (epochs follow each other inside it), so the workers live for
the whole run and prefetch across epoch boundaries.
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable, Iterator, NamedTuple

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from ..data.item_rng import DrawKey
from ..data.training_data import TrainingData
from ..errors import GanzooError
from ..thread_choice import usable_cpus

#: Batches each worker prepares ahead of the one being trained on (DataLoader's default).
PREFETCH_BATCHES = 2
#: No default beyond this: more workers than this rarely help one training process, and each
#: holds its own copy of the dataset object.
MAX_DEFAULT_WORKERS = 8
#: Up to this many CPUs per training process the default is `SMALL_MACHINE_WORKERS`.
SMALL_MACHINE_CPUS = 2
#: Measured on 2 shared cores (benchmarks/results/data_workers.txt: a 64-px conv GAN on 2,000
#: JPEGs, 1 thread): 1 or 2 workers trained at 0.90x / 0.88x the in-process rate (pooled
#: medians); the worker competes for the two cores the step it would overlap with needs.
SMALL_MACHINE_WORKERS = 0


class BatchRequest(NamedTuple):
    """One batch to make: where it is in the run, its item indices and its draw key."""

    epoch: int
    position: int
    indices: torch.Tensor
    key: DrawKey


def max_workers(cpus: int | None = None) -> int:
    """The largest ``workers`` accepted: 4 per usable CPU, at least 8 (more only thrash)."""
    return max(8, 4 * (cpus or usable_cpus() or 1))


def check_workers(workers: int | None) -> None:
    """A one-line error naming the fix unless ``workers`` is None (automatic) or 0..max."""
    if workers is None:
        return
    limit = max_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= limit:
        raise GanzooError(f"workers must be 0 (load data in the training process) up to {limit} "
                          f"(worker processes), got {workers!r}; e.g. --set workers=2, or leave "
                          f"it out for the default ({default_workers()} on this machine)")


def default_workers(cpus: int | None = None, processes: int | None = None) -> int:
    """Workers per training process: one less than its share of the CPUs (the training process
    keeps one), at most `MAX_DEFAULT_WORKERS`; `SMALL_MACHINE_WORKERS` on a share of two CPUs
    or fewer. ``processes``: training processes on this machine (torchrun's
    ``LOCAL_WORLD_SIZE``)."""
    cpus = cpus if cpus is not None else (usable_cpus() or 1)
    if processes is None:
        processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    share = cpus // max(1, processes)
    if share <= SMALL_MACHINE_CPUS:
        return SMALL_MACHINE_WORKERS
    return min(MAX_DEFAULT_WORKERS, share - 1)


def resolve_workers(requested: int | None, dataset: TrainingData) -> int:
    """Worker processes for ``dataset``: 0 for data without per-item work (in-memory tensors
    batch faster in-process), else ``requested`` or the machine's default."""
    check_workers(requested)
    if not getattr(dataset, "benefits_from_workers", False):
        return 0
    return default_workers() if requested is None else requested


class RequestedBatches(Dataset):
    """``dataset`` answering whole `BatchRequest` s: ``((epoch, position), batch)``.

    A `GanzooError` (an unreadable image, say) comes back as the batch and is raised by the
    training process as it is: raised in the worker, torch would wrap it in a multi-line
    "Caught ... in DataLoader worker process" message with the worker's traceback.
    """

    def __init__(self, dataset: TrainingData):
        self.dataset = dataset

    def __getitem__(self, request: BatchRequest) -> tuple[tuple[int, int], Any]:
        self.dataset.set_draw(request.key)
        try:
            batch = self.dataset.get_batch(request.indices)
        except GanzooError as error:
            batch = error
        return (request.epoch, request.position), batch

    def __len__(self) -> int:
        return len(self.dataset)


class Requests(Sampler):
    """The endless `BatchRequest` stream from ``start = (epoch, position)`` on; ``plan`` is
    the one `BatchStream` follows, so workers make exactly the batches it would."""

    def __init__(self, plan: Callable[[int, int], Iterator[tuple[int, int, torch.Tensor]]],
                 seed: int, rank: int):
        self.plan, self.seed, self.rank = plan, seed, rank
        self.start = (0, 0)

    def __iter__(self) -> Iterator[BatchRequest]:
        for epoch, position, indices in self.plan(*self.start):
            yield BatchRequest(epoch, position, indices, DrawKey(self.seed, epoch, self.rank))


def keep_batch(batch: Any) -> Any:
    """The collate step: the worker's ``get_batch`` already collated the batch."""
    return batch


def quiet_worker(_: int) -> None:
    """Workers ignore Ctrl-C and SIGTERM (sent to the whole process group): the training
    process finishes its iteration, checkpoints, then stops them; a worker killed first would
    fail that last iteration. They still exit when the training process dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def worker_loader(dataset: TrainingData, requests: Requests, workers: int,
                  pin_memory: bool) -> DataLoader:
    """A DataLoader whose ``workers`` processes answer ``requests`` (see the module doc)."""
    # Its own generator: starting workers draws their base seed from it, which must not shift
    # the training process's noise stream (the worker path would then train other weights).
    return DataLoader(RequestedBatches(dataset), sampler=requests, batch_size=None,
                      collate_fn=keep_batch, num_workers=workers, persistent_workers=True,
                      prefetch_factor=PREFETCH_BATCHES, pin_memory=pin_memory,
                      worker_init_fn=quiet_worker,
                      generator=torch.Generator().manual_seed(requests.seed))
