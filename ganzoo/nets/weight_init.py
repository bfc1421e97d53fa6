"""The reference initialization of pix2pix/CycleGAN networks: N(0, 0.02) convs, N(1, 0.02) BN."""

from __future__ import annotations

from torch import nn


def init_weights(net: nn.Module, kind: str = "normal", gain: float = 0.02) -> nn.Module:
    """Initialize conv/linear weights (``normal``, ``xavier``, ``kaiming``, ``orthogonal``),
    zero their biases, and set BatchNorm scales around 1. Returns ``net``."""
    initializers = {
        "normal": lambda w: nn.init.normal_(w, 0.0, gain),
        "xavier": lambda w: nn.init.xavier_normal_(w, gain=gain),
        "kaiming": lambda w: nn.init.kaiming_normal_(w, a=0, mode="fan_in"),
        "orthogonal": lambda w: nn.init.orthogonal_(w, gain=gain),
    }
    if kind not in initializers:
        raise ValueError(f"init must be one of {', '.join(initializers)}, got {kind!r}")
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            initializers[kind](module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, gain)
            nn.init.zeros_(module.bias)
    return net
