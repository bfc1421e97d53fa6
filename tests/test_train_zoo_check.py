"""tools/train_zoo.py: its recipes and ``--check`` (which card metrics a retrained model
reproduced), from the `ganzoo_benchmarks` code it runs on."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ganzoo_benchmarks.zoo_recipes import compare_metrics, read_recipe, recipes

ROOT = Path(__file__).resolve().parent.parent


def test_compare_metrics_names_only_what_changed():
    card = {"modes_captured": "25/25", "high_quality_percent": 92.56, "reverse_kl": 0.0143}
    assert compare_metrics(card, dict(card)) == []
    assert compare_metrics(card, {**card, "high_quality_percent": 92.6}) == []  # within 0.5 %
    lines = compare_metrics(card, {**card, "modes_captured": "24/25", "high_quality_percent": 90.0})
    assert lines == ["modes_captured: card 25/25, this run 24/25",
                     "high_quality_percent: card 92.56, this run 90.0"]
    assert compare_metrics(card, {"reverse_kl": 0.0143}) == [
        "modes_captured: card 25/25, this run None",
        "high_quality_percent: card 92.56, this run None"]


def test_every_shipped_model_has_a_recipe_and_card_metrics():
    found = recipes(ROOT)
    assert len(found) >= 8
    for name, path in found.items():
        assert (path.parent / "metrics.json").is_file(), name
        assert read_recipe(path)["name"] == name


def test_every_recipe_names_a_known_preparation_and_evaluation():
    from ganzoo_benchmarks.zoo_data import PREPARATIONS
    from ganzoo_benchmarks.zoo_scoring import EVALUATIONS

    for name, path in recipes(ROOT).items():
        recipe = read_recipe(path)
        assert recipe.get("prepare") in (None, *PREPARATIONS), name
        assert recipe["evaluate"] in EVALUATIONS, name


def test_unknown_preparation_and_evaluation_are_errors_naming_the_choices(tmp_path):
    from ganzoo_benchmarks.zoo_data import prepare_data
    from ganzoo_benchmarks.zoo_scoring import score

    with pytest.raises(ValueError, match="unknown data preparation 'sepia'; choose from grade"):
        prepare_data("sepia", tmp_path)
    with pytest.raises(ValueError, match="unknown evaluation 'fid'; choose from grade"):
        score({"evaluate": "fid"}, model=None)


def test_class_coverage_of_even_and_collapsed_samples():
    from ganzoo_benchmarks.zoo_scoring import class_coverage

    even = class_coverage(np.repeat(np.arange(10), 100))
    assert even == {"classes_covered": 10, "class_balance_entropy": pytest.approx(1.0)}
    collapsed = class_coverage(np.array([3] * 990 + [4] * 10))
    assert collapsed["classes_covered"] == 1  # class 4 holds 1 %, under the 2 % floor
    # Entropy of (0.99, 0.01) in nats over ln 10.
    expected = -(0.99 * np.log(0.99) + 0.01 * np.log(0.01)) / np.log(10)
    assert collapsed["class_balance_entropy"] == pytest.approx(expected)


def test_the_command_lists_every_recipe():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "train_zoo.py"), "--list"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(recipes(ROOT))


def test_photo_tiles_cut_output_and_truth_alike_and_score_a_perfect_output_zero():
    import torch

    from ganzoo_benchmarks.distribution_scores import tile_distribution_scores, tiles

    truth = torch.rand(3, 130, 200, generator=torch.Generator().manual_seed(0))
    cut = tiles(truth, 64)
    assert len(cut) == 2 * 3 and all(t.shape == (3, 64, 64) for t in cut)
    assert torch.equal(cut[4], truth[:, 64:128, 64:128])  # row by row, ragged edges dropped
    same = tile_distribution_scores([truth], [truth], "noise", size=64)
    assert same["fid_kid_n"] == 6 and same["fid_kid_reference"] == "64-px tiles of noise"
    assert abs(same["fid"]) < 0.01  # KID is unbiased, so at N=6 it scatters around 0
    flat = tile_distribution_scores([torch.full_like(truth, 0.5)], [truth], "noise", size=64)
    assert flat["fid"] > 100 and flat["kid"] > 10 * abs(same["kid"]), (same, flat)
    with pytest.raises(ValueError, match="differ in shape"):
        tile_distribution_scores([truth[:, :64]], [truth], "noise", size=64)
