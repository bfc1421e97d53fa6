"""Mode-collapse benchmark: modes captured, % high-quality samples and reverse KL on the toy
mixtures ring8 and grid25 (VEEGAN/PacGAN protocol, `ganzoo.metrics.modes`), over several seeds,
printed next to the published rows.

Every run is the real command line, in its own process, with the thread count its recipe sets
(the toy recipes use 2, one per core of a 2-core machine, so keep ``--jobs 1`` when the wall
time matters):

    ganzoo train VARIANT --data DATA --seed S --out TMP [--set ...]

then ``ganzoo.load(TMP).sample(2500, seed=0)`` is scored. "ganzoo best" passes no flags at all:
it is the variant's default recipe. Training wall seconds (the Trainer's own clock, the budget
of issue 4: at most 2 minutes) and CPU seconds of all threads are the worst run's.

    python benchmarks/mode_collapse.py                    # 3 configs × 2 datasets × 5 seeds
    python benchmarks/mode_collapse.py --configs best --seeds 5 --jobs 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ganzoo_benchmarks.mode_collapse_runs import CONFIGS, table, train_and_score

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--datasets", nargs="+", default=["ring8", "grid25"],
                        choices=["ring8", "grid25"])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per configuration")
    parser.add_argument("--jobs", type=int, default=1, help="training processes at once")
    parser.add_argument("--json", type=Path, help="also write every run's numbers here")
    parser.add_argument("--steps", type=int, help="override iterations (smoke test only)")
    args = parser.parse_args()

    jobs = [(c, d, s) for d in args.datasets for c in args.configs for s in range(args.seeds)]
    with tempfile.TemporaryDirectory(prefix="ganzoo-modes-") as tmp:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(train_and_score, c, d, s, Path(tmp), args.steps)
                       for c, d, s in jobs]
            rows = []
            for future in futures:
                row = future.result()
                rows.append(row)
                print(f"  {row['dataset']} {row['config']} seed {row['seed']}: {row['modes']} "
                      f"modes, {row['high_quality']:.1f} % HQ, KL {row['reverse_kl']:.3f}, "
                      f"{row['cpu_seconds']} CPU s", file=sys.stderr, flush=True)
    print(table(rows, args.datasets, args.configs))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
