"""The core CLI: list/info/plugins output, --help everywhere, one-line errors, no torch import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ganzoo import __version__
from ganzoo.cli import _add_core_commands, cli
from ganzoo.cli.listing import format_table

_add_core_commands()


def ganzoo(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_list_json_has_first_party_variants():
    result = ganzoo("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["gan"] == {
        "name": "gan", "kind": "variant", "task": "toy", "plugin": "ganzoo-gan",
        "plugin_version": "0.1.0", "weights": None, "summary": rows["gan"]["summary"],
    }
    assert rows["dcgan"]["plugin"] == "ganzoo-gan"


def test_list_pattern_filters_with_fnmatch():
    result = ganzoo("list", "dc*", "--json")
    # The zoo's dcgan-digits model (alias dcgan) matches too; the variants are the point here.
    assert [r["name"] for r in json.loads(result.stdout) if r["kind"] == "variant"] == ["dcgan"]
    empty = ganzoo("list", "zzz*")
    assert empty.returncode == 0 and "nothing matches" in empty.stdout


def test_table_format_is_stable():
    rows = [
        {"name": "gan", "kind": "variant", "task": "toy", "plugin": "ganzoo-gan",
         "plugin_version": "0.1.0", "weights": None, "summary": "Vanilla GAN"},
        {"name": "cyclegan-style", "kind": "model", "task": "image-to-image",
         "plugin": "ganzoo-cyclegan", "plugin_version": None, "installed": False,
         "aliases": ["cyclegan"], "weights": "shipped", "size": 5_700_000, "summary": "Style"},
    ]
    assert format_table(rows).splitlines() == [
        "NAME                       KIND     TASK            PLUGIN                           "
        "WEIGHTS         SUMMARY",
        "gan                        variant  toy             ganzoo-gan 0.1.0                 "
        "-               Vanilla GAN",
        "cyclegan-style (cyclegan)  model    image-to-image  ganzoo-cyclegan (not installed)  "
        "shipped 5.7 MB  Style",
    ]


def test_info_and_plugins_json():
    # gan: a variant name that no pretrained model takes as an alias (dcgan now is one).
    info = json.loads(ganzoo("info", "gan", "--json").stdout)
    assert info["kind"] == "variant" and info["target"] == "ganzoo_gan.vanilla:VanillaGAN"
    # dcgan: the shipped model's alias wins; --variant reaches the variant.
    model = json.loads(ganzoo("info", "dcgan", "--json").stdout)
    assert model["kind"] == "model" and "ganzoo info --variant dcgan" in model["note"]
    variant = json.loads(ganzoo("info", "--variant", "dcgan", "--json").stdout)
    assert variant["kind"] == "variant" and "dcgan-digits" in variant["pretrained"]
    assert json.loads(ganzoo("info", "dcgan-digits", "--json").stdout)["note"] is None
    plugins = {p["name"]: p for p in json.loads(ganzoo("plugins", "--json").stdout)}
    assert plugins["ganzoo-gan"]["errors"] == []
    assert "variant:gan" in plugins["ganzoo-gan"]["provides"]


def test_version():
    assert ganzoo("--version").stdout.strip() == f"ganzoo, version {__version__}"


def test_every_command_has_help():
    runner = CliRunner()
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert command.help and len(command.help.split()) > 3, f"{name} needs a real --help"


@pytest.mark.parametrize("args, words", [
    (("info", "no-such-model"), "no variant or pretrained model named 'no-such-model'"),
    (("list", "--no-such-flag"), "No such option"),
    (("frobnicate",), "No such command"),
])
def test_bad_input_is_one_line_and_nonzero(args, words):
    result = ganzoo(*args)
    assert result.returncode != 0
    assert words in result.stderr and "Traceback" not in result.stderr


NO_TORCH = """
import sys
from ganzoo.cli import main
sys.argv = ["ganzoo", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("TORCH-IMPORTED" if "torch" in sys.modules else "NO-TORCH", file=sys.stderr)
"""


# `ganzoo info NAME` is not here: it imports the variant's class to show what it declares
# (conditioning keys, data kinds).
@pytest.mark.parametrize("args", [("list",), ("list", "--json"), ("plugins",), ("--help",)])
def test_listing_paths_do_not_import_torch(args):
    result = subprocess.run([sys.executable, "-c", NO_TORCH, *args], capture_output=True,
                            text=True, timeout=120)
    assert result.stderr.strip().endswith("NO-TORCH"), result.stderr


def test_subcommand_help_does_not_import_torch():
    names = list(cli.commands)
    for name in names:
        result = subprocess.run([sys.executable, "-c", NO_TORCH, name, "--help"],
                                capture_output=True, text=True, timeout=120)
        assert result.stderr.strip().endswith("NO-TORCH"), (name, result.stderr)


def test_python_api_lists_without_torch():
    code = ("import sys, ganzoo; print(ganzoo.list_models('*gan*')); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120).stdout.splitlines()
    assert "'dcgan'" in out[0] and out[1] == "False"
