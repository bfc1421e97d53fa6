"""Timing helpers shared by the speed benchmarks. Each measures the functions it compares in the
same run, interleaved or alternating, so a change of machine load hits all of them alike."""

from __future__ import annotations

import statistics
import subprocess
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where a GPU or a tensor is used: cold_start needs neither
    import torch


def sync(device: torch.device) -> None:
    """Wait for queued GPU work, so a timer measures it (no-op on CPU)."""
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)


def best_times(functions, repeats: int) -> list[float]:
    """Best wall time of each function, measured interleaved so load changes hit all alike."""
    for function in functions:
        function()  # warm-up (allocator, oneDNN primitive cache, bf16 probe)
    best = [float("inf")] * len(functions)
    for _ in range(repeats):
        for index, function in enumerate(functions):
            began = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - began)
    return best


def interleaved(runs: dict, repeats: int, device: torch.device) -> dict[str, float]:
    """Median seconds per call of each function, calls interleaved round-robin."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for fn in runs.values():  # warm-up (allocator, oneDNN primitive caches, compile)
        fn()
    sync(device)
    for _ in range(repeats):
        for name, fn in runs.items():
            began = time.perf_counter()
            fn()
            sync(device)
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


def median_pair(first, second, runs: int) -> tuple[float, float]:
    """Median seconds of two callables, alternating which goes first to share any drift."""
    times: tuple[list[float], list[float]] = ([], [])
    first(), second()  # warm-up: imports, page cache, allocator
    for i in range(runs):
        order = ((0, first), (1, second)) if i % 2 == 0 else ((1, second), (0, first))
        for index, function in order:
            start = time.perf_counter()
            function()
            times[index].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def median_seconds(argv: list[str], runs: int) -> float:
    """Median wall seconds of running the process ``argv`` (after one run that warms the OS
    file cache)."""
    times = []
    subprocess.run(argv, capture_output=True, check=True)  # warm the OS file cache once
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_peak(device: torch.device, repeats: int = 5) -> float:
    """Measured fp32 GFLOP/s of a 2048^3 matmul (the machine's practical ceiling)."""
    import torch

    a = torch.randn(2048, 2048, device=device)
    b = torch.randn(2048, 2048, device=device)
    torch.mm(a, b)
    sync(device)
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        torch.mm(a, b)
        sync(device)
        best = min(best, time.perf_counter() - began)
    return 2 * 2048 ** 3 / best / 1e9
