"""Scores of translated photos against their hidden ground truth (RGB, [0, 1], float (H, W, 3)):
PSNR, SSIM, and a sharpness ratio, the mean luma gradient magnitude of the output over that of
the truth (1.0 is ideal; blur gives < 1, added texture > 1)."""

from __future__ import annotations

import math

import numpy as np

from ganzoo.colour import LUMA


def psnr(output: np.ndarray, truth: np.ndarray) -> float:
    """PSNR in dB for a peak of 1.0; infinite for identical images."""
    mse = float(np.mean((output.astype(np.float64) - truth) ** 2))
    return 10 * math.log10(1.0 / mse) if mse > 0 else float("inf")


def ssim(output: np.ndarray, truth: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(output, truth, channel_axis=-1, data_range=1.0))


def gradient_magnitude(image: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of the image's luma."""
    from scipy.ndimage import sobel

    luma = image @ np.array(LUMA, np.float32)
    return float(np.mean(np.hypot(sobel(luma, 0), sobel(luma, 1))))


def score(outputs: list[np.ndarray], truths: list[np.ndarray]) -> dict[str, float]:
    """``psnr``, ``ssim`` and ``sharpness`` (ratio), each the mean over the image pairs."""
    return {"psnr": float(np.mean([psnr(o, t) for o, t in zip(outputs, truths)])),
            "ssim": float(np.mean([ssim(o, t) for o, t in zip(outputs, truths)])),
            "sharpness": float(np.mean([gradient_magnitude(o) / gradient_magnitude(t)
                                        for o, t in zip(outputs, truths)]))}
