"""Normalization choices shared by the image networks (``--set norm=instance``)."""

from __future__ import annotations

from typing import Callable, Literal

from torch import nn

NormName = Literal["batch", "instance", "none"]
NORMS: tuple[str, ...] = ("batch", "instance", "none")


def norm_layer(kind: str) -> Callable[[int], nn.Module]:
    """A factory ``channels -> module`` for ``batch``, ``instance`` or ``none``.

    InstanceNorm is non-affine and keeps no running statistics, as in the reference
    CycleGAN: at test time each image is normalized by its own statistics.
    """
    if kind == "batch":
        return lambda channels: nn.BatchNorm2d(channels, affine=True)
    if kind == "instance":
        return lambda channels: nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if kind == "none":
        return lambda channels: nn.Identity()
    raise ValueError(f"norm must be one of {', '.join(NORMS)}, got {kind!r}")


def conv_bias(kind: str) -> bool:
    """Whether a conv followed by this norm needs its own bias.

    BatchNorm's shift makes a bias redundant; non-affine InstanceNorm subtracts it anyway but
    the reference keeps it (so its checkpoints hold those biases); with no norm a conv needs it.
    """
    return kind != "batch"
