"""R3GAN vs DCGAN on the bundled 8×8 digits at equal training time, scored by KID and FID.

Protocol (per seed): each variant trains with its own digits recipe (``ganzoo train VARIANT
--data digits``: its Config defaults, batch 64, EMA 0.999 of G, no LR decay) for as many
iterations as fit ``--minutes`` of CPU time of this process (per-step time measured on a short
probe run, `ganzoo_benchmarks.budget_training`). CPU time, not wall time, so other jobs on a
shared machine do not shrink one run's budget and not the other's; wall time is printed too.
The EMA generator is then scored with `ganzoo_benchmarks.distribution_scores.digits_distribution_
scores`: KID and FID of 500 samples against the first 500 real digits, upsampled to 299 px for
the FID Inception network (these numbers compare digits models with each other only).

    python benchmarks/r3gan_vs_dcgan.py                       # 3 CPU-minutes, seeds 0 1 2
    python benchmarks/r3gan_vs_dcgan.py --minutes 1 --seeds 0 # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=["dcgan", "r3gan"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--minutes", type=float, default=3.0, help="CPU minutes of training")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    os.environ.setdefault("TQDM_DISABLE", "1")

    import numpy as np
    import torch

    from ganzoo_benchmarks.budget_training import train
    from ganzoo_benchmarks.distribution_scores import digits_distribution_scores

    torch.set_num_threads(args.threads)
    rows = []
    for seed in args.seeds:  # seed by seed, so a stopped run still holds whole pairs
        for variant in args.variants:
            model, steps, wall, cpu = train(variant, {}, "digits", minutes=args.minutes,
                                            max_steps=100_000, batch_size=64, lr_decay=False,
                                            ema_decay=0.999, seed=seed)
            scores = digits_distribution_scores(model)
            rows.append({"variant": variant, "seed": seed, "steps": steps,
                         "cpu_s": round(cpu, 1), "wall_s": round(wall, 1), **scores})
            print(f"  done {variant} seed {seed}: {json.dumps(rows[-1])}", file=sys.stderr,
                  flush=True)

    print(f"\nDigits (sklearn, 1,797 8x8), {args.minutes:g} CPU-minutes of training per run, "
          f"torch threads {args.threads}; KID/FID: 500 EMA-G samples vs the first 500 digits\n")
    print(f"{'variant':8} {'seed':>4} {'steps':>6} {'CPU s':>7} {'wall s':>7} "
          f"{'KID':>8} {'± std':>7} {'FID':>7}")
    for row in rows:
        print(f"{row['variant']:8} {row['seed']:>4} {row['steps']:>6} {row['cpu_s']:>7.1f} "
              f"{row['wall_s']:>7.1f} {row['kid']:>8.4f} {row['kid_std']:>7.4f} "
              f"{row['fid']:>7.2f}")
    print()
    for variant in args.variants:
        mine = [r for r in rows if r["variant"] == variant]
        kid = np.array([r["kid"] for r in mine])
        fid = np.array([r["fid"] for r in mine])
        print(f"{variant:8} mean of {len(mine)} seeds: KID {kid.mean():.4f} ± {kid.std():.4f}, "
              f"FID {fid.mean():.2f} ± {fid.std():.2f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
