"""Load state dicts saved by the reference pix2pix/CycleGAN code into our networks.

Our modules use the reference's layout, so keys map one to one. What differs is history: old
reference checkpoints keep InstanceNorm running statistics (PyTorch < 0.4 tracked them; the
reference deletes them at load time), lack BatchNorm's ``num_batches_tracked``, and
multi-GPU runs prefix every key with ``module.``. `adapt_reference_state` handles those and
checks everything else strictly.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ganzoo.errors import GanzooError
from ganzoo.key_diff import describe_key_mismatch

_NORM_STATS = ("running_mean", "running_var", "num_batches_tracked")


def adapt_reference_state(state: dict[str, Any], network: nn.Module, *,
                          where: str = "checkpoint") -> dict[str, Tensor]:
    """Return ``state`` re-keyed for ``network``, or raise a one-line mismatch error.

    Args:
        state: a reference ``netG``/``netD`` state dict (as read by ``torch.load``).
        network: the ganzoo network it should load into (only its keys and shapes are used).
        where: the file name, for messages.
    """
    import torch

    if not isinstance(state, dict) or not all(isinstance(v, Tensor) for v in state.values()):
        raise GanzooError(f"{where} is not a state dict of tensors; pass the reference "
                          f"latest_net_G.pth (or netD) file itself")
    expected = network.state_dict()
    modules = dict(network.named_modules())
    adapted: dict[str, Tensor] = {}
    for key, tensor in state.items():
        key = key[len("module."):] if key.startswith("module.") else key
        owner, _, leaf = key.rpartition(".")
        if leaf in _NORM_STATS and isinstance(modules.get(owner), nn.InstanceNorm2d):
            continue  # statistics the reference itself discards at load time
        adapted[key] = tensor
    for key, tensor in expected.items():
        owner, _, leaf = key.rpartition(".")
        if leaf == "num_batches_tracked" and key not in adapted and f"{owner}.running_mean" in adapted:
            adapted[key] = torch.zeros_like(tensor)  # saved before PyTorch 0.4.1 counted batches
    problems = describe_key_mismatch({k: tuple(v.shape) for k, v in expected.items()}, adapted)
    if problems:
        raise GanzooError(f"{where} does not fit {type(network).__name__} as configured "
                          f"({problems}); set the architecture to the one it was "
                          f"trained with, e.g. --set netG=unet_256 --set norm=batch")
    return {k: adapted[k].to(expected[k].dtype) for k in expected}

