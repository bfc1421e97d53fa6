"""`ganzoo sample`'s CPU thread choice: as many threads as cores idle *now*."""

from __future__ import annotations

import os
import threading
import time

import pytest
import torch

from ganzoo import thread_choice
from ganzoo.thread_choice import busy_cores, choose_threads, threads_for_idle_cores

linux_only = pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="Linux /proc only")


@pytest.mark.parametrize("cpus, busy, default, expected", [
    (2, 0, 2, 2),      # idle: torch's default
    (2, 1, 2, 1),      # one core taken by another process
    (2, 12, 2, 1),     # overloaded: never fewer than one
    (8, 2, 4, 4),      # never more than torch's default
    (8, 5, 8, 3),
    (2, 0.9, 2, 1),    # a load average rounds to the nearest core: 1.1 idle -> 1
    (2, 0.4, 2, 2),    # 1.6 idle -> 2
])
def test_threads_for_idle_cores(cpus, busy, default, expected):
    assert threads_for_idle_cores(cpus, busy, default) == expected


def test_a_requested_count_wins():
    assert choose_threads(3) == 3


@linux_only
def test_reads_the_real_runnable_count():
    busy = busy_cores()
    assert busy is not None and 0 <= busy < 10_000
    assert 1 <= choose_threads() <= torch.get_num_threads()


@linux_only
def test_runnable_field_minus_this_process(tmp_path, monkeypatch):
    load_file = tmp_path / "loadavg"
    monkeypatch.setattr(thread_choice, "LOADAVG_FILE", str(load_file))
    # A 1-minute load of 9 must not matter: only the runnable count now does.
    load_file.write_text("9.00 9.00 9.00 1/300 4242\n")  # the one runnable task is us
    assert busy_cores() == 0.0
    assert choose_threads() == min(torch.get_num_threads(), len(os.sched_getaffinity(0)))
    load_file.write_text("0.00 0.00 0.00 60/300 4242\n")
    assert busy_cores() >= 60 - os.cpu_count() - 1
    assert choose_threads() == 1


@linux_only
def test_own_busy_threads_are_not_counted_as_other_processes():
    stop = threading.Event()

    def compute():  # matrix products release the GIL: this thread stays runnable (R)
        a = torch.randn(256, 256)
        while not stop.is_set():
            a @ a

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    worker = threading.Thread(target=compute)
    worker.start()
    try:
        time.sleep(0.05)
        seen = max(thread_choice._own_running_threads() for _ in range(50))
    finally:
        stop.set()
        worker.join()
        torch.set_num_threads(previous)
    assert seen >= 2


def test_falls_back_to_the_load_average_then_to_the_default(tmp_path, monkeypatch):
    monkeypatch.setattr(thread_choice, "LOADAVG_FILE", str(tmp_path / "absent"))
    if hasattr(os, "getloadavg"):
        assert busy_cores() == pytest.approx(os.getloadavg()[0], abs=2.0)

    def unavailable():
        raise OSError("no load average here")

    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert busy_cores() is None
    assert choose_threads() == torch.get_num_threads()

