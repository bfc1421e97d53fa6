"""Example items and preview inputs for models trained on ``{"A": images, "B": images}`` batches.

Shared by pix2pix (aligned pairs) and CycleGAN (unpaired domains): both read the same batch
shape, so the conformance kit's example item and the fixed preview batch are built the same way.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


class TwoDomainBatches:
    """Mixin for a `GANModel` whose config has ``image_size``, ``channels_a`` and ``channels_b``.

    List it before `GANModel` in the bases so its methods replace the defaults.
    """

    def example_item(self, index: int, generator: torch.Generator) -> dict[str, Tensor]:
        """One random ``{"A", "B"}`` item of the configured size and channels (conformance kit)."""
        size = self.config.image_size
        return {"A": torch.rand(self.config.channels_a, size, size, generator=generator),
                "B": torch.rand(self.config.channels_b, size, size, generator=generator)}

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Any:
        """The first ``min(n, 4)`` A and B images of a batch, on the CPU."""
        n = min(n, 4)
        return {"A": batch["A"][:n].cpu(), "B": batch["B"][:n].cpu()}
