"""Every installed first-party variant passes the conformance kit a third-party plugin runs.

Parametrised over the variants of the distributions in this repository's ``plugins/`` folder
that are installed (``make install`` installs all of them), so a new first-party plugin is
covered without editing this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzoo.plugins import get_catalog
from ganzoo.testing import parametrize_with_checks

pytestmark = pytest.mark.slow  # ~8 checks x every first-party variant: over a minute on one core

PLUGINS_DIR = Path(__file__).resolve().parents[1] / "plugins"
FIRST_PARTY = {p.name for p in PLUGINS_DIR.glob("ganzoo-*") if (p / "pyproject.toml").is_file()}
VARIANTS = [r.name for r in get_catalog().find("variant") if r.plugin in FIRST_PARTY]


def test_first_party_variants_are_installed():
    assert VARIANTS, f"no first-party variant installed; run `make install` ({PLUGINS_DIR})"


@parametrize_with_checks(VARIANTS)
def test_conformance(variant, check):
    check(variant)
