"""Mode-collapse benchmark: modes captured, % high-quality samples and reverse KL on the toy
mixtures ring8 and grid25 (VEEGAN/PacGAN protocol, `ganzoo.metrics.modes`), over several seeds,
printed next to the published rows.

Every run is the real command line, in its own process, taking the cores idle when it starts
as ``ganzoo train`` does (2 on the idle 2-core machine of the budget; keep ``--jobs 1`` when the
wall time matters):

    ganzoo train VARIANT --data DATA --seed S --out TMP [--set ...]

then ``ganzoo.load(TMP).sample(2500, seed=0)`` is scored. "ganzoo best" passes no flags at all:
it is the variant's default recipe. Training wall seconds (the Trainer's own clock, the budget
of issue 4: at most 2 minutes) and CPU seconds of all threads are the worst run's; "all modes"
counts the seeds at full coverage. A per-seed table follows, marking the seeds used while
choosing the settings ("tuned") and the others ("unseen").

    python benchmarks/mode_collapse.py                    # 4 configs × 2 datasets × 5 seeds
    python benchmarks/mode_collapse.py --configs best --seeds 0-9 --tuned-seeds 0-4
    python benchmarks/mode_collapse.py --configs best --seeds 10-14 --jobs 2 --threads 1 \
        --set penalty_weight=1e-3 --json out.json      # screening a setting, 2 runs at once
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ganzoo_benchmarks.mode_collapse_runs import (CONFIGS, DEFAULT_CONFIGS, parse_seeds,
                                                  runs_on, seed_rows, table, train_and_score)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS),
                        choices=list(CONFIGS),
                        help="what to train (default: %(default)s; also the older recipes "
                             "'previous', 'mbstd', 'rpgan', 'rpgan-weak')")
    parser.add_argument("--datasets", nargs="+", default=["ring8", "grid25"],
                        choices=["ring8", "grid25"])
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("5"),
                        help="seeds per configuration: N (0..N-1), a range 0-9 or a list "
                             "0,3,10-12")
    parser.add_argument("--tuned-seeds", type=parse_seeds, default=[],
                        help="the seeds used while choosing the settings: the per-seed rows "
                             "mark them 'tuned', every other seed 'unseen'")
    parser.add_argument("--jobs", type=int, default=1,
                        help="training processes at once (with more than 1, give --threads: "
                             "runs that start together would each take every idle core)")
    parser.add_argument("--threads", type=int,
                        help="torch threads of every run (default: each run takes the cores "
                             "idle when it starts, as `ganzoo train` does)")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=VALUE", help="extra setting for every run (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every run's numbers here")
    parser.add_argument("--steps", type=int, help="override iterations (smoke test only)")
    args = parser.parse_args()

    settings = tuple(args.settings) + ((f"threads={args.threads}",) if args.threads else ())
    jobs = [(c, d, s) for d in args.datasets for c in args.configs for s in args.seeds
            if runs_on(c, d)]
    with tempfile.TemporaryDirectory(prefix="ganzoo-modes-") as tmp:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(train_and_score, c, d, s, Path(tmp), args.steps, settings)
                       for c, d, s in jobs]
            rows = []
            for future in futures:
                row = future.result()
                rows.append(row)
                print(f"  {row['dataset']} {row['config']} seed {row['seed']}: {row['modes']} "
                      f"modes, {row['high_quality']:.1f} % HQ, KL {row['reverse_kl']:.3f}, "
                      f"{row['cpu_seconds']} CPU s", file=sys.stderr, flush=True)
    print(table(rows, args.datasets, args.configs))
    print()
    print(seed_rows(rows, set(args.tuned_seeds)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
