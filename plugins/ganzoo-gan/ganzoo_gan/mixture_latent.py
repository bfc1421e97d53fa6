"""A learned Gaussian-mixture latent for the MLP generator (DeLiGAN, Gurumurthy et al. 2017).

A continuous generator fed one Gaussian has to cross from mode to mode somewhere in its latent
space, and whatever latent mass lies on the way becomes samples between modes: the "bridges"
that kept the toy mixtures' share of high-quality samples near 93 %. Fed a mixture of ``K``
narrow Gaussians whose means and scales it learns, G can send whole components to modes and make
its transitions in the empty space between components (docs/experiments/toy_recipes.md).

The component is picked by one extra standard-normal coordinate of the noise (its normal CDF
cut into ``K`` equal parts), so the noise stays a plain ``(N, dim + 1)`` standard-normal draw:
seeds, ``sample``, previews and ONNX export need nothing new. Unlike DeLiGAN there is no
penalty that holds the scales near 1: here narrow components are the point.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganzoo.errors import GanzooError


class MixtureLatent(nn.Module):
    """Noise ``(N, dim + 1)`` → ``means[k] + scales[k] · noise[:, 1:]``, ``k`` uniform over
    ``components`` and chosen by ``noise[:, 0]``; means start standard normal, scales at
    ``scale``, both trained with G."""

    def __init__(self, components: int, dim: int, scale: float):
        super().__init__()
        if components < 1 or dim < 1 or not scale > 0:
            raise GanzooError(f"a mixture latent needs latent_components >= 1, latent_dim >= 1 "
                              f"and latent_component_scale > 0; got {components}, {dim}, "
                              f"{scale}")
        self.components = components
        self.means = nn.Parameter(torch.randn(components, dim))
        self.log_scales = nn.Parameter(torch.full((components, dim), math.log(scale)))

    def forward(self, noise: Tensor) -> Tensor:
        # Element-wise ops and indexing only: autocast leaves them (and the CDF) in fp32.
        uniform = 0.5 * (1 + torch.erf(noise[:, 0] / math.sqrt(2)))
        k = (uniform * self.components).long().clamp(max=self.components - 1)
        return self.means[k] + self.log_scales[k].exp() * noise[:, 1:]
