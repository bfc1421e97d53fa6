"""BatchNorm statistics recomputed for the weights a network holds ("standing statistics").

The EMA generator's weights are an average, but the running means and variances in its
BatchNorm layers were collected by the *live* weights, at other points of training: sampled in
eval mode, the averaged network would normalize with statistics that are not its own. So
before previews and the final save the Trainer runs the averaged generator over a fixed set of
inputs and stores the plain average of their batch statistics, as BigGAN's "standing
statistics" do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def batchnorm_layers(networks: Iterable[nn.Module]) -> list[_BatchNorm]:
    """The BatchNorm layers (any dimension, SyncBatchNorm too) that keep running statistics."""
    return [m for net in networks for m in net.modules()
            if isinstance(m, _BatchNorm) and m.track_running_stats]


@torch.no_grad()
def recompute_batchnorm(networks: Iterable[nn.Module], feed: Callable[[int], object],
                        batches: int) -> bool:
    """Replace the running statistics of ``networks``' BatchNorm layers by the plain average of
    their batch statistics over ``feed(0)``, ..., ``feed(batches - 1)`` (each runs the
    networks on one batch).

    During the feeds every BatchNorm layer normalizes with its batch's statistics, as in
    training, whatever mode the caller puts the network in (variants sample in eval mode);
    everything else (dropout) runs as the caller sets it, so the statistics describe the
    network as it is sampled. Returns False (and does nothing) when there is no such layer.
    """
    layers = batchnorm_layers(networks)
    if not layers or batches < 1:
        return False
    sums: dict[_BatchNorm, list] = {layer: [0.0, 0.0, 0] for layer in layers}

    def as_in_training(layer: _BatchNorm, inputs: tuple, output: torch.Tensor) -> torch.Tensor:
        x = inputs[0]
        dims = [0, *range(2, x.dim())]
        entry = sums[layer]
        entry[0] = entry[0] + x.mean(dims).float()
        entry[1] = entry[1] + x.var(dims, unbiased=True).float()  # what training would track
        entry[2] += 1
        return F.batch_norm(x, None, None, layer.weight, layer.bias, True, 0.0, layer.eps)

    hooks = [layer.register_forward_hook(as_in_training) for layer in layers]
    try:
        for k in range(batches):
            feed(k)
    finally:
        for hook in hooks:
            hook.remove()
    for layer, (mean, var, count) in sums.items():
        if count:  # a layer the feeds never reached keeps what it had
            layer.running_mean.copy_(mean / count)
            layer.running_var.copy_(var / count)
            layer.num_batches_tracked.fill_(count)
    return True
