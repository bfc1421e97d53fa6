"""Shared pytest setup. Area-specific fixtures live in their own modules, listed here."""

import os

# Tests never touch the network: the Hub is a loopback server started by a fixture.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

pytest_plugins: list[str] = ["hub_server", "tiny_variant", "reliability.tally"]
