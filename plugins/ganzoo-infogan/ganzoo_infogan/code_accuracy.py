"""InfoGAN's code accuracy: does the categorical code pick out the data's classes?"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganzoo.metrics.classifier import RealClassifier, code_accuracy


def evaluate_categorical_code(model, judge: RealClassifier, num_categories: int, *,
                              n: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Code accuracy of ``model.sample(n, seed=, category=)`` (categories cycling)."""
    codes = np.arange(n) % num_categories
    accuracy, mapping = code_accuracy(judge, model.sample(n, seed=seed, category=codes), codes,
                                      num_categories)
    return {"code_accuracy": accuracy, "mapping": mapping}
