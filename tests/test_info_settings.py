"""`ganzoo info NAME --settings`: every `--set` key with its default, note and the recipes."""

from __future__ import annotations

import dataclasses
import json

from click.testing import CliRunner

from ganzoo.cli import _add_core_commands, cli
from ganzoo.settings_doc import describe_settings

_add_core_commands()


@dataclasses.dataclass
class ExampleConfig:
    """An example.

    Args:
        documented: told in the docstring,
            over two lines.
    """

    width: int = 64              # channels of the first layer
    documented: float = 0.5
    sizes: list = dataclasses.field(default_factory=lambda: [1, 2])  # a factory default
    plain: str = "x"
    label: str = "# not a comment"  # the real note


def test_settings_come_with_defaults_and_their_authors_notes():
    rows = {row["name"]: row for row in describe_settings(ExampleConfig)}
    assert list(rows) == ["width", "documented", "sizes", "plain", "label"]
    assert rows["width"] == {"name": "width", "default": 64, "note": "channels of the first layer"}
    assert rows["documented"]["note"] == "told in the docstring, over two lines."
    assert rows["sizes"]["default"] == [1, 2] and rows["sizes"]["note"] == "a factory default"
    assert rows["plain"]["note"] == ""
    assert rows["label"] == {"name": "label", "default": "# not a comment",
                             "note": "the real note"}


def test_info_settings_lists_a_variants_keys_notes_and_recipes():
    result = CliRunner().invoke(cli, ["info", "--variant", "infogan", "--settings"])
    assert result.exit_code == 0, result.output
    line = next(text for text in result.output.splitlines()
                if text.strip().startswith("augment_thickness"))
    assert "= null" in line and "# stroke change of the views (paper 0; option 0.2)" in line
    assert "  betas = [0.5, 0.999]" in result.output          # as --set reads it (YAML)
    assert "training settings (--set KEY=VALUE):" in result.output
    assert "  digits: steps=3000" in result.output      # the recipe
    # Without --settings nothing is listed (and, as tested elsewhere, torch is not imported).
    plain = CliRunner().invoke(cli, ["info", "--variant", "infogan"])
    assert "augment_thickness" not in plain.output


def test_info_settings_json_for_a_model_uses_its_variant():
    result = CliRunner().invoke(cli, ["info", "cyclegan", "--settings", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "model" and data["variant"] == "cyclegan"
    names = [row["name"] for row in data["settings"]]
    assert "lambda_cycle" in names and "netG" in names
    assert {row["name"] for row in data["training_settings"]} >= {"steps", "threads"}
    assert data["recipes"]["unpaired"]["steps"] == 4000
