"""Model cards built with huggingface_hub's ModelCard/ModelCardData: they parse back with the
Hub library (metadata errors not ignored), carry the plugin's license, the conditioning keys
and how to pass them, metrics as ``model-index`` results, and sections a plugin adds;
``publish --dry-run`` shows the card and ``--license`` changes only its license."""

from __future__ import annotations

from click.testing import CliRunner
from huggingface_hub import ModelCard

import ganzoo
from ganzoo.cli import _add_core_commands, cli
from ganzoo.layout import save_pretrained
from ganzoo.model_card import plugin_license

from fake_dist import make_distribution

_add_core_commands()


def card_of(folder) -> ModelCard:
    # ignore_metadata_errors=False: a malformed model-index or front matter raises here.
    return ModelCard((folder / "README.md").read_text(), ignore_metadata_errors=False)


def test_card_parses_with_the_hub_library_and_holds_license_conditioning_metrics(tmp_path):
    model = ganzoo.load("cgan")
    folder = save_pretrained(model, tmp_path / "cgan", card={
        "datasets": "digits", "metrics": {"GAN-test": 0.988, "CAS": 0.951, "note": "text"}})
    card = card_of(folder)
    assert card.data.library_name == "ganzoo" and card.data.license == "apache-2.0"
    assert card.data.datasets == ["digits"] and "cgan" in card.data.tags
    results = {r.metric_name: r for r in card.data.eval_results}
    assert set(results) == {"GAN-test", "CAS"}  # numbers only; the text stays in the table
    assert results["CAS"].metric_value == 0.951 and results["CAS"].dataset_name == "digits"
    assert results["CAS"].task_type == card.data.pipeline_tag
    assert "model-index" in card.content
    assert "## Conditioning" in card.text and "--cond label=0" in card.text
    assert "`label (int-or-name)`" in card.text and "| note | text |" in card.text


def test_license_comes_from_the_plugin_distribution(tmp_path, monkeypatch):
    root = make_distribution(tmp_path / "site", "ganzoo-mitgan", "ganzoo_mitgan", "")
    metadata = next(root.glob("*.dist-info")) / "METADATA"
    metadata.write_text(metadata.read_text() + "License-Expression: MIT\n")
    monkeypatch.syspath_prepend(str(root))
    assert plugin_license("ganzoo-mitgan") == "mit"
    assert plugin_license("ganzoo-cyclegan") == "apache-2.0"
    assert plugin_license("ganzoo-not-installed") is None


def test_a_plugin_adds_a_section_to_its_models_cards(tmp_path):
    folder = save_pretrained(ganzoo.load("srresnet"), tmp_path / "sr")
    card = card_of(folder)
    assert "## Input" in card.text and "bicubic x4 downscale" in card.text
    assert "## Conditioning" not in card.text  # SRResNet declares no keys
    assert card.data.eval_results is None  # no metrics, no model-index


def test_publish_dry_run_shows_the_card_and_license_overrides_only_the_license(tmp_path):
    folder = save_pretrained(ganzoo.load("cgan"), tmp_path / "m", card={"datasets": "digits"})
    before = (folder / "README.md").read_text()
    result = CliRunner().invoke(cli, ["publish", str(folder), "--repo", "me/cgan", "--dry-run",
                                      "--license", "mit"])
    assert result.exit_code == 0, result.output
    shown = result.output.split("--- README.md (the model card, as it would be uploaded) ---\n")[1]
    shown = shown.split("--- end of README.md ---")[0]
    shown_card = ModelCard(shown, ignore_metadata_errors=False)
    assert shown_card.data.license == "mit"
    assert shown_card.text.strip() == card_of(folder).text.strip()  # the body is kept
    assert "license: mit" in result.output.split("registry entry")[1]
    assert (folder / "README.md").read_text() == before  # a dry run writes nothing
    bad = CliRunner().invoke(cli, ["publish", str(folder), "--repo", "me/cgan", "--dry-run",
                                   "--license", "My License"])
    assert bad.exit_code != 0 and "Hub license id" in bad.output
