"""``--data images:PATH``: a folder of images, prepared the way the variant trains on them.

One spelling for "my photos" whatever the variant: a super-resolution variant (its Config has a
``scale``, which ``ganzoo train`` passes along) gets random HR crops and their bicubic
reductions, exactly ``sr:PATH``; any other image variant gets each image resized and cropped to
its ``image_size``, exactly ``folder:PATH``. Shrinking whole photos to a 64-pixel training size
would throw away the very detail an SR network must learn to restore, so SR never gets that.
"""

from __future__ import annotations

from typing import Any


def images(arg: str | None = None, *, scale: int | None = None, **options: Any):
    if not arg:
        from ..errors import GanzooError

        raise GanzooError("--data images needs a folder: --data images:PATH/TO/IMAGES")
    if scale is not None:
        from .degrade import sr_pairs

        return sr_pairs(arg, scale=scale, **options)
    from .image_folder import image_folder

    return image_folder(arg, **options)
