"""What each process of a run holds that the others do not: its RNG streams and its networks'
buffers (BatchNorm statistics of its own shard, CycleGAN's pool of its own fakes).

Parameters are identical on every rank (DistributedDataParallel averages gradients), so the
checkpoint stores them once; these per-rank parts are gathered to rank 0, the one writer, and
each rank takes its own back on resume. Without that, every rank resumed with rank 0's noise.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ..errors import GanzooError
from . import distributed
from .rng import capture_rng, restore_rng


def buffer_state(model: nn.Module) -> dict[str, Any]:
    """The persistent buffers of ``model`` (the part of its state_dict that is not weights)."""
    names = {name for name, _ in model.named_buffers()}
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items() if k in names}


def gather_rank_states(model: nn.Module, world: int) -> dict[str, Any]:
    """Checkpoint entries ``rng`` (one state per rank) and, when distributed, ``rank_buffers``.

    Every rank must call this at the same iteration (it is a collective under torchrun)."""
    own = {"rng": capture_rng(), "buffers": buffer_state(model) if world > 1 else None}
    states = distributed.gather_objects(own)
    return {"rng": [s["rng"] for s in states],
            "rank_buffers": [s["buffers"] for s in states] if world > 1 else None}


def restore_rank_state(model: nn.Module, checkpoint: dict[str, Any], rank: int,
                       world: int) -> None:
    """Give this rank its own RNG streams (and buffers) from ``checkpoint``."""
    rng = checkpoint["rng"]
    states = rng if isinstance(rng, list) else [rng]  # older checkpoints: one process, one state
    if len(states) != world:
        raise GanzooError(f"the checkpoint was written by {len(states)} process(es) but this "
                          f"run has {world}; resume with the same count (torchrun "
                          f"--nproc_per_node {len(states)}"
                          f"{'' if len(states) > 1 else ', or without torchrun'})")
    restore_rng(states[rank])
    buffers = checkpoint.get("rank_buffers")
    if buffers:
        model.load_state_dict(buffers[rank], strict=False)
