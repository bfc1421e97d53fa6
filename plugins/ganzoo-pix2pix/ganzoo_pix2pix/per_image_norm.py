"""A copy of a generator whose BatchNorm layers use each image's own statistics, for export.

pix2pix runs its BatchNorm with the statistics of the input itself (`per_image_batchnorm`,
the reference code's test-time behaviour), one image or tile at a time. For one image that is
exactly instance normalisation with BatchNorm's affine parameters, which every ONNX runtime
runs per sample; so an exported file gives the same pixels for any batch size.
"""

from __future__ import annotations

import copy

from torch import nn


def with_per_image_norm(network: nn.Module) -> nn.Module:
    """A deep copy of ``network`` with every ``BatchNorm2d`` replaced by its per-image form."""
    network = copy.deepcopy(network)
    for parent in list(network.modules()):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.BatchNorm2d):
                norm = nn.InstanceNorm2d(child.num_features, eps=child.eps,
                                         affine=child.affine, track_running_stats=False)
                if child.affine:
                    norm.weight.data.copy_(child.weight.data)
                    norm.bias.data.copy_(child.bias.data)
                setattr(parent, child_name, norm)
    return network
