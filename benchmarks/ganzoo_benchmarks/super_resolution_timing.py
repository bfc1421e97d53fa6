"""Inference timing of the super-resolution benchmark: ``translate`` (the fast path) against a
plain eager fp32 forward of the same network, measured interleaved."""

from __future__ import annotations

import torch

from ganzoo.metrics.fidelity import psnr

from .timing import best_times


def time_inference(model, repeats: int) -> dict[str, float]:
    """×SCALE upscaling of one 128×128 input: plain forward vs ``translate`` (best of
    ``repeats``), the ratio, and how far the fast path's output is from fp32."""
    from ganzoo_srgan.upscaling import network_function

    lr = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    network = model.generator.eval()

    def plain():
        with torch.no_grad():
            return network(lr)

    plain_s, fast_s = best_times([plain, lambda: model.translate(lr, tile=128)], repeats)
    reference = plain().clamp(0, 1)
    fast = model.translate(lr, tile=128)
    return {"plain_s": plain_s, "translate_s": fast_s, "ratio": fast_s / plain_s,
            "mean_abs_diff": float((fast - reference).abs().mean()),
            "psnr_vs_fp32": psnr(fast, reference, 0, y_channel=False),
            "precision": network_function(model).precision}
