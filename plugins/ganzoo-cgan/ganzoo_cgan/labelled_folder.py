"""``--data labelled:PATH``: a folder with one sub-folder of images per class.

Classes are the sub-folder names, sorted, so label k always means the same folder; items are
``(image (C, H, W) in [0, 1], label)``, the shape ``digits`` yields, so the cGAN trains on either.
The class count and names reach the model's Config through ``config_hints``, so the trained
folder's config.json names its classes and ``ganzoo sample DIR --cond label=NAME`` works.
"""

from __future__ import annotations

from pathlib import Path

import torch
from ganzoo.data.training_data import TrainingData

from ganzoo.data.image_folder import ImageFolder, list_images
from ganzoo.errors import GanzooError


class LabelledFolder(TrainingData):
    """Images under ``root/<class>/...`` with their class index.

    Args:
        root: folder holding one sub-folder per class (searched recursively inside each).
        size: output side in pixels (square); ``crop`` and ``mode`` as in `ImageFolder`.
    """

    benefits_from_workers = True  # every item is a file to read, decode and resize

    def __init__(self, root: str | Path, size: int = 64, crop: str = "center", mode: str = "RGB"):
        root = Path(root).expanduser()
        if not root.is_dir():
            raise GanzooError(f"--data labelled:{root}: no such folder; give a folder with one "
                              f"sub-folder of images per class")
        classes = sorted(d.name for d in root.iterdir()
                         if d.is_dir() and not d.name.startswith(".") and list_images(d))
        if len(classes) < 2:
            raise GanzooError(f"{root} has {len(classes)} class sub-folder(s) with images; a "
                              f"labelled folder needs at least two (root/cat/*.png, root/dog/*.png)")
        self.folders = [ImageFolder(root / name, size=size, crop=crop, mode=mode)
                        for name in classes]
        self.index = [(k, i) for k, folder in enumerate(self.folders)
                      for i in range(len(folder))]
        self.class_names = classes
        self.config_hints = {**self.folders[0].config_hints, "num_classes": len(classes),
                             "class_names": classes}

    def __len__(self) -> int:
        return len(self.index)

    def cache_in_ram(self) -> bool:
        """Every class folder decoded once (``--set cache=ram``)."""
        from ganzoo.data.ram_cache import check_fits_in_ram

        folder = self.folders[0]
        check_fits_in_ram(len(self) * folder.config_hints["channels"] * folder.size ** 2 * 4,
                          f"{folder.size}-px images")
        for folder in self.folders:
            folder.cache_in_ram()
        self.benefits_from_workers = False
        return True

    def __getitem__(self, index: int):
        label, item = self.index[index]
        return self.folders[label][item], torch.tensor(label)


def labelled_folder(arg: str | None = None, *, image_size: int = 64, channels: int = 3,
                    crop: str = "center", **_: object) -> LabelledFolder:
    """``--data labelled:PATH``; ``ganzoo train`` passes ``image_size``/``channels`` from the
    model's Config (e.g. ``--set image_size=32 --set channels=3``)."""
    if not arg:
        raise GanzooError("--data labelled needs a path: --data labelled:PATH")
    if channels not in (1, 3):
        raise GanzooError(f"labelled folder channels must be 1 or 3, got {channels}")
    return LabelledFolder(arg, size=image_size, crop=crop, mode="L" if channels == 1 else "RGB")
