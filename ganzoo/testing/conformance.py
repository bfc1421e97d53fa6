"""Run the conformance checks: one variant at a time, or as parametrised pytest tests.

Like scikit-learn's ``check_estimator`` / ``parametrize_with_checks``: each check is a plain
function of the variant under test that raises `ConformanceError` naming the plugin, the check
and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .model_checks import (check_config_round_trip, check_device_move, check_inference_contract,
                           check_network_attributes, check_seeded_determinism)
from .persistence_checks import check_save_load_round_trip
from .registration_checks import check_registration
from .subject import ConformanceError, Subject
from .training_checks import check_training_step

#: Every check, cheapest first.
CHECKS: tuple[Callable[[Subject], None], ...] = (
    check_registration,
    check_config_round_trip,
    check_network_attributes,
    check_inference_contract,
    check_seeded_determinism,
    check_training_step,
    check_save_load_round_trip,
    check_device_move,
)


@dataclass(frozen=True)
class Check:
    """One conformance check, callable with a variant name (what pytest parametrises over)."""

    function: Callable[[Subject], None]

    @property
    def name(self) -> str:
        return self.function.__name__

    def __call__(self, variant: str) -> None:
        self.function(Subject.load(variant))

    def __repr__(self) -> str:
        return self.name


def all_checks() -> list[Check]:
    return [Check(function) for function in CHECKS]


def check_variant(name: str) -> None:
    """Run every check on installed variant ``name``; raise one error listing all failures."""
    subject = Subject.load(name)
    failures = []
    for function in CHECKS:
        try:
            function(subject)
        except ConformanceError as exc:
            failures.append(str(exc))
    if failures:
        raise ConformanceError(f"{len(failures)} conformance check(s) failed:\n"
                               + "\n".join(failures))


def parametrize_with_checks(variants: Iterable[str]):
    """A ``pytest.mark.parametrize`` over (variant, check) pairs, ids like ``mygan-check_...``.

    Use it in a plugin's tests::

        from ganzoo.testing import parametrize_with_checks

        @parametrize_with_checks(["mygan"])
        def test_conformance(variant, check):
            check(variant)
    """
    import pytest

    params = [pytest.param(variant, check, id=f"{variant}-{check.name}")
              for variant in variants for check in all_checks()]
    return pytest.mark.parametrize(("variant", "check"), params)
