"""examples/train_zoo.py --check: which card metrics a retrained model reproduced."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("train_zoo", ROOT / "examples" / "train_zoo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_metrics_names_only_what_changed():
    compare = load_script().compare_metrics
    card = {"modes_captured": "25/25", "high_quality_percent": 92.56, "reverse_kl": 0.0143}
    assert compare(card, dict(card)) == []
    assert compare(card, {**card, "high_quality_percent": 92.6}) == []  # within 0.5 %
    lines = compare(card, {**card, "modes_captured": "24/25", "high_quality_percent": 90.0})
    assert lines == ["modes_captured: card 25/25, this run 24/25",
                     "high_quality_percent: card 92.56, this run 90.0"]
    assert compare(card, {"reverse_kl": 0.0143}) == [
        "modes_captured: card 25/25, this run None",
        "high_quality_percent: card 92.56, this run None"]


def test_every_shipped_model_has_a_recipe_and_card_metrics():
    script = load_script()
    found = script.recipes()
    assert len(found) >= 8
    for name, path in found.items():
        assert (path.parent / "metrics.json").is_file(), name
        assert script.read_recipe(path)["name"] == name
