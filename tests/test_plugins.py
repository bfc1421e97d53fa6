"""Plugin loading through real entry points: first-party plugins, broken plugins, conflicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata

import pytest
from fake_dist import make_distribution

from ganzoo.catalog import Registered
from ganzoo.errors import PluginError
from ganzoo.plugins import build_catalog

RAISES_ON_IMPORT = """
raise RuntimeError("this plugin is broken on purpose")
"""
RAISES_IN_HOOK = """
from ganzoo import hookimpl

@hookimpl
def register_variants(register):
    register("fine-before-crash", "ganzoo_hookcrash.model:Model", task="toy")
    raise ValueError("hook exploded")
"""
DUPLICATE = """
from ganzoo import hookimpl

@hookimpl
def register_variants(register):
    register("gan", "ganzoo_dupe.model:Model", task="toy", summary="a second 'gan'")
    register("dupe-only", "ganzoo_dupe.model:Model", task="toy", summary="unique name")
"""


def run_cli(*args: str, env_extra: dict | None = None, pythonpath: str | None = None):
    env = dict(os.environ)
    env.pop("GANZOO_LOAD_PLUGINS", None)
    env.pop("GANZOO_STRICT_PLUGINS", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def broken_plugins(tmp_path):
    root = tmp_path / "site"
    make_distribution(root, "ganzoo-importcrash", "ganzoo_importcrash", RAISES_ON_IMPORT)
    make_distribution(root, "ganzoo-hookcrash", "ganzoo_hookcrash", RAISES_IN_HOOK)
    make_distribution(root, "ganzoo-dupe", "ganzoo_dupe", DUPLICATE)
    return str(root)


def test_first_party_plugin_comes_from_its_installed_distribution():
    catalog = build_catalog()
    gan = catalog.get("variant", "gan")
    assert gan.plugin == "ganzoo-gan"
    assert gan.plugin_version == metadata.version("ganzoo-gan")
    assert catalog.get("variant", "dcgan").task == "unconditional"
    info = next(p for p in catalog.plugins if p.name == "ganzoo-gan")
    assert "register_variants" in info.hooks and not info.errors


def test_broken_plugins_are_reported_and_the_rest_keeps_working(broken_plugins):
    listing = run_cli("list", "--json", pythonpath=broken_plugins)
    assert listing.returncode == 0, listing.stderr
    names = {row["name"] for row in json.loads(listing.stdout)}
    assert {"dcgan", "wgan-gp", "dupe-only", "fine-before-crash"} <= names
    assert "gan" not in names  # claimed twice: unusable until one is uninstalled
    warning = [line for line in listing.stderr.splitlines() if line.strip()]
    assert len(warning) == 1 and warning[0].startswith("ganzoo: warning:"), listing.stderr

    plugins = run_cli("plugins", "--json", pythonpath=broken_plugins)
    assert plugins.returncode == 0
    by_name = {row["name"]: row for row in json.loads(plugins.stdout)}
    assert "this plugin is broken on purpose" in by_name["ganzoo-importcrash"]["errors"][0]
    assert "hook exploded" in by_name["ganzoo-hookcrash"]["errors"][0]
    conflict = by_name["ganzoo-dupe"]["errors"][0]
    assert "ganzoo-gan" in conflict and "ganzoo-dupe" in conflict
    assert any("ganzoo-dupe" in e for e in by_name["ganzoo-gan"]["errors"])

    info = run_cli("info", "gan", pythonpath=broken_plugins)
    assert info.returncode == 1
    assert "ganzoo-gan" in info.stderr and "ganzoo-dupe" in info.stderr
    assert "Traceback" not in info.stderr


def test_strict_mode_turns_plugin_failures_into_an_error(broken_plugins):
    result = run_cli("list", pythonpath=broken_plugins, env_extra={"GANZOO_STRICT_PLUGINS": "1"})
    assert result.returncode == 1
    assert "GANZOO_STRICT_PLUGINS" in result.stderr and "Traceback" not in result.stderr
    assert run_cli("plugins", "--strict", pythonpath=broken_plugins).returncode == 1
    assert run_cli("plugins", "--strict").returncode == 0


def test_load_plugins_selects_distributions(broken_plugins):
    def variants(result):
        return {r["name"] for r in json.loads(result.stdout) if r["kind"] == "variant"}

    none = run_cli("list", "--json", pythonpath=broken_plugins,
                   env_extra={"GANZOO_LOAD_PLUGINS": ""})
    assert none.returncode == 0 and variants(none) == set() and not none.stderr
    only = run_cli("list", "--json", pythonpath=broken_plugins,
                   env_extra={"GANZOO_LOAD_PLUGINS": "ganzoo-gan"})
    assert variants(only) == {"gan", "dcgan", "wgan-gp"}
    assert not only.stderr


def test_lazy_target_that_fails_to_import_names_the_plugin():
    item = Registered("variant", "x", "no_such_module_here:Model", "ganzoo-x", "1.2.3")
    with pytest.raises(PluginError, match="ganzoo-x 1.2.3.*reinstall"):
        item.load()


def test_registration_is_validated(tmp_path):
    bad = """
    from ganzoo import hookimpl

    @hookimpl
    def register_variants(register):
        register("eager", object, task="toy")
    """
    root = make_distribution(tmp_path / "s", "ganzoo-eager", "ganzoo_eager", bad)
    sys.path.insert(0, str(root))
    try:
        eps = [ep for ep in metadata.entry_points(group="ganzoo") if ep.name == "ganzoo_eager"]
        catalog = build_catalog(eps)
    finally:
        sys.path.remove(str(root))
    (info,) = [p for p in catalog.plugins if p.name == "ganzoo-eager"]
    assert "lazy import path" in info.errors[0]
