"""Two unpaired image collections for CycleGAN: ``--data unpaired:PATH``.

``PATH`` holds ``trainA/`` and ``trainB/`` (and ``testA/``, ``testB/`` for ``?split=test``),
the CycleGAN dataset layout. Item ``i`` is A image ``i`` (cycling) with a *random* B image, so
no pairing is ever implied; the length is that of the larger side. Items are
``{"A": (C, H, W), "B": (C, H, W)}`` in [0, 1], each side cropped and flipped independently.
Options: ``?image_size=256&load_size=286&preprocess=resize_and_crop&flip=true&split=train
&channels_a=3&channels_b=3&repeat=1``.
"""

from __future__ import annotations

import torch

from ganzoo.errors import GanzooError
from ganzoo.data.image_folder import list_images
from ganzoo_pix2pix.pair_transforms import apply_crop, draw_crop
from ganzoo_pix2pix.two_domain_images import TwoDomainImages


class UnpairedImages(TwoDomainImages):
    """Images of domain A and domain B, drawn independently.

    Args:
        root: folder holding ``<split>A/`` and ``<split>B/``.
        split: ``train`` or ``test`` (any prefix works: ``valA``/``valB`` for ``val``).
        image_size / load_size / preprocess / flip / augment: as in `PairedImages`.
        repeat: list every image this many times per epoch (small collections: more random
            crops per pass, and batches larger than the number of files).
        channels_a / channels_b: 3 (RGB) or 1 (grayscale).
    """

    spec_name = "unpaired"

    def find_images(self, split: str) -> None:
        """List ``<split>A/`` and ``<split>B/``."""
        self.files = {}
        for side in ("A", "B"):
            folder = self.root / f"{split}{side}"
            if not folder.is_dir():
                raise GanzooError(f"{folder} is missing; an unpaired dataset holds {split}A/ and "
                                  f"{split}B/ folders of images")
            self.files[side] = list_images(folder)
            if not self.files[side]:
                raise GanzooError(f"no images in {folder}; put domain {side}'s images there")

    def __len__(self) -> int:
        return max(len(self.files["A"]), len(self.files["B"])) * self.repeat

    def _load(self, side: str, index: int, rng: torch.Generator) -> torch.Tensor:
        from ganzoo.imageio import read_image

        image = read_image(self.files[side][index], self.modes[side])
        plan = draw_crop(*image.shape[-2:], preprocess=self.preprocess,
                         image_size=self.image_size, load_size=self.load_size, flip=self.flip,
                         augment=self.augment, generator=rng)
        return apply_crop(image, plan)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = self.item_rng(index)
        a_index = index % len(self.files["A"])
        if self.augment:
            b_index = int(torch.randint(len(self.files["B"]), (), generator=rng))
        else:  # evaluation: a fixed, still unrelated, pairing
            b_index = index % len(self.files["B"])
        return {"A": self._load("A", a_index, rng), "B": self._load("B", b_index, rng)}


def unpaired(arg: str | None = None, *, image_size: int | None = None, **options) -> UnpairedImages:
    """``--data unpaired:PATH[?options]``; ``ganzoo train`` passes the model's ``image_size``."""
    return UnpairedImages.from_spec(arg, image_size, options)
