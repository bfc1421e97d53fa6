"""The InfoGAN generator with its codes as separate graph inputs, for ``ganzoo export``.

The network itself takes one concatenated vector (noise, one-hot category, continuous codes);
a deployed file is easier to drive with the three as inputs, so these wrappers build the vector
inside the graph (the one-hot as a row lookup, which every ONNX runtime supports). A model
without continuous codes gets the two-input form (an empty input would be a zero-size axis).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class CategoryInputs(nn.Module):
    """``(z, category) -> images``: `CodeGenerator` with noise and category as inputs."""

    def __init__(self, generator: nn.Module, num_categories: int, noise_std: float):
        super().__init__()
        self.generator = generator
        self.noise_std = float(noise_std)
        self.register_buffer("one_hot", torch.eye(num_categories), persistent=False)

    def forward(self, z: Tensor, category: Tensor) -> Tensor:
        return self.generator(torch.cat([z * self.noise_std, self.one_hot[category]], dim=1))


class CodeInputs(CategoryInputs):
    """``(z, category, continuous) -> images``."""

    def forward(self, z: Tensor, category: Tensor, continuous: Tensor) -> Tensor:
        parts = [z * self.noise_std, self.one_hot[category], continuous]
        return self.generator(torch.cat(parts, dim=1))
