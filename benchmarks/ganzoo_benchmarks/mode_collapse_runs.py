"""The mode-collapse benchmark's runs and table: each run is the real ``ganzoo train`` command in
its own process, scored with `ganzoo.metrics.modes` (VEEGAN/PacGAN protocol), printed next to
the published rows."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

def _sets(**values) -> list[str]:
    return [arg for key, value in values.items() for arg in ("--set", f"{key}={value}")]


#: The `gan` toy recipes before the seed-robustness work (tuned on seeds 0-4), spelled out so
#: they stay reproducible whatever the defaults become.
PREVIOUS_VALUES = {
    "grid25": dict(loss="non-saturating", penalty="r1", penalty_weight=3e-4, pack=1,
                   hidden=256, d_hidden=192, fused_adam="true", steps=9000, batch_size=384,
                   lr_decay_start=4500, ema_decay=0.999, minibatch_std="false", latent_dim=2,
                   latent_components=0),
    "ring8": dict(loss="non-saturating", penalty="none", pack=1, hidden=192, d_hidden="null",
                  fused_adam="false", steps=8000, batch_size=512, lr_decay_start=4000,
                  ema_decay=0.999, minibatch_std="false", latent_dim=2, latent_components=0),
}
PREVIOUS = {data: _sets(**values) for data, values in PREVIOUS_VALUES.items()}

#: The previous networks and schedules without the tricks: plain Gaussian latent, no penalty,
#: no EMA, no learning-rate decay, no minibatch-std.
NO_TRICKS = {data: _sets(**{**values, "penalty": "none", "ema_decay": 0,
                            "lr_decay_start": "null"})
             for data, values in PREVIOUS_VALUES.items()}

#: The grid25 default of the second session of 2026-12-07: the previous recipe with the
#: minibatch-std feature in D and R1 at 1e-4.
MINIBATCH_STD = {"grid25": _sets(**{**PREVIOUS_VALUES["grid25"], "minibatch_std": "true",
                                    "penalty_weight": 1e-4})}

#: name → (label, variant, extra `ganzoo train` arguments, or a dict of them per dataset)
CONFIGS = {
    "gan": ("GAN (non-saturating), no tricks", "gan", NO_TRICKS),
    "wgan-gp": ("WGAN-GP (`ganzoo train wgan-gp` defaults)", "wgan-gp", []),
    "best": ("ganzoo best = `ganzoo train gan` defaults", "gan", []),
    "no-mixture": ("ganzoo best with a plain N(0, I) latent", "gan",
                   _sets(latent_components=0, latent_dim=2)),
    "previous": ("previous `gan` recipe (NS loss, tuned seeds 0-4)", "gan", PREVIOUS),
    "mbstd": ("previous + minibatch-std, R1 1e-4", "gan", MINIBATCH_STD),
    "rpgan-weak": ("previous recipe, RpGAN + R1+R2 at 3e-4", "gan",
                   {"grid25": PREVIOUS["grid25"] + _sets(loss="relativistic-pairing",
                                                         penalty="r1+r2",
                                                         penalty_weight=3e-4)}),
    "rpgan": ("previous recipe, RpGAN + R1+R2 at 3e-3", "gan",
              {"grid25": PREVIOUS["grid25"] + _sets(loss="relativistic-pairing",
                                                    penalty="r1+r2", penalty_weight=3e-3)}),
}

#: What `benchmarks/mode_collapse.py` trains unless told: the baselines, the default recipe
#: and the ablation that shows what made the difference.
DEFAULT_CONFIGS = ("gan", "wgan-gp", "best", "no-mixture")

#: Modes of each mixture: a run with all of them has full coverage.
MODES = {"grid25": 25, "ring8": 8}

#: Published rows: (source, method) → {dataset: (modes, % high quality)}.
PUBLISHED = [
    ("PacGAN Table 1", "GAN", {"grid25": (17.3, 94.8), "ring8": (6.3, 98.2)}),
    ("PacGAN Table 1", "PacGAN4", {"grid25": (24.8, 93.6)}),
    ("PacGAN Table 1", "PacGAN2", {"ring8": (7.9, 95.6)}),
    ("VEEGAN Table 1", "VEEGAN", {"grid25": (24.6, 40.0)}),
    ("VEEGAN Table 1", "Unrolled GAN", {"grid25": (23.6, 16.0)}),
]


def runs_on(config: str, dataset: str) -> bool:
    """Whether ``config`` is defined for ``dataset`` (per-dataset configs name theirs)."""
    extra = CONFIGS[config][2]
    return not isinstance(extra, dict) or dataset in extra


def train_and_score(config: str, dataset: str, seed: int, workdir: Path,
                    steps: int | None = None, settings: tuple[str, ...] = ()) -> dict:
    """Run ``ganzoo train`` for `CONFIGS` ``config`` on ``dataset`` with ``seed`` in its own
    process, then score 2,500 samples of the result; the row of numbers and the command.
    ``settings`` are extra ``KEY=VALUE`` passed as ``--set`` (e.g. ``threads=1`` for parallel
    jobs)."""
    label, variant, extra = CONFIGS[config]
    extra = list(extra.get(dataset, []) if isinstance(extra, dict) else extra)
    for setting in settings:
        extra += ["--set", setting]
    if steps is not None:  # smoke runs only; the table's numbers use each recipe's own steps
        pairs = [extra[i:i + 2] for i in range(0, len(extra), 2)]
        extra = [arg for pair in pairs if pair[1].split("=")[0] != "steps" for arg in pair]
        extra += ["--steps", str(steps)]
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
            "spread": result["spread"],
            "steps": run["steps"], "train_seconds": run["wall_seconds"],
            "process_wall_seconds": round(wall, 1), "cpu_seconds": run.get("cpu_seconds"),
            "command": " ".join(command[1:]).replace(str(out), "DIR")}


def parse_seeds(text: str) -> list[int]:
    """``"5"`` → seeds 0-4; ``"0-9"`` → 0..9; ``"0,3,10-12"`` → 0, 3, 10, 11, 12."""
    if text.isdigit():
        return list(range(int(text)))
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"seeds must look like 5, 0-9 or 0,3,10-12; got {text!r}")
        seeds += range(int(first), int(last or first) + 1)
    return seeds


def full_coverage(row: dict) -> bool:
    """Every mode captured: 25 on grid25, 8 on ring8."""
    return row["modes"] == MODES[row["dataset"]]


def seed_rows(rows: list[dict], tuned: set[int]) -> str:
    """One line per run, in seed order: which seeds chose the settings ("tuned") and which
    never did ("unseen")."""
    lines = [f"{'data':7} {'config':10} {'seed':>5} {'seed was':>8} {'modes':>6} "
             f"{'% HQ':>7} {'rev. KL':>8} {'spread':>7} {'wall s':>7}"]
    for row in sorted(rows, key=lambda r: (r["dataset"], r["config"], r["seed"])):
        # "spread" (`ganzoo.metrics.modes`): 0.97 is the data's own; rows before it have none.
        spread = row.get("spread")
        lines.append(f"{row['dataset']:7} {row['config']:10} {row['seed']:>5} "
                     f"{'tuned' if row['seed'] in tuned else 'unseen':>8} {row['modes']:>6} "
                     f"{row['high_quality']:>7.2f} {row['reverse_kl']:>8.3f} "
                     f"{'-' if spread is None else f'{spread:.2f}':>7} "
                     f"{row['train_seconds']:>7.1f}")
    return "\n".join(lines)


def mean_std(values: list[float]) -> str:
    """``mean ± sample standard deviation`` (one value: itself), to two decimals."""
    if any(v == float("inf") for v in values):
        return "inf"  # a run with no high-quality sample at all
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


def table(rows: list[dict], datasets: list[str], configs: list[str]) -> str:
    """The benchmark's table: per dataset, each config's runs summarised over seeds, then the
    published rows for that dataset."""
    lines = [f"{'data':7} {'method':44} {'modes':>14} {'% high quality':>16} "
             f"{'reverse KL':>14} {'wall s/run':>10} {'CPU s/run':>10} {'steps':>6} "
             f"{'all modes':>9}"]
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
                f"{runs[0]['steps']:>6} "
                f"{f'{sum(map(full_coverage, runs))}/{len(runs)}':>9}")
        for source, method, values in PUBLISHED:
            if dataset in values:
                modes, hq = values[dataset]
                lines.append(f"{dataset:7} {(source + ': ' + method)[:44]:44} {modes:>14.1f} "
                             f"{hq:>16.1f} {'-':>14} {'-':>10} {'-':>10} {'-':>6}")
    return "\n".join(lines)
