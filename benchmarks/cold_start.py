"""Cold start of the CLI's listing paths vs importing torch, in the same run.

Target (issue 2): `ganzoo list` with all first-party plugins installed takes under a third of
the time of `python -c "import torch"`.

Run: .venv/bin/python benchmarks/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import sys

from ganzoo_benchmarks.timing import median_seconds

COMMANDS = {
    "ganzoo list": [sys.executable, "-m", "ganzoo", "list"],
    "ganzoo --help": [sys.executable, "-m", "ganzoo", "--help"],
    "ganzoo plugins": [sys.executable, "-m", "ganzoo", "plugins"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "python -c 'pass' (interpreter floor)": [sys.executable, "-c", "pass"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: median_seconds(argv, args.runs) for name, argv in COMMANDS.items()}
    torch_time = results["python -c 'import torch'"]
    print(f"| command | median of {args.runs} runs (s) | / import torch |")
    print("|---|---|---|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.3f} | {seconds / torch_time:.2f} |")
    ratio = results["ganzoo list"] / torch_time
    verdict = "meets" if ratio < 1 / 3 else "MISSES"
    print(f"\nganzoo list / import torch = {ratio:.2f} ({verdict} the < 0.33 target)")
    print(f"reproduce: {sys.executable} benchmarks/cold_start.py --runs {args.runs}")


if __name__ == "__main__":
    main()
