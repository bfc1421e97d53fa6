"""FID and KID as the zoo cards and the benchmarks report them, through `ganzoo.metrics.evaluation`
(the same code as ``ganzoo evaluate``), with the sample count and the reference set named.

Two kinds of sets:

- **Noise-driven digits models**: ``n`` samples against the first ``n`` real digits (the same
  pair ``ganzoo evaluate MODEL --data digits --n N`` scores). The digits are 8×8 and upsampled
  to 299×299 for the Inception network, so these numbers compare digits models with each other
  only, never with published FIDs of natural-image datasets.
- **Noise-driven photo models** (the small-data benchmark): ``n`` samples against ``n``
  held-out photo crops (`ganzoo_benchmarks.small_photo_set`).
- **Image-to-image and super-resolution on held-out photos**: a handful of test photos give too
  few images for FID, so each output and its ground truth are cut into the same non-overlapping
  ``tile``-pixel tiles, and the tiles are compared. N is a few tens: KID (unbiased at any N) is
  the number to read; FID at this N is strongly biased upward and is shown for completeness.
"""

from __future__ import annotations

import numpy as np
import torch

#: The real digits a digits model's samples are compared with (the first N of `Digits`).
DIGITS_N = 500
#: Tile size cut from held-out photos for translation and super-resolution scores.
TILE = 128


def rounded(result: dict, reference: str) -> dict:
    """Card-ready numbers: KID first (it is the one to trust at small N)."""
    return {"kid": round(float(result["kid"]["mean"]), 4),
            "kid_std": round(float(result["kid"]["std"]), 4),
            "fid": round(float(result["fid"]), 2),
            "fid_kid_n": int(result["n_fake"]),
            "fid_kid_reference": reference}


def digits_distribution_scores(model, n: int = DIGITS_N) -> dict:
    """KID/FID of ``n`` samples of a digits model against the first ``n`` real digits."""
    from ganzoo.metrics.evaluation import evaluate
    from ganzoo.metrics.model_sources import model_sources

    real, fake = model_sources(model, "digits", n=n, seed=0, batch_size=100,
                               label="samples", default_n=n)
    found = evaluate(real, fake, ["kid", "fid"])
    return rounded(found, f"first {n} digits, 8x8 upsampled to 299 (compare digits models "
                          f"only)")


def folder_distribution_scores(model, folder, n: int, reference: str) -> dict:
    """KID/FID of ``n`` samples of a noise-driven model against the first ``n`` images of
    ``folder`` (sorted by name), read at the model's size as ``--data folder:PATH`` reads them:
    what ``ganzoo evaluate MODEL --data folder:PATH --n N`` scores."""
    from ganzoo.metrics.evaluation import evaluate
    from ganzoo.metrics.model_sources import model_sources

    real, fake = model_sources(model, f"folder:{folder}", n=n, seed=0, batch_size=100,
                               label="samples", default_n=n)
    return rounded(evaluate(real, fake, ["kid", "fid"]), reference)


def tiles(image: torch.Tensor, size: int = TILE) -> list[torch.Tensor]:
    """Non-overlapping ``size``-pixel tiles of ``(C, H, W)``, row by row; the ragged right and
    bottom edges are dropped so an output and its ground truth cut identically."""
    _, height, width = image.shape
    return [image[:, top:top + size, left:left + size]
            for top in range(0, height - size + 1, size)
            for left in range(0, width - size + 1, size)]


def tile_distribution_scores(outputs: list[torch.Tensor], truths: list[torch.Tensor],
                             reference: str, size: int = TILE) -> dict:
    """KID/FID between the ``size``-pixel tiles of ``outputs`` and of their ``truths`` (each a
    ``(C, H, W)`` tensor in [0, 1]; matching shapes)."""
    from ganzoo.metrics.evaluation import evaluate

    fake, real = [], []
    for output, truth in zip(outputs, truths, strict=True):
        if output.shape != truth.shape:
            raise ValueError(f"output {tuple(output.shape)} and truth {tuple(truth.shape)} "
                             f"differ in shape")
        fake += tiles(output.clamp(0, 1), size)
        real += tiles(truth.clamp(0, 1), size)
    found = evaluate(torch.stack(real), torch.stack(fake), ["kid", "fid"], cache=False)
    return rounded(found, f"{size}-px tiles of {reference}")


def photo_distribution_scores(outputs: list[np.ndarray], truths: list[np.ndarray],
                              reference: str) -> dict:
    """`tile_distribution_scores` of translated photos given as float (H, W, 3) arrays."""
    def chw(photo: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(photo)).permute(2, 0, 1).float()

    return tile_distribution_scores([chw(o) for o in outputs], [chw(t) for t in truths],
                                    reference)
