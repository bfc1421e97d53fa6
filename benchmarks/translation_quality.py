"""Image-to-image quality with a hidden ground truth built from bundled photos (no downloads).

Two tasks (`ganzoo_benchmarks.translation_tasks`), each a documented transformation of real
photos, so every output is scored against the exact answer: **deblur** (pix2pix vs the same
U-Net trained with L1 only, paired) and **colour grade** (CycleGAN, unpaired: A and B are
disjoint photo sets, B under a hidden grade, *day for night* by default, ``--grade rotation``
for the channel-rotating grade of earlier versions). Train and test photos never overlap; test
images are whole photos scaled to a 256-pixel short side. Scores: PSNR and SSIM (RGB, [0, 1])
and a sharpness ratio (output's mean gradient magnitude / the truth's; 1.0 is ideal), next to
identity (output = input) and, for deblur, the L1-only U-Net.

Targets (CPU, at most 5 CPU-minutes of training per model, counted as this process's CPU time
with 1 thread by default): pix2pix within 1.5 dB PSNR of the L1-only U-Net and sharper than it
(ratio closer to 1.0); CycleGAN at least 6 dB above identity.

Why each setting, the sessions' measurements and the colour-grade diagnostics:
``docs/experiments/translation_quality.md``; tables in ``benchmarks/results/translation_quality*.txt``.

Reproduce:  .venv/bin/python benchmarks/translation_quality.py   (``--minutes 5`` default)
            .venv/bin/python benchmarks/translation_quality.py --task grade --diagnose
            .venv/bin/python benchmarks/translation_quality.py --splits --grade rotation
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from ganzoo_benchmarks.colour_grades import GRADES, grade_description
from ganzoo_benchmarks.grade_diagnostics import split_survey
from ganzoo_benchmarks.photos import SPLITS
from ganzoo_benchmarks.translation_tasks import (DEBLUR_UNET, EMA_DECAY, GRADE_CYCLEGAN,
                                                 deblur_task, grade_task)

REPRODUCE = ".venv/bin/python benchmarks/translation_quality.py"


def print_split_survey(kind: str) -> None:
    """Every split of the colour-grade photos into two halves: how the colour distance of the
    ungraded halves relates to what colour transport (seed 0) recovers."""
    import numpy as np

    identity, rows = split_survey(kind)
    distances, gains = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    print(f"{len(rows)} splits; colour transport's gain over identity ({identity:.2f} dB) on the "
          f"test photos: median {np.median(gains):+.2f} dB, best {gains.max():+.2f} dB; "
          f"correlation with the halves' colour distance {np.corrcoef(distances, gains)[0, 1]:.2f}")
    print(f"{'distance':>8s} {'gain dB':>8s}  A (B = the rest)")
    benchmark_split = [r for r in rows if r[2] == SPLITS["grade_train_A"]]
    for distance, gain, a_names in rows[:5] + benchmark_split:
        print(f"{distance:8.4f} {gain:+8.2f}  {', '.join(a_names)}")
    flag = f" --grade {kind}" if kind != GRADES[0] else ""
    print(f"(the last line is the benchmark's split)\n\nReproduce: {REPRODUCE} --splits{flag}")


def print_table(rows: list[dict], minutes: float, threads: int, kind: str,
                flags: str = "") -> None:
    print(f"\nTranslation quality on held-out photos ({', '.join(SPLITS['test'])}); "
          f"CPU, {threads} thread(s), <= {minutes:g} CPU-min training per model")
    print(f"  deblur U-Nets: {DEBLUR_UNET}, batch 4, EMA {EMA_DECAY}")
    print(f"  colour-grade CycleGAN: {GRADE_CYCLEGAN}, batch 2, EMA {EMA_DECAY}")
    print(f"  colour grade: {kind} ({grade_description(kind)})")
    print(f"  grade photos: A = {', '.join(SPLITS['grade_train_A'])}; "
          f"B = {', '.join(SPLITS['grade_train_B'])}")
    header = f"{'task':13s} {'method':34s} {'steps':>6s} {'CPU s':>7s} {'wall s':>7s} " \
             f"{'PSNR dB':>8s} {'SSIM':>6s} {'sharp':>6s} {'KID':>15s} {'FID':>7s}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['task']:13s} {r['method']:34s} {r['steps']:6d} {r['cpu_s']:7.1f} "
              f"{r['wall_s']:7.1f} {r['psnr']:8.2f} {r['ssim']:6.3f} {r['sharpness']:6.3f} "
              f"{r['kid']:7.4f}±{r['kid_std']:.4f} {r['fid']:7.1f}")
    if rows:
        print(f"  KID/FID: {rows[0]['fid_kid_n']} {rows[0]['fid_kid_reference']} (output tiles "
              f"vs ground-truth tiles; read KID at this N, FID is biased upward)")
    for r in rows:
        if "note" in r:
            print(f"  {r['method']}: {r['note']}")
    by = {(r["task"], r["method"].split(" ")[0]): r for r in rows}
    print("\nTargets:")
    if ("deblur", "pix2pix") in by:
        p2p, l1 = by[("deblur", "pix2pix")], by[("deblur", "U-Net,")]
        gap = l1["psnr"] - p2p["psnr"]
        sharper = abs(p2p["sharpness"] - 1) < abs(l1["sharpness"] - 1)
        print(f"  pix2pix within 1.5 dB of L1-only: gap {gap:+.2f} dB -> "
              f"{'MET' if gap <= 1.5 else 'NOT MET'}")
        print(f"  pix2pix sharper than L1-only (ratio closer to 1): {p2p['sharpness']:.3f} vs "
              f"{l1['sharpness']:.3f} -> {'MET' if sharper else 'NOT MET'}")
    if ("colour grade", "CycleGAN") in by:
        cyc, ident = by[("colour grade", "CycleGAN")], by[("colour grade", "identity")]
        lift = cyc["psnr"] - ident["psnr"]
        print(f"  CycleGAN >= identity + 6 dB: {lift:+.2f} dB -> "
              f"{'MET' if lift >= 6 else 'NOT MET'}")
    over = [r for r in rows if r["cpu_s"] > minutes * 60]
    if over:
        print(f"  note: {', '.join(r['method'] for r in over)} used more than {minutes:g} CPU-min")
    print(f"\nReproduce: {REPRODUCE} --minutes {minutes:g}{flags}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0,
                        help="training budget per model, in CPU-minutes of this process")
    parser.add_argument("--max-steps", type=int, default=20000, help="cap on training steps")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1 is fastest on a shared, loaded CPU)")
    parser.add_argument("--task", choices=["all", "deblur", "grade"], default="all")
    parser.add_argument("--grade", choices=GRADES, default=GRADES[0],
                        help="the hidden colour grade of the CycleGAN task (rotation: the "
                             "harder, channel-reordering grade of earlier versions)")
    parser.add_argument("--diagnose", action="store_true",
                        help="also run the colour-grade diagnostics (five more CycleGAN runs "
                             "and colour transport, ~35 CPU-min; see grade_diagnostics)")
    parser.add_argument("--splits", action="store_true",
                        help="only survey every 5 + 5 split of the colour-grade photos: colour "
                             "distance of the ungraded halves vs colour transport's gain (no "
                             "training, a few minutes)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.splits:
        print_split_survey(args.grade)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="ganzoo-quality-") as folder:
        if args.task in ("all", "deblur"):
            rows += deblur_task(Path(folder), args.minutes, args.max_steps)
        if args.task in ("all", "grade"):
            rows += grade_task(Path(folder), args.minutes, args.max_steps, args.diagnose,
                               args.grade)
    flags = (f" --task {args.task}" if args.task != "all" else "") + \
        (f" --grade {args.grade}" if args.grade != GRADES[0] else "") + \
        (" --diagnose" if args.diagnose else "")
    print_table(rows, args.minutes, args.threads, args.grade, flags)


if __name__ == "__main__":
    main()
