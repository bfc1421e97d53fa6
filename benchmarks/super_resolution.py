"""Super-resolution benchmark: SRResNet and SRGAN vs nearest and bicubic, ×4, on bundled photos.

Trains through the one Trainer on random crops of 11 natural scikit-image photos (bicubic ×4
degradation, LR rounded to 8 bits: `ganzoo_srgan.degrade`), evaluates on held-out photos
(scikit-image ``chelsea``, scikit-learn's ``china`` and ``flower``), and prints PSNR/SSIM on Y
with a 4-pixel border crop (8-bit outputs, fp32 inference), sharpness (mean luma gradient vs the
ground truth's), training time, and the ×4 inference time of a 128×128 input through
``translate`` (fast path) vs a plain eager fp32 forward.

Training runs in bf16 autocast where the CPU computes bf16 natively (``--precision auto``),
about twice the fp32 rate, and in channels-last memory (``--channels-last``, ~18 % faster per
step); on a CPU without native bf16 the same run is fp32 and slower (the table shows the CPU
seconds). SRGAN is fine-tuned from the SRResNet against a PatchGAN (``--discriminator patch``):
the paper's VGG-style D, one logit per crop, made SRGAN sharper on some seeds only in a
400-step fine-tune. Results: ``benchmarks/results/super_resolution.txt``. The code:
``ganzoo_benchmarks.super_resolution_eval`` (photos, scores), ``super_resolution_training``,
``super_resolution_timing``.

    .venv/bin/python benchmarks/super_resolution.py            # the reported run
    .venv/bin/python benchmarks/super_resolution.py --quick    # a smoke run (seconds)

Targets (issue 7): SRResNet ≥ bicubic + 1.0 dB; at most 10 minutes of training, counted here as
the CPU seconds of SRResNet and SRGAN together (this process only, so other jobs on the machine
do not count); SRGAN sharper than SRResNet (closer to the ground truth's gradient magnitude)
within 2 dB of its PSNR; inference ≤ 0.6× the plain forward.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import torch

from ganzoo_srgan.degrade import DegradedPairs
from ganzoo_benchmarks.super_resolution_timing import time_inference
from ganzoo_benchmarks.super_resolution_eval import (SCALE, SET5, evaluate, fp32, interpolation,
                                                     photos)
from ganzoo_benchmarks.super_resolution_training import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--srresnet-steps", type=int, default=3800)
    parser.add_argument("--srgan-steps", type=int, default=400)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--patch", type=int, default=64, help="HR crop side")
    parser.add_argument("--arch", default="msrresnet", choices=("srresnet", "msrresnet"))
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--features", type=int, default=48)
    parser.add_argument("--d-features", type=int, default=16)
    parser.add_argument("--discriminator", default="patch", choices=("patch", "vgg"),
                        help="SRGAN's D: patch (a PatchGAN, 34x34 patches: sharper than "
                             "SRResNet on every seed tried) or vgg (the paper's one logit per "
                             "crop: sharper on some seeds only in a 400-step fine-tune)")
    # 5e-4: at 1e-3 the 48-channel net sat on a plateau for ~2,500 steps on seed 2 (+0.55 dB).
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--adversarial-weight", type=float, default=5e-2,
                        help="G's adversarial weight; the paper's 1e-3 (the srgan variant's "
                             "default) assumes ~10^5 steps and barely moves a 400-step run")
    parser.add_argument("--chroma-weight", type=float, default=0.25,
                        help="weight of chroma next to luma in the pixel loss (PSNR is scored "
                             "on luma); a negative value takes the loss in RGB")
    parser.add_argument("--precision", default="auto", choices=("auto", "fp32", "bf16"),
                        help="training precision; auto = bf16 where the CPU computes it "
                             "natively (scores always use fp32 inference)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: the fewest CPU-seconds per step; 2 threads took "
                             "718 CPU-s for what 1 thread trains in 469)")
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True,
                        help="train in NHWC memory order (same math; SRResNet steps ~18 %% "
                             "faster on oneDNN CPUs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.srresnet_steps, args.srgan_steps, args.blocks, args.features = 10, 4, 2, 16
    torch.set_num_threads(args.threads)

    train_images, test = photos()
    dataset = DegradedPairs(train_images, scale=SCALE, patch_size=args.patch,
                            length=1000 * len(train_images), seed=args.seed)
    arch = {"scale": SCALE, "arch": args.arch, "blocks": args.blocks,
            "features": args.features, "image_size": args.patch, "lr": args.lr,
            "content_loss": "l1" if args.arch == "msrresnet" else "mse",
            "chroma_weight": args.chroma_weight if args.chroma_weight >= 0 else None}
    results = {"nearest": evaluate(interpolation("nearest"), test),
               "bicubic": evaluate(interpolation("bicubic"), test)}
    with tempfile.TemporaryDirectory() as tmp:
        srresnet, srresnet_time = train("srresnet", arch, dataset, args.srresnet_steps,
                                        args.batch, args.seed, Path(tmp) / "srresnet",
                                        args.precision, args.channels_last)
        results["SRResNet"] = {**evaluate(fp32(srresnet), test), **srresnet_time}
        print(f"SRResNet: {results['SRResNet']}", flush=True)
        srgan, srgan_time = train("srgan", {**arch, "init_from": str(Path(tmp) / "srresnet"),
                                            "adversarial_weight": args.adversarial_weight,
                                            "d_features": args.d_features, "lr_d": args.lr,
                                            "discriminator": args.discriminator},
                                  dataset, args.srgan_steps, args.batch, args.seed,
                                  Path(tmp) / "srgan", args.precision, args.channels_last)
        results["SRGAN"] = {**evaluate(fp32(srgan), test), **srgan_time}
    timing = time_inference(srresnet, 3 if args.quick else 10)
    report(args, results, timing)
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "results": results, "timing": timing}, indent=2))


def report(args, results: dict, timing: dict) -> None:
    gt = results["bicubic"]["sharpness_gt"]
    print(f"\nx{SCALE} super-resolution, held-out photos: chelsea, china, flower "
          f"(Y channel, {SCALE}-px border, 8-bit)")
    print(f"{'method':<10} {'PSNR dB':>8} {'SSIM':>7} {'sharpness':>10} {'|sharp-GT|':>11} "
          f"{'train wall s':>13} {'train CPU s':>12}")
    for name, row in results.items():
        wall = f"{row['train_s']:13.0f}" if "train_s" in row else f"{'-':>13}"
        cpu = f"{row['train_cpu_s']:12.0f}" if "train_cpu_s" in row else f"{'-':>12}"
        print(f"{name:<10} {row['psnr']:8.2f} {row['ssim']:7.4f} {row['sharpness']:10.4f} "
              f"{abs(row['sharpness'] - gt):11.4f} {wall} {cpu}")
    print(f"{'truth':<10} {'':>8} {'':>7} {gt:10.4f}")
    gain = results["SRResNet"]["psnr"] - results["bicubic"]["psnr"]
    gan_gap = results["SRResNet"]["psnr"] - results["SRGAN"]["psnr"]
    sharper = (abs(results["SRGAN"]["sharpness"] - gt)
               < abs(results["SRResNet"]["sharpness"] - gt))
    cpu_s = results["SRResNet"]["train_cpu_s"]
    total_s = cpu_s + results["SRGAN"]["train_cpu_s"]
    print(f"\nSRResNet - bicubic: {gain:+.2f} dB after {cpu_s:.0f} CPU-s of training (target "
          f">= +1.0: {'met' if gain >= 1.0 else 'NOT met'})")
    print(f"Training, SRResNet + SRGAN: {total_s:.0f} CPU-s (target <= 600: "
          f"{'met' if total_s <= 600 else 'NOT met'})")
    print(f"SRGAN sharper than SRResNet: {'yes' if sharper else 'no'}; PSNR gap "
          f"{gan_gap:.2f} dB (target: sharper and gap <= 2 dB: "
          f"{'met' if sharper and gan_gap <= 2 else 'NOT met'})")
    print(f"Published Set5 x4 (context, other data): bicubic {SET5['bicubic']} dB -> SRResNet "
          f"{SET5['SRResNet']} dB (+{SET5['SRResNet'] - SET5['bicubic']:.1f}), SRGAN "
          f"{SET5['SRGAN']} dB")
    print(f"\nx4 inference of 128x128 (1 image, best of N): plain eager fp32 forward "
          f"{timing['plain_s'] * 1000:.0f} ms, translate {timing['translate_s'] * 1000:.0f} ms "
          f"({timing['precision']}, channels_last, inference_mode) = {timing['ratio']:.2f}x "
          f"(target <= 0.6x: {'met' if timing['ratio'] <= 0.6 else 'NOT met'}); output vs fp32: "
          f"mean |diff| {timing['mean_abs_diff']:.2e}, PSNR {timing['psnr_vs_fp32']:.1f} dB")
    print(f"Training config: {args.arch}, {args.blocks} blocks x {args.features} ch, "
          f"{args.srresnet_steps}+{args.srgan_steps} steps, batch {args.batch}, "
          f"{args.patch}px HR crops (LR inputs rounded to 8 bits), lr {args.lr}, chroma "
          f"weight {args.chroma_weight if args.chroma_weight >= 0 else 'none (RGB loss)'}, "
          f"{args.discriminator} D width {args.d_features}, {results['SRResNet']['precision']} training"
          f"{', channels-last' if args.channels_last else ''}, "
          f"{args.threads} threads. Wall times include any other jobs on the CPU; CPU seconds "
          f"count this process's threads only.")
    print(f"Reproduce: .venv/bin/python {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
