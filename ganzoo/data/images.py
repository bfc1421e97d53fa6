"""``--data images:PATH``: a folder of photos, read the way the variant trains on images.

One spelling for "my photos" whatever the variant: each variant declares which data kind a
plain folder of images means for it (`ganzoo.GANModel.images_as`; ``folder`` — resized square
crops — unless it says otherwise, e.g. a super-resolution plugin reads it as HR crops with their
reductions). ``ganzoo train`` passes that kind as ``images_as``.
"""

from __future__ import annotations

from typing import Any


def images(arg: str | None = None, *, images_as: str = "folder", **options: Any):
    from ..errors import GanzooError

    if not arg:
        raise GanzooError("--data images needs a folder: --data images:PATH/TO/IMAGES")
    if images_as == "images":
        raise GanzooError("a variant's images_as must name another data kind, not 'images'")
    from .spec import load_dataset

    return load_dataset(f"{images_as}:{arg}", **options)
