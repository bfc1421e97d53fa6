"""What happens to BatchNorm across processes under torchrun (`TrainConfig.batchnorm_sync`).

DistributedDataParallel keeps the *weights* of all replicas equal, but BatchNorm also has
running statistics, which each process collects from its own shard:

* ``none``: each process keeps its own (rank 0's are checkpointed and saved);
* ``average``: after every iteration the running means and variances are averaged over the
  processes, so every replica and the saved model hold statistics of the whole data (the
  average of per-process variances leaves out the spread between the processes' means, a
  small bias at equal shard sizes); works on CPU (gloo) and CUDA;
* ``sync``: `torch.nn.SyncBatchNorm`: each forward normalizes with the statistics of the
  global batch (every process's samples), exactly a single-process run of the global batch
  size; CUDA only (as torch implements it).
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn

from ..errors import GanzooError
from .standing_stats import batchnorm_layers

MODES = ("none", "average", "sync")
DESCRIPTIONS = {"none": "per process (rank 0's statistics saved)",
                "average": "running statistics averaged across processes every iteration",
                "sync": "SyncBatchNorm (statistics of the global batch)"}


def prepare(model: nn.Module, mode: str, world: int, device: torch.device) -> str | None:
    """Check ``mode``, convert to SyncBatchNorm for ``sync``; returns what `run.json` records
    (None when there is no BatchNorm or only one process)."""
    if mode not in MODES:
        raise GanzooError(f"batchnorm_sync must be one of {', '.join(MODES)}; got {mode!r}")
    if world == 1 or not batchnorm_layers([model]):
        return None
    if mode == "sync":
        if device.type != "cuda":
            raise GanzooError("batchnorm_sync=sync (SyncBatchNorm) runs on CUDA devices only; "
                              "on CPU use --set batchnorm_sync=average")
        # Replaces the BatchNorm children in place (the parameters themselves are kept), so
        # the optimizers the Trainer builds next see the same tensors.
        nn.SyncBatchNorm.convert_sync_batchnorm(model)
    return DESCRIPTIONS[mode]


@torch.no_grad()
def average_running_stats(model: nn.Module, world: int) -> None:
    """All-reduce the running means and variances of ``model``'s BatchNorm layers to their
    mean over the processes (the ``average`` mode; call at the same point on every rank)."""
    tensors = [t for layer in batchnorm_layers([model])
               for t in (layer.running_mean, layer.running_var)]
    if not tensors:
        return
    flat = torch.cat([t.flatten() for t in tensors])
    dist.all_reduce(flat)
    flat /= world
    offset = 0
    for t in tensors:
        t.copy_(flat[offset:offset + t.numel()].view_as(t))
        offset += t.numel()
