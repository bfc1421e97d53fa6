"""How many CPU threads sampling, evaluation or a new training run should use: the cores idle
right now.

On a busy machine, OpenMP threads wait at barriers while other processes hold the cores, so a
multi-threaded forward runs slower than a single-threaded one. Used by ``ganzoo sample``,
``ganzoo train`` (once per new run; the count is recorded so a resume keeps it) and
``benchmarks/cyclegan_speed.py``.
"""

from __future__ import annotations

import math
import os
import statistics
import time

#: Linux's load file: its 4th field, ``running/total``, counts the tasks runnable right now.
LOADAVG_FILE = "/proc/loadavg"
#: Reads of `LOADAVG_FILE` per thread choice (their median is used).
LOAD_SAMPLES = 5


def choose_threads(requested: int | None = None) -> int:
    """Torch CPU threads for sampling: ``requested``, else as many cores as are idle.

    On a busy machine, OpenMP threads wait at barriers while other processes hold the cores, so
    a multi-threaded forward runs slower than a single-threaded one (2.3x slower measured on 2
    cores at load 12, see benchmarks/cyclegan_speed.py). An idle machine keeps torch's default.
    Busy means busy now (`busy_cores`): a load average also counts the caller's own work of the
    last minute, which made a benchmark that had just run models pick 1 thread on an idle
    machine (1.78x slower).
    """
    if requested:
        return requested
    return threads_and_load()[0]


def threads_and_load() -> tuple[int, float | None]:
    """(threads for the cores idle now, how many cores others are using or None where that
    cannot be measured: then torch's default thread count)."""
    import torch

    default = torch.get_num_threads()
    busy = busy_cores()
    if busy is None:  # not measurable on this platform
        return default, None
    return threads_for_idle_cores(usable_cpus() or default, busy, default), busy


def threads_for_idle_cores(cpus: int, busy: float, default: int) -> int:
    """Threads for ``cpus`` cores of which ``busy`` are taken by others, at most ``default``
    and at least 1 (a fractional load average rounds to the nearest core)."""
    return max(1, min(default, math.floor(cpus - busy + 0.5)))


def busy_cores(samples: int = LOAD_SAMPLES) -> float | None:
    """How many cores other processes are using now, or None where that cannot be measured.

    Linux: the runnable tasks of ``/proc/loadavg`` (4th field, ``running/total``) minus this
    process's own running threads, the median of a few reads 1 ms apart (one read can catch a
    passing kernel thread). Elsewhere: the 1-minute load average, which lags and includes us.
    """
    counts = []
    for index in range(samples):
        others = _runnable_elsewhere()
        if others is None:
            break
        counts.append(others)
        if index + 1 < samples:
            time.sleep(0.001)
    if counts:
        return float(statistics.median(counts))
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this platform
        return None


def _runnable_elsewhere() -> int | None:
    try:
        with open(LOADAVG_FILE, encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None
    return max(0, running - _own_running_threads())


def _own_running_threads() -> int:
    """Threads of this process in state R (the caller at least; OpenMP workers still spinning
    after a forward are ours too, not another process's)."""
    running = 0
    try:
        for task in os.scandir("/proc/self/task"):
            try:
                with open(os.path.join(task.path, "stat"), encoding="ascii",
                          errors="replace") as handle:
                    # "pid (comm) S ...": comm may hold spaces and parentheses.
                    state = handle.read().rpartition(")")[2].split()[0]
            except (OSError, IndexError):
                continue
            running += state == "R"
    except OSError:
        pass
    return max(1, running)


def usable_cpus() -> int | None:
    """CPUs this process may run on (None if the OS cannot tell)."""
    try:
        return len(os.sched_getaffinity(0))  # honours taskset / cpusets
    except (AttributeError, OSError):
        return os.cpu_count()
