"""ONNX Runtime vs ganzoo's own CPU path for the zoo's CycleGAN and SRResNet, in the same run.

Each model is exported once (`ganzoo.onnx_export.export_onnx`, fp32); then the same photo goes
through ``model.translate`` (ganzoo's default CPU path: `--precision auto`, and fp32) and
through `ganzoo.onnx_model.OnnxModel.translate` (same image IO and tiling, onnxruntime's CPU
provider), one engine after the other, each timed as the median of ``--runs`` runs after a
warm-up, at the same thread count. The ratio is reported whichever wins; outputs are compared too.

Run: .venv/bin/python benchmarks/onnx_speed.py [--runs 5] [--threads 2] [--size 256]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def photo(size: int):
    import torch
    from skimage import data

    image = data.chelsea()[:size, :size]  # 300 x 451 RGB photo
    return torch.from_numpy(image.copy()).permute(2, 0, 1).float()[None] / 255


def median_seconds(run, runs: int) -> float:
    run()  # warm-up: first-call allocations, onnxruntime's graph preparation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=256, help="photo side for CycleGAN; "
                        "SRResNet gets a quarter of it (its input is low resolution)")
    args = parser.parse_args()

    import torch

    import ganzoo
    from ganzoo.onnx_export import export_onnx
    from ganzoo.onnx_model import OnnxModel

    torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, side in (("cyclegan", args.size), ("srresnet", args.size // 4)):
            model = ganzoo.load(name)
            path = export_onnx(model, Path(folder) / f"{name}.onnx")
            runtime = OnnxModel(path, threads=args.threads)
            image = photo(side)
            paths = {
                "ganzoo torch (auto)": lambda: model.translate(image),
                "ganzoo torch (fp32)": lambda: model.translate(image, precision="fp32"),
                "onnxruntime (fp32)": lambda: runtime.translate(image),
            }
            reference = model.translate(image, precision="fp32")
            for label, run in paths.items():
                seconds = median_seconds(run, args.runs)
                error = (run() - reference).abs().max().item()
                rows.append((name, f"{side}x{side}", label, seconds, error))
    print(f"| model | input | engine | median of {args.runs} (ms) | vs ganzoo auto | "
          f"max abs diff vs torch fp32 ([0,1]) |")
    print("|---|---|---|---|---|---|")
    base = {}
    for name, size, label, seconds, error in rows:
        base.setdefault(name, seconds)  # the first row of each model is ganzoo's default
        print(f"| {name} | {size} | {label} | {seconds * 1e3:.1f} | "
              f"{seconds / base[name]:.2f}x | {error:.1e} |")
    print(f"\n{args.threads} threads, {os.cpu_count()} CPUs visible; torch {torch.__version__}, "
          f"onnxruntime {__import__('onnxruntime').__version__}")
    print(f"reproduce: {sys.executable} benchmarks/onnx_speed.py --runs {args.runs} "
          f"--threads {args.threads} --size {args.size}")


if __name__ == "__main__":
    main()
