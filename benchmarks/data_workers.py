"""Data workers and data parallelism: ``ganzoo train`` throughput on a folder of JPEG photos.

Writes a folder of JPEGs (random crops, 160-480 px, of the bundled scikit-image/scikit-learn
photos; no downloads), then trains DCGAN 64x64 on it with ``--data folder:`` and reports images
per second:

* per worker count (``--set workers=0,1,2``): what decoding in worker processes buys, and the
  measurement behind the default on a machine with 2 CPUs or fewer;
* 1 vs 2 ``torchrun`` processes (gloo on CPU), each with its default workers: every rank's
  workers decode only its shard, so data parallelism scales the pipeline too.

Configurations run alternated, ``--repeats`` times each, and the table shows the median, so a
change of load on a shared machine hits all of them alike. Rates are the training loop's
(``run.json``), worker start-up included; process start-up is not.

    nice -n 10 .venv/bin/python benchmarks/data_workers.py
    nice -n 10 .venv/bin/python benchmarks/data_workers.py --quick   # a smoke run

Results: ``benchmarks/results/data_workers.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ganzoo_benchmarks.photos import bundled_photo

PHOTOS = ("astronaut", "coffee", "rocket", "chelsea", "china", "flower", "hubble_deep_field",
          "immunohistochemistry", "retina", "motorcycle")


def write_photo_folder(root: Path, count: int, seed: int = 0) -> Path:
    """``count`` JPEGs: random crops (160-480 px sides) of the bundled photos."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    sources = [bundled_photo(name)[..., :3] for name in PHOTOS]
    root.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        photo = sources[k % len(sources)]
        height, width = photo.shape[:2]
        h, w = (int(rng.integers(160, min(480, side) + 1)) for side in (height, width))
        top, left = int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1))
        Image.fromarray(photo[top:top + h, left:left + w]).save(root / f"photo{k:05d}.jpg",
                                                                 quality=90)
    return root


def train_rate(folder: Path, out: Path, *, processes: int, workers: int | None, steps: int,
               batch: int, width: int, threads: int | None) -> float:
    """Images per second (all processes together) of one ``ganzoo train dcgan`` run."""
    ganzoo = Path(sys.executable).parent / "ganzoo"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(processes), "--no-python", str(ganzoo)] \
        if processes > 1 else [str(ganzoo)]
    command += ["train", "dcgan", "--data", f"folder:{folder}", "--steps", str(steps),
                "--batch-size", str(batch), "--set", "channels=3", "--set", f"ngf={width}",
                "--set", f"ndf={width}", "--set", "sample_every=0", "--set", "checkpoint_every=0",
                "--set", "ema_bn_batches=0", "--set", "preview_count=4", "--set", "device=cpu",
                "--out", str(out), "--force"]
    if workers is not None:
        command += ["--set", f"workers={workers}"]
    if threads is not None:
        command += ["--set", f"threads={threads}"]
    env = {**os.environ, "TQDM_DISABLE": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    run = json.loads((out / "run.json").read_text())
    return run["iterations_per_second"] * batch * run["world_size"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch", type=int, default=32, help="per process")
    parser.add_argument("--width", type=int, default=32, help="DCGAN ngf = ndf")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="0,1,2", help="worker counts to compare")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads per training process (1: on a shared machine, "
                             "OpenMP threads wait at barriers while others hold the cores, "
                             "which swamps what is measured here)")
    parser.add_argument("--keep", type=Path, help="keep the photo folder here (reused if there)")
    args = parser.parse_args()
    if args.quick:
        args.photos, args.steps, args.batch, args.width, args.repeats = 64, 3, 8, 8, 1

    from ganzoo.thread_choice import usable_cpus
    from ganzoo.train.data_workers import default_workers

    work = Path(tempfile.mkdtemp(prefix="ganzoo-data-workers-"))
    folder = args.keep or work / "photos"
    if not folder.is_dir() or len(list(folder.glob("*.jpg"))) < args.photos:
        write_photo_folder(folder, args.photos)
    cpus = usable_cpus() or 1
    counts = [int(w) for w in args.workers.split(",")]
    alone = default_workers(cpus, 1)
    configs = {f"1 process, workers={w}{' (the default)' if w == alone else ''}":
               dict(processes=1, workers=w, threads=args.threads) for w in counts}
    configs[f"2 processes (torchrun, gloo), default workers ({default_workers(cpus, 2)} "
            f"each)"] = dict(processes=2, workers=None, threads=args.threads)
    configs["2 processes (torchrun, gloo), workers=1 each"] = dict(processes=2, workers=1,
                                                                    threads=args.threads)
    rates: dict[str, list[float]] = {name: [] for name in configs}
    try:
        for _ in range(args.repeats):
            for name, config in configs.items():
                rates[name].append(train_rate(folder, work / "run", steps=args.steps,
                                              batch=args.batch, width=args.width, **config))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()
    print(f"DCGAN 64x64 (ngf=ndf={args.width}), batch {args.batch} per process, {args.threads} "
          f"torch thread(s) per process, {args.steps} iterations, --data folder: of {args.photos} JPEGs (160-480 px); {cpus} usable CPUs; "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end")
    print(f"{'configuration':<66} {'images/s (median)':>17}  runs (alternated)")
    print("-" * 96)
    base = statistics.median(rates[next(iter(configs))])
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{name:<66} {median:>10.1f} {median / base:>5.2f}x  "
              f"{', '.join(f'{v:.1f}' for v in values)}")
    print(f"\nCommand: nice -n 10 {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
