"""Data-parallel training under ``torchrun`` (gloo on CPU, nccl on CUDA).

Every process holds a full replica; each draws its own shard of the data and its own noise, and
gradients are averaged across processes before every optimizer step, so replicas stay identical.
This is what `DistributedDataParallel` does, done explicitly here because a GAN step breaks the
DDP wrapper's assumptions: D runs several forwards per backward (real, fake), gradient penalties
need double backward, and G's step must not synchronize D's gradients.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def setup(device: torch.device) -> tuple[int, int]:
    """Join the process group if launched by torchrun; returns ``(rank, world_size)``."""
    if not launched_by_torchrun():
        return 0, 1
    if device.type == "cuda":
        torch.cuda.set_device(device)  # one GPU per process (device comes from LOCAL_RANK)
    if not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size()


def teardown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def broadcast_module(module: torch.nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every process."""
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, src=0)


def average_gradients(params: list[torch.nn.Parameter], world_size: int) -> None:
    """All-reduce the gradients of ``params`` (flattened into one message) and average."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world_size
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def gather_objects(obj) -> list:
    """Every process's ``obj``, in rank order (identity when not distributed)."""
    if not (dist.is_available() and dist.is_initialized()):
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def any_process(flag: bool, world_size: int, device: torch.device) -> bool:
    """True if ``flag`` is set on any process, so all stop at the same iteration (a Ctrl-C
    seen by one rank alone would otherwise leave the others waiting in an all-reduce)."""
    if world_size == 1:
        return flag
    tensor = torch.tensor([1.0 if flag else 0.0], device=device)  # nccl needs CUDA tensors
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return bool(tensor.item())
