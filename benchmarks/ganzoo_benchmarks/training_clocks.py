"""Timing a training loop from outside, the same way for ganzoo's Trainer and a plain loop.

`IterationClock` stamps every optimizer step (a global post-step hook, so nothing in either
loop changes; on CUDA after a synchronize, so queued work is counted); an iteration ends with its last optimizer step, and the steady-state rate is
taken over the iterations after a warm-up (allocator, oneDNN primitive caches, compilation).
`DataWaitClock` adds up the time spent waiting for the next batch: in a DataLoader iterator's
``__next__`` and, where the engine has one, its own batch stream's (only the outermost call
counts when one calls the other).
"""

from __future__ import annotations

import time
from contextlib import contextmanager


class IterationClock:
    """Timestamps of optimizer steps while `running`, grouped into iterations."""

    def __init__(self, steps_per_iteration: int, device=None):
        self.steps_per_iteration = steps_per_iteration
        self.device = device
        self.stamps: list[float] = []

    def _stamp(self, *unused) -> None:
        if self.device is not None and self.device.type == "cuda":
            import torch

            torch.cuda.synchronize(self.device)  # the step's kernels done, not just queued
        self.stamps.append(time.perf_counter())

    @contextmanager
    def running(self):
        from torch.optim.optimizer import register_optimizer_step_post_hook

        handle = register_optimizer_step_post_hook(self._stamp)
        try:
            yield self
        finally:
            handle.remove()

    def iteration_ends(self) -> list[float]:
        k = self.steps_per_iteration
        return self.stamps[k - 1::k]

    def window(self, warmup: int) -> tuple[float, float, int]:
        """``(start, end, iterations)`` of the steady state: from the end of iteration
        ``warmup`` (at least 1) to the end of the last one."""
        warmup = max(1, warmup)
        ends = self.iteration_ends()
        if len(ends) <= warmup:
            raise ValueError(f"only {len(ends)} iterations ran; need more than {warmup}")
        return ends[warmup - 1], ends[-1], len(ends) - warmup


class DataWaitClock:
    """Intervals spent in ``__next__`` of the batch sources (patched while `running`)."""

    def __init__(self):
        self.intervals: list[tuple[float, float]] = []
        self.sources: set[str] = set()
        self._depth = 0

    def _timed(self, name: str, next_method):
        clock = self

        def timed_next(source):
            clock._depth += 1
            began = time.perf_counter()
            try:
                return next_method(source)
            finally:
                clock._depth -= 1
                if clock._depth == 0:
                    clock.intervals.append((began, time.perf_counter()))
                    clock.sources.add(name)
        return timed_next

    @contextmanager
    def running(self):
        from torch.utils.data import dataloader

        targets = [("DataLoader", dataloader._BaseDataLoaderIter)]
        try:
            from ganzoo.train import batches

            if hasattr(batches, "BatchStream"):
                targets.append(("BatchStream", batches.BatchStream))
        except ImportError:
            pass
        originals = [(cls, cls.__next__) for _, cls in targets]
        for name, cls in targets:
            cls.__next__ = self._timed(name, cls.__next__)
        try:
            yield self
        finally:
            for cls, original in originals:
                cls.__next__ = original

    def waited(self, start: float, end: float) -> float:
        """Seconds waited for data that began inside ``[start, end]``."""
        return sum(stop - began for began, stop in self.intervals if start <= began <= end)
