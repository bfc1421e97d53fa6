"""Counting the reliability suite: every case ends as handled / traceback / wrong result /
data lost / hang, and the run ends with a table per family.

A test marked ``reliability`` counts as one case of the family named by its module
(``test_crash_safety.py`` → "crash safety"), unless it records several cases itself through the
``tally`` fixture (``tally.run(name, check)`` per case, then ``tally.assert_all_handled()``).
A failing case is classified by what it raised: `Traceback`, `WrongResult`, `DataLost`, `Hang`
(or ``subprocess.TimeoutExpired``); a bare ``AssertionError`` counts as a wrong result and any
other exception as a traceback.

The counts travel to the controller in the reports' ``user_properties`` (pytest-xdist forwards
them), and `pytest_terminal_summary` prints the table. ``GANZOO_RELIABILITY_REPORT=PATH`` also
writes it as Markdown (benchmarks/results/reliability.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

OUTCOMES = ("handled", "traceback", "wrong result", "data lost", "hang")
_KEY = "reliability"


class Traceback(AssertionError):
    """A user-facing path printed a traceback or an 'unexpected ...' error."""


class WrongResult(AssertionError):
    """The command said it worked but its result is wrong."""


class DataLost(AssertionError):
    """A file that existed (a checkpoint, an output) is gone, truncated or overwritten."""


class Hang(AssertionError):
    """The case ran past its time bound."""


def classify(exc: BaseException) -> str:
    if isinstance(exc, (Hang, subprocess.TimeoutExpired)):
        return "hang"
    if isinstance(exc, DataLost):
        return "data lost"
    if isinstance(exc, Traceback):
        return "traceback"
    if isinstance(exc, AssertionError):
        return "wrong result"
    return "traceback"


def family_of(item) -> str:
    name = Path(str(item.fspath)).stem
    return name.removeprefix("test_").replace("_", " ")


class Tally:
    """Per-test case counter (the ``tally`` fixture)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.failures: list[str] = []

    def run(self, name: str, check) -> str:
        """Run one case; record and return its outcome (never raises for a failed case)."""
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - every failure is counted, then reported
            outcome = classify(exc)
            self.failures.append(f"{name}: {outcome}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}")
        else:
            outcome = "handled"
        self.counts[outcome] += 1
        return outcome

    def assert_all_handled(self) -> None:
        if self.failures:
            shown = "\n".join(self.failures[:20])
            raise AssertionError(f"{len(self.failures)} case(s) not handled:\n{shown}")


@pytest.fixture
def tally(request) -> Tally:
    counter = Tally()
    request.node._reliability_tally = counter
    return counter


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if item.get_closest_marker(_KEY) is None:
        return
    counter = getattr(item, "_reliability_tally", None)
    counts: dict[str, int] = {}
    if report.when == "call":
        if counter is not None and counter.counts:
            counts = dict(counter.counts)
            if report.failed and not counter.failures and call.excinfo is not None:
                counts[classify(call.excinfo.value)] = counts.get(
                    classify(call.excinfo.value), 0) + 1
        elif report.passed:
            counts = {"handled": 1}
        elif report.failed and call.excinfo is not None:
            counts = {classify(call.excinfo.value): 1}
    elif report.when == "setup" and report.failed:
        counts = {"traceback": 1}
    if counts:
        report.user_properties = [*report.user_properties,
                                  (_KEY, {"family": family_of(item), "counts": counts})]


_totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def pytest_runtest_logreport(report):
    for key, value in getattr(report, "user_properties", ()):
        if key == _KEY:
            for outcome, n in value["counts"].items():
                _totals[value["family"]][outcome] += n


def table() -> list[str]:
    header = ["family", "cases", *OUTCOMES]
    rows = []
    total = defaultdict(int)
    for family in sorted(_totals):
        counts = _totals[family]
        cases = sum(counts.values())
        total["cases"] += cases
        for o in OUTCOMES:
            total[o] += counts.get(o, 0)
        rows.append([family, str(cases), *(str(counts.get(o, 0)) for o in OUTCOMES)])
    rows.append(["total", str(total["cases"]), *(str(total[o]) for o in OUTCOMES)])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def pytest_terminal_summary(terminalreporter):
    if not _totals:
        return
    terminalreporter.section("reliability: cases per family")
    lines = table()
    for line in lines:
        terminalreporter.write_line(line)
    target = os.environ.get("GANZOO_RELIABILITY_REPORT")
    if target:
        command = " ".join(["python -m pytest", *sys.argv[1:]])
        Path(target).write_text(
            "# Reliability suite: last full run\n\n"
            "Each case ends as handled (the documented behaviour: done, or refused in one "
            "line), traceback, wrong result, data lost or hang (see "
            "tests/reliability/tally.py). What each family covers: README.md, section "
            "Reliability. A hypothesis test counts each generated example as a case.\n\n"
            + "\n".join(lines) + "\n\n"
            f"Command: `GANZOO_RELIABILITY_REPORT={target} {command}`\n")
