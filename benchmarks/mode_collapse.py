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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: name → (label, variant, extra `ganzoo train` arguments)
CONFIGS = {
    "gan": ("GAN (non-saturating), no tricks", "gan",
            ["--set", "penalty=none", "--set", "pack=1", "--set", "ema_decay=0",
             "--set", "lr_decay_start=null"]),
    "wgan-gp": ("WGAN-GP (`ganzoo train wgan-gp` defaults)", "wgan-gp", []),
    "best": ("ganzoo best = `ganzoo train gan` defaults", "gan", []),
}

#: Published rows: (source, method) → {dataset: (modes, % high quality)}.
PUBLISHED = [
    ("PacGAN Table 1", "GAN", {"grid25": (17.3, 94.8), "ring8": (6.3, 98.2)}),
    ("PacGAN Table 1", "PacGAN4", {"grid25": (24.8, 93.6)}),
    ("PacGAN Table 1", "PacGAN2", {"ring8": (7.9, 95.6)}),
    ("VEEGAN Table 1", "VEEGAN", {"grid25": (24.6, 40.0)}),
    ("VEEGAN Table 1", "Unrolled GAN", {"grid25": (23.6, 16.0)}),
]


def train_and_score(config: str, dataset: str, seed: int, workdir: Path,
                    steps: int | None = None) -> dict:
    label, variant, extra = CONFIGS[config]
    if steps is not None:  # smoke runs only; the table's numbers use each recipe's own steps
        extra = [*extra, "--steps", str(steps)]
    out = workdir / f"{config}-{dataset}-{seed}"
    ganzoo = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    command = [ganzoo, "train", variant, "--data", dataset, "--seed", str(seed),
               "--out", str(out), *extra]
    env = {**os.environ, "TQDM_DISABLE": "1"}
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    run = json.loads((out / "run.json").read_text())
    import ganzoo as gz
    from ganzoo.data.spec import load_dataset
    from ganzoo.metrics.modes import evaluate_mixture_model

    result = evaluate_mixture_model(gz.load(str(out)), load_dataset(dataset), seed=0)
    return {"config": config, "dataset": dataset, "seed": seed, "modes": result["modes"],
            "high_quality": result["high_quality"], "reverse_kl": result["reverse_kl"],
            "steps": run["steps"], "train_seconds": run["wall_seconds"],
            "process_wall_seconds": round(wall, 1), "cpu_seconds": run.get("cpu_seconds"),
            "command": " ".join(command[1:]).replace(str(out), "DIR")}


def mean_std(values: list[float]) -> str:
    if any(v == float("inf") for v in values):
        return "inf"  # a run with no high-quality sample at all
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


def table(rows: list[dict], datasets: list[str], configs: list[str]) -> str:
    lines = [f"{'data':7} {'method':44} {'modes':>14} {'% high quality':>16} "
             f"{'reverse KL':>14} {'wall s/run':>10} {'CPU s/run':>10} {'steps':>6}"]
    for dataset in datasets:
        for config in configs:
            runs = [r for r in rows if r["dataset"] == dataset and r["config"] == config]
            if not runs:
                continue
            cpu = [r["cpu_seconds"] for r in runs if r["cpu_seconds"] is not None]
            wall = max(r["train_seconds"] for r in runs)
            lines.append(
                f"{dataset:7} {CONFIGS[config][0]:44} {mean_std([r['modes'] for r in runs]):>14} "
                f"{mean_std([r['high_quality'] for r in runs]):>16} "
                f"{mean_std([r['reverse_kl'] for r in runs]):>14} "
                f"{wall:>10.1f} {(max(cpu) if cpu else float('nan')):>10.1f} "
                f"{runs[0]['steps']:>6}")
        for source, method, values in PUBLISHED:
            if dataset in values:
                modes, hq = values[dataset]
                lines.append(f"{dataset:7} {(source + ': ' + method)[:44]:44} {modes:>14.1f} "
                             f"{hq:>16.1f} {'-':>14} {'-':>10} {'-':>10} {'-':>6}")
    return "\n".join(lines)


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
