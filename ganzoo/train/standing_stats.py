"""BatchNorm statistics recomputed for the weights a network holds ("standing statistics").

The EMA generator's weights are an average, but the running means and variances in its
BatchNorm layers were collected by the *live* weights, at other points of training: sampled in
eval mode, the averaged network would normalize with statistics that are not its own. So
before previews and the final save the Trainer runs the averaged generator over a fixed set of
inputs and stores the plain average of their batch statistics (``momentum=None``), as BigGAN's
"standing statistics" do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def batchnorm_layers(networks: Iterable[nn.Module]) -> list[_BatchNorm]:
    """The BatchNorm layers (any dimension, SyncBatchNorm too) that keep running statistics."""
    return [m for net in networks for m in net.modules()
            if isinstance(m, _BatchNorm) and m.track_running_stats]


@torch.no_grad()
def recompute_batchnorm(networks: Iterable[nn.Module], feed: Callable[[int], object],
                        batches: int) -> bool:
    """Reset the running statistics of ``networks``' BatchNorm layers and average them anew
    over ``feed(0)``, ..., ``feed(batches - 1)`` (each runs the networks on one batch).

    Only the BatchNorm layers are put in training mode (dropout and the rest stay as they
    are), so the statistics describe the network as it is sampled. Momentum and mode are
    restored afterwards. Returns False (and does nothing) when there is no such layer.
    """
    layers = batchnorm_layers(networks)
    if not layers or batches < 1:
        return False
    saved = [(layer, layer.momentum, layer.training) for layer in layers]
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # cumulative average over the batches, not an EMA
        layer.train()
    try:
        for k in range(batches):
            feed(k)
    finally:
        for layer, momentum, training in saved:
            layer.momentum = momentum
            layer.train(training)
    return True
