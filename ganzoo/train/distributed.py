"""Data-parallel training under ``torchrun`` (gloo on CPU, nccl on CUDA).

Every process holds a full replica; each draws its own shard of the data and its own noise, and
`DistributedDataParallel` averages gradients across processes during every backward, so replicas
stay identical.

A GAN cannot simply wrap G and D: G's step backpropagates through D (whose gradients must not be
synchronized or stepped then), D's step runs G without gradients, gradient penalties take a
double backward inside the step, and a role may span several networks or parameter groups
(InfoGAN's D trunk and Q head; CycleGAN's two generators). So DDP wraps one `RoleStep` per
optimizer: a module that owns exactly the parameters that optimizer updates and whose forward
runs that role's training step. DDP's backward hooks then all-reduce exactly the gradients about
to be stepped (the Trainer freezes the other roles' parameters during a step).
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import nn


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
    """Leave the process group once every rank is done (wrappers must be released first)."""
    if dist.is_available() and dist.is_initialized():
        import gc

        gc.collect()  # DDP reducers hold the group and its threads: free them while it lives
        dist.barrier()
        dist.destroy_process_group()


def broadcast_module(module: torch.nn.Module) -> None:
    """Copy rank 0's parameters and buffers to every process."""
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, src=0)


class RoleStep(nn.Module):
    """The parameters one optimizer updates, as a module for DistributedDataParallel to wrap.

    ``forward(run, batch)`` runs the role's step (``batch -> StepOutput``) and returns its loss
    and logs, so the backward of that loss is what DDP synchronizes.
    """

    def __init__(self, params: list[nn.Parameter]):
        super().__init__()
        self.params = nn.ParameterList(params)

    def forward(self, run, batch):
        out = run(batch)
        return out.loss, out.logs, out.judged_real


def wrap_roles(role_params: dict[str, list[nn.Parameter]], device: torch.device) -> dict:
    """One `DistributedDataParallel(RoleStep)` per optimizer role."""
    from torch.nn.parallel import DistributedDataParallel

    wrapped = {}
    for role, params in role_params.items():
        for p in params:
            p.requires_grad_(True)  # DDP registers hooks only on parameters that need grads
        wrapped[role] = DistributedDataParallel(
            RoleStep(params), device_ids=[device.index] if device.type == "cuda" else None,
            # a plugin's step need not use every parameter of its role; without this DDP
            # would wait for those gradients and fail at the next iteration
            find_unused_parameters=True)
    return wrapped


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
