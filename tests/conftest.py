"""Shared pytest setup. Area-specific fixtures live in their own modules, listed here."""

import atexit
import os
import shutil
import tempfile

# Tests never touch the network: the Hub is a loopback server started by a fixture.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
# Converted FID weights and reference features go to a per-process folder, never ~/.cache.
if "GANZOO_CACHE" not in os.environ:
    os.environ["GANZOO_CACHE"] = tempfile.mkdtemp(prefix="ganzoo-test-cache-")
    atexit.register(shutil.rmtree, os.environ["GANZOO_CACHE"], ignore_errors=True)

pytest_plugins: list[str] = ["hub_server", "tiny_variant", "tiny_extractor", "reliability.tally"]
