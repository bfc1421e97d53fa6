"""Small-data training on real photos: KID/FID with and without DiffAugment, and variant against
variant, over seeds.

Data (`ganzoo_benchmarks.small_photo_set`): ``--counts`` square crops of the ten bundled colour
photos at ``--size`` pixels as the training set, scored against 1,000 other crops of the same
photos (held out: never trained on). Every run trains with exactly what ``ganzoo train VARIANT
--data folder:TRAIN --preset small --seed S [--set diffaugment=P]`` resolves, for ``--steps``
iterations or as many as fit ``--minutes`` of CPU time (equal time for every variant), and its
EMA generator is scored by `ganzoo_benchmarks.distribution_scores.folder_distribution_scores`:
KID and FID of ``--n`` samples against the first ``--n`` held-out crops (``ganzoo evaluate RUN
--data folder:REFERENCE --n N`` scores the same pair). These numbers compare models on this set
only, never with published FIDs.

    python benchmarks/small_data.py --counts 100 500 --seeds 0-2 --steps 3000 --jobs 2
    python benchmarks/small_data.py --variants dcgan r3gan --augment none --minutes 4
    python benchmarks/small_data.py --augment color,translation,cutout+ada --ada-kimg 100
    python benchmarks/small_data.py --table runs.json        # reprint the table of saved rows

An ``--augment`` policy ending in ``+ada`` adds adaptive strength (``--set ada_target=T
--set ada_kimg=K``, from ``--ada-target`` and ``--ada-kimg``).

Rows are appended to ``--json`` as each run ends, so an interrupted benchmark keeps its finished
runs and ``--table`` prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

#: DiffAugment's full policy, as the paper applies it to its 100-shot sets.
FULL_POLICY = "color,translation,cutout"


def run_one(variant: str, count: int, augment: str, seed: int, args: dict) -> dict:
    """Train one run and score it; the row of the table."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    from ganzoo.grid import save_grid
    from ganzoo_benchmarks.distribution_scores import folder_distribution_scores
    from ganzoo_benchmarks.recipe_runs import steps_in_budget, train_recipe
    from ganzoo_benchmarks.small_photo_set import reference_label, reference_set, training_set

    work = Path(args["work"])
    data = f"folder:{training_set(work, count, args['size'])}"
    policy, ada = augment.removesuffix("+ada"), augment.endswith("+ada")
    sets = {"image_size": args["size"]} | ({"diffaugment": policy} if policy != "none" else {})
    if ada:
        sets |= {"ada_target": args["ada_target"], "ada_kimg": args["ada_kimg"]}
    steps = args["steps"] or steps_in_budget(variant, data, args["minutes"],
                                             threads=args["threads"], preset="small", sets=sets)
    model, timing = train_recipe(variant, data, seed=seed, threads=args["threads"], steps=steps,
                                 preset="small", sets=sets)
    name = f"{variant}-{count}-{augment.replace(',', '+')}-seed{seed}"
    # the run's samples; a rerun of the same run replaces its own grid
    save_grid(model.sample(64, seed=0), work / "samples" / f"{name}.png", nrow=8, upscale=2,
              overwrite=True)
    reference = reference_set(work, args["size"])
    scores = folder_distribution_scores(model, reference, args["n"],
                                        reference_label(args["n"], args["size"]))
    row = {"variant": variant, "images": count, "augment": augment, "seed": seed,
           "steps": timing["steps"], "cpu_s": round(timing["cpu_s"], 1),
           "wall_s": round(timing["wall_s"], 1), **scores}
    if ada:  # its settings, and the augmentation probability the run ended with
        row |= {"ada_target": args["ada_target"], "ada_kimg": args["ada_kimg"],
                "ada_p_final": round(timing["ada_p"], 4)}
    return row


def table(rows: list[dict], tuned: set[int]) -> str:
    """Per-run rows, then mean ± std of KID and FID per (variant, images, augment)."""
    import numpy as np

    lines = [f"{'variant':8} {'images':>6} {'augment':28} {'seed':>9} {'steps':>6} "
             f"{'CPU s':>7} {'KID':>8} {'± std':>7} {'FID':>7} {'ADA p end':>9}"]
    key = lambda r: (r["variant"], r["images"], r["augment"])  # noqa: E731
    for row in sorted(rows, key=lambda r: (*key(r), r["seed"])):
        seed = f"{row['seed']} {'tuned' if row['seed'] in tuned else 'unseen'}"
        p_end = f"{row['ada_p_final']:>9.3f}" if "ada_p_final" in row else f"{'-':>9}"
        lines.append(f"{row['variant']:8} {row['images']:>6} {row['augment']:28} {seed:>9} "
                     f"{row['steps']:>6} {row['cpu_s']:>7.1f} {row['kid']:>8.4f} "
                     f"{row['kid_std']:>7.4f} {row['fid']:>7.2f} {p_end}")
    lines.append("")
    lines.append(f"{'variant':8} {'images':>6} {'augment':28} {'seeds':>5} "
                 f"{'KID mean ± std':>17} {'FID mean ± std':>16}")
    for group in sorted({key(r) for r in rows}):
        mine = [r for r in rows if key(r) == group]
        kid = np.array([r["kid"] for r in mine])
        fid = np.array([r["fid"] for r in mine])
        lines.append(f"{group[0]:8} {group[1]:>6} {group[2]:28} {len(mine):>5} "
                     f"{kid.mean():>8.4f} ± {kid.std():.4f} {fid.mean():>7.2f} ± {fid.std():>5.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    from ganzoo_benchmarks.mode_collapse_runs import parse_seeds

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", default=["dcgan"])
    parser.add_argument("--counts", nargs="+", type=int, default=[100],
                        help="training-set sizes (crops)")
    parser.add_argument("--augment", nargs="+", default=["none", FULL_POLICY],
                        help=f"DiffAugment policies to compare ('none': off; default: none and "
                             f"{FULL_POLICY}); a '+ada' suffix adds adaptive strength")
    parser.add_argument("--ada-target", type=float, default=0.6,
                        help="ada_target of '+ada' policies (default 0.6, the paper's)")
    parser.add_argument("--ada-kimg", type=float, default=500.0,
                        help="ada_kimg of '+ada' policies (default 500, the paper's)")
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-2"),
                        help="e.g. 0-2 or 3,7 (default 0-2)")
    parser.add_argument("--tuned-seeds", type=parse_seeds, default=[],
                        help="seeds used while choosing settings (marked 'tuned')")
    parser.add_argument("--size", type=int, default=32, help="image side in pixels (default 32)")
    parser.add_argument("--steps", type=int, help="iterations per run (default: --minutes)")
    parser.add_argument("--minutes", type=float, default=3.0,
                        help="CPU minutes of training per run, when --steps is not given")
    parser.add_argument("--n", type=int, default=500, help="images per side for KID/FID")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--jobs", type=int, default=1, help="runs side by side")
    parser.add_argument("--work", default="runs/small_data", help="data, samples (PNG grids)")
    parser.add_argument("--json", help="append each finished row to this JSON-lines file")
    parser.add_argument("--table", help="only print the table of this JSON-lines file")
    args = parser.parse_args(argv)

    if args.table:
        rows = [json.loads(line) for line in Path(args.table).read_text().splitlines() if line]
        print(table(rows, set(args.tuned_seeds)))
        return 0
    from ganzoo_benchmarks.small_photo_set import reference_set, training_set

    for count in args.counts:  # written here once, not by workers racing each other
        training_set(Path(args.work), count, args.size)
    reference_set(Path(args.work), args.size)
    options = {k: getattr(args, k) for k in ("work", "size", "steps", "minutes", "n", "threads",
                                             "ada_target", "ada_kimg")}
    # seed by seed, so the settings being compared finish side by side
    jobs = [(v, c, a, s) for c in args.counts for s in args.seeds for v in args.variants
            for a in args.augment]
    rows, failed = [], []
    # spawn: a fresh interpreter per worker, each pinned to --threads torch threads
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_one, *job, options): job for job in jobs}
        for future in as_completed(futures):  # a failed run is reported, the others go on
            try:
                rows.append(future.result())
            except Exception as error:  # noqa: BLE001 - named in the report, run continues
                failed.append(futures[future])
                print(f"  FAILED {futures[future]}: {type(error).__name__}: {error}",
                      file=sys.stderr, flush=True)
                continue
            print(f"  done {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
            if args.json:
                with open(args.json, "a") as handle:
                    handle.write(json.dumps(rows[-1]) + "\n")
    budget = f"{args.steps} iterations" if args.steps else f"{args.minutes:g} CPU-minutes"
    print(f"\nSmall-data training: {'/'.join(map(str, args.counts))} {args.size}-px photo crops, "
          f"{budget} per run (--preset small), {args.threads} torch thread(s); KID/FID: "
          f"{args.n} EMA-G samples vs {args.n} held-out crops\n")
    print(table(rows, set(args.tuned_seeds)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
