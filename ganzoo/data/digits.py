"""scikit-learn's bundled handwritten digits: 1,797 grayscale 8×8 images with labels 0–9.

Pixel values 0–16 are scaled to [0, 1]; items are ``(image (1, 8, 8), label)``. Ships with
scikit-learn, so it works offline.
"""

from __future__ import annotations

import torch

from .training_data import TrainingData


class Digits(TrainingData):
    """The digits as float tensors; ``digits:3`` keeps only class 3."""

    def __init__(self, only: int | None = None):
        from sklearn.datasets import load_digits

        data = load_digits()
        images = torch.tensor(data.images, dtype=torch.float32).unsqueeze(1) / 16.0
        labels = torch.tensor(data.target, dtype=torch.long)
        if only is not None:
            keep = labels == only
            images, labels = images[keep], labels[keep]
        self.images, self.labels = images, labels
        self.config_hints = {"data_shape": [1, 8, 8], "channels": 1, "image_size": 8,
                             "num_classes": 10}

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        return self.images[index], self.labels[index]

    def get_batch(self, indices: torch.Tensor):
        return [self.images[indices], self.labels[indices]]


def digits(arg: str | None = None, **_: object) -> Digits:
    """``--data digits`` (all classes) or ``--data digits:K`` (class K only)."""
    if arg in (None, ""):
        return Digits()
    if not arg.isdigit() or not 0 <= int(arg) <= 9:
        from ..errors import GanzooError

        raise GanzooError(f"--data digits:{arg}: the argument is one class 0-9, e.g. digits:3")
    return Digits(int(arg))
