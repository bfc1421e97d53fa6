"""cGAN and InfoGAN on the bundled digits, judged by classifiers trained on real digits.

Protocol (per seed): the 1,797 digits are split 75/25, stratified, with split seed 0. A GAN is
trained on the training split only, with exactly the recipe ``ganzoo train VARIANT --data digits
--seed S`` resolves (the variant's defaults and its ``digits`` recipe, the data's hints), through
the one Trainer. An RBF-SVM judge is fitted on the same training split; its accuracy on the
held-out test split is the ceiling. Then

- cGAN: GAN-test (judge's accuracy on samples for their requested label) and CAS (an SVM
  trained on as many generated samples as real training images, tested on the real test split);
- InfoGAN: code accuracy (judge labels samples per category; Hungarian one-to-one matching).

Targets (issue 5): cGAN GAN-test ≥ 95 % and CAS within 5 points of the ceiling; InfoGAN code
accuracy ≥ 90 % (mean of 3 seeds); ≤ 3 CPU minutes of training per run. Timings are reported as
process CPU time and wall time with ``--threads`` torch threads (wall time depends on the load).

    python benchmarks/digits_conditional.py                 # both variants, seeds 0 1 2
    python benchmarks/digits_conditional.py --variants cgan --seeds 0 --steps 200   # quick look
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ganzoo_benchmarks.digits_training import SPLIT_SEED, DigitsSubset, train_one

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=["cgan", "infogan"],
                        choices=["cgan", "infogan"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, help="override the recipe's steps (quick looks)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting as `ganzoo train --set` takes it (trying a recipe)")
    args = parser.parse_args(argv)
    from ganzoo.config import parse_set_options

    sets = parse_set_options(args.sets)  # typed like `ganzoo train --set` (YAML values)

    import os

    os.environ.setdefault("TQDM_DISABLE", "1")
    from ganzoo.data.digits import Digits
    from ganzoo.metrics.classifier import (evaluate_label_conditional, fit_real_classifier,
                                           stratified_indices, stratified_split)
    from ganzoo_infogan.code_accuracy import evaluate_categorical_code

    digits = Digits()
    train_idx, _ = stratified_indices(digits.labels, seed=SPLIT_SEED)
    split = stratified_split(digits.images, digits.labels, seed=SPLIT_SEED)
    judge = fit_real_classifier(split, seed=SPLIT_SEED)
    train_set = DigitsSubset(digits, train_idx)

    rows = []
    for variant in args.variants:
        for seed in args.seeds:
            model, timing = train_one(variant, seed, train_set, args.steps, args.threads, sets)
            if variant == "cgan":
                scores = evaluate_label_conditional(model, split, judge, seed=seed)
            else:
                scores = evaluate_categorical_code(model, judge, model.config.num_categories,
                                                   n=1000, seed=seed)
                scores.pop("mapping")
            rows.append({"variant": variant, "seed": seed, **timing, **scores})
            print(f"  done {variant} seed {seed}: " + json.dumps(
                {k: round(v, 4) if isinstance(v, float) else v for k, v in rows[-1].items()}),
                file=sys.stderr, flush=True)

    print(f"\nDigits (sklearn), train split {len(split.train_y)} / test split {len(split.test_y)}, "
          f"judge: RBF-SVM on real train pixels, ceiling (real test accuracy) "
          f"{100 * judge.ceiling:.1f} %; torch threads {args.threads}\n")
    header = (f"{'variant':8} {'seed':>4} {'steps':>6} {'CPU s':>7} {'wall s':>7} "
              f"{'GAN-test %':>10} {'CAS %':>7} {'ceiling %':>9} {'code acc %':>10}")
    print(header)
    print("-" * len(header))

    def cell(row, key, width):
        return f"{100 * row[key]:{width}.1f}" if key in row else f"{'-':>{width}}"

    for variant in args.variants:
        mine = [r for r in rows if r["variant"] == variant]
        for r in mine:
            print(f"{variant:8} {r['seed']:>4} {r['steps']:>6} {r['cpu_s']:>7.1f} "
                  f"{r['wall_s']:>7.1f} {cell(r, 'gan_test', 10)} {cell(r, 'cas', 7)} "
                  f"{100 * judge.ceiling:>9.1f} {cell(r, 'code_accuracy', 10)}")
        mean = {k: float(np.mean([r[k] for r in mine])) for k in mine[0]
                if k not in ("variant", "seed")}
        print(f"{variant:8} {'mean':>4} {mean['steps']:>6.0f} {mean['cpu_s']:>7.1f} "
              f"{mean['wall_s']:>7.1f} {cell(mean, 'gan_test', 10)} {cell(mean, 'cas', 7)} "
              f"{100 * judge.ceiling:>9.1f} {cell(mean, 'code_accuracy', 10)}")
    print("\nTargets: cGAN GAN-test >= 95 %, CAS >= ceiling - 5; InfoGAN code accuracy >= 90 % "
          "(mean); <= 180 CPU s of training per run.")
    command = "python benchmarks/digits_conditional.py " + " ".join(
        ["--variants", *args.variants, "--seeds", *map(str, args.seeds),
         "--threads", str(args.threads)] + (["--steps", str(args.steps)] if args.steps else [])
        + [f"--set {item}" for item in args.sets])
    print(f"Reproduce: {command}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"ceiling": judge.ceiling, "rows": rows}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
