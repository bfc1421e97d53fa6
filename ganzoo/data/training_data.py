"""What the training engine may ask of a dataset, declared in one place.

A dataset factory registered with ``register_datasets`` returns a ``torch.utils.data.Dataset``.
Subclass `TrainingData` to offer the optional capabilities below; a plain torch dataset works
too (`as_training_data` wraps it with the defaults), so a third-party factory needs nothing from
ganzoo to be usable.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor
from torch.utils.data import Dataset, default_collate


class TrainingData(Dataset):
    """A torch ``Dataset`` with the optional capabilities ``ganzoo train`` uses.

    Override what your data can offer; every default is the "nothing special" answer.
    """

    #: Values of a variant's Config that the data implies (``data_shape``, ``channels``,
    #: ``image_size``, ``num_classes``, ...). ``ganzoo train`` applies those the variant's Config
    #: declares and the user did not set, so a colour folder trains a colour model.
    config_hints: dict[str, Any] = {}

    #: True when making an item is real work done item by item (reading and decoding a file,
    #: resizing, cropping): ``ganzoo train`` then makes batches in DataLoader worker processes
    #: (``--set workers=N``), each calling `get_batch` exactly as the training process would.
    #: False (the default) for data in memory, whose batched `get_batch` is faster in-process.
    benefits_from_workers: bool = False

    def get_batch(self, indices: Tensor) -> Any:
        """Items at ``indices`` collated into one batch. Override with a vectorised version
        for in-memory tensors (one indexing op instead of a Python loop per item)."""
        return default_collate([self[int(i)] for i in indices])

    def cache_in_ram(self) -> bool:
        """Decode every item's files into memory now (``--set cache=ram``), so batches need no
        more reading; raise a `ganzoo.errors.GanzooError` if they would not fit
        (`ganzoo.data.ram_cache`). Returns False when the data has no such cache (the default:
        it is in memory already, or reads as it goes)."""
        return False

    def set_draw(self, key: Any) -> None:
        """Called by the engine before each batch with the current ``(seed, epoch, rank)``
        (`ganzoo.data.item_rng.DrawKey`). Datasets with random items derive
        `ganzoo.data.item_rng.RandomItems`, which keeps it for ``item_rng(index)``; others ignore
        it (the default)."""

    def preview_reference(self) -> Tensor | None:
        """Points ``(K, 2)`` drawn on top of 2-D sample scatter plots (a mixture's mode centres),
        or None."""
        return None

    def evaluate(self, model: Any) -> dict[str, Any]:
        """Numbers the data can score a trained model with (e.g. a toy mixture's mode coverage),
        added to ``run.json`` and the model card. Default: none."""
        return {}


class PlainData(TrainingData):
    """A plain torch dataset seen through `TrainingData`'s defaults."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[index]


def as_training_data(dataset: Dataset) -> TrainingData:
    """``dataset`` itself if it is a `TrainingData`, else wrapped in `PlainData`."""
    return dataset if isinstance(dataset, TrainingData) else PlainData(dataset)
