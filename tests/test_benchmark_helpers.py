"""The speed and training helpers behind the benchmark commands (`ganzoo_benchmarks`): the plain
ResNet-9 reference, the timing helpers, the mode-collapse table, the digits subset."""

import json
import sys

import numpy as np
import pytest
import torch

from ganzoo_benchmarks import timing


def test_plain_resnet9_takes_ganzoos_weights_and_gives_its_output():
    """The speed benchmark's premise: the plain reference and ganzoo's generator are the same
    network, so loading ganzoo's weights strictly reproduces its fp32 output."""
    from ganzoo.building import build_model
    from ganzoo_benchmarks.plain_resnet9 import PlainResnet9

    torch.manual_seed(0)
    model = build_model("cyclegan", {"generators": "AtoB", "ngf": 4}).eval()
    plain = PlainResnet9(ngf=4).eval()
    plain.load_state_dict(model.generator_ab.state_dict())  # strict: same keys, same shapes
    image = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = ((plain(image * 2 - 1) + 1) / 2).clamp(0, 1)
    torch.testing.assert_close(model.translate(image, precision="fp32"), expected,
                               atol=1e-5, rtol=1e-5)


def test_centre_square_is_the_middle_of_the_photo_at_the_asked_size():
    from ganzoo_benchmarks.photos import bundled_photo, centre_square

    square = centre_square("chelsea", 32)  # 300 x 451: the middle 300 x 300
    assert square.shape == (32, 32, 3) and square.dtype == np.float32
    raw = bundled_photo("chelsea").astype(np.float32) / 255
    left = (raw.shape[1] - raw.shape[0]) // 2
    middle, outside = raw[:, left:left + raw.shape[0]], raw[:, :left]
    assert abs(square.mean() - middle.mean()) < 0.01 < abs(square.mean() - outside.mean())


def test_median_pair_alternates_which_function_goes_first():
    calls = []
    first, second = timing.median_pair(lambda: calls.append("a"), lambda: calls.append("b"), 4)
    assert calls == ["a", "b"] + ["a", "b", "b", "a"] * 2  # warm-up, then alternating
    assert first >= 0 and second >= 0


def test_interleaved_and_best_times_warm_up_once_then_run_round_robin():
    calls = []
    runs = {"x": lambda: calls.append("x"), "y": lambda: calls.append("y")}
    medians = timing.interleaved(runs, 3, torch.device("cpu"))
    assert calls == ["x", "y"] * 4 and set(medians) == {"x", "y"}
    calls.clear()
    best = timing.best_times(list(runs.values()), 2)
    assert calls == ["x", "y"] * 3 and len(best) == 2 and all(b >= 0 for b in best)


def test_median_seconds_times_a_process_and_fails_loudly_when_it_fails():
    assert timing.median_seconds([sys.executable, "-c", "pass"], 1) > 0
    import subprocess

    with pytest.raises(subprocess.CalledProcessError):
        timing.median_seconds([sys.executable, "-c", "raise SystemExit(3)"], 1)


def test_mode_collapse_table_summarises_seeds_and_adds_the_published_rows():
    from ganzoo_benchmarks.mode_collapse_runs import mean_std, table

    assert mean_std([24.0, 25.0, 25.0]) == "24.67 ± 0.58"
    assert mean_std([7.5]) == "7.50"
    assert mean_std([90.0, float("inf")]) == "inf"
    rows = [{"config": "best", "dataset": "ring8", "seed": seed, "modes": 8,
             "high_quality": hq, "reverse_kl": 0.01, "steps": 8000, "train_seconds": wall,
             "cpu_seconds": cpu} for seed, (hq, wall, cpu) in
            enumerate([(97.0, 80.0, 150.0), (98.0, 86.0, 160.0)])]
    lines = table(rows, ["ring8"], ["best", "gan"]).splitlines()
    assert lines[0].split()[:3] == ["data", "method", "modes"]
    ours = lines[1]  # "gan" has no runs: no row
    assert ours.startswith("ring8   ganzoo best")
    assert "8.00 ± 0.00" in ours and "97.50 ± 0.71" in ours
    # the worst run's wall and CPU time, then the seeds at full coverage
    assert ours.split()[-4:] == ["86.0", "160.0", "8000", "2/2"]
    assert [line.split(":")[0].split(maxsplit=1)[1] for line in lines[2:]] == [
        "PacGAN Table 1", "PacGAN Table 1"]  # ring8's published rows: GAN, PacGAN2
    assert "6.3" in lines[2] and "98.2" in lines[2]


def test_mode_collapse_seeds_parse_and_each_seed_gets_a_row_marked_tuned_or_unseen():
    from ganzoo_benchmarks.mode_collapse_runs import parse_seeds, seed_rows, table

    assert parse_seeds("3") == [0, 1, 2]
    assert parse_seeds("5-7") == [5, 6, 7]
    assert parse_seeds("0,3,10-11") == [0, 3, 10, 11]
    with pytest.raises(ValueError, match="0-9"):
        parse_seeds("a-b")
    rows = [{"config": "best", "dataset": "grid25", "seed": seed, "modes": modes,
             "high_quality": 95.0, "reverse_kl": 0.1, "steps": 9000, "train_seconds": 90.0,
             "cpu_seconds": 180.0} for seed, modes in [(7, 25), (2, 24)]]
    rows[0]["spread"] = 0.712  # a row from before the spread was measured has none
    lines = seed_rows(rows, tuned={2}).splitlines()
    assert [line.split()[2:5] for line in lines[1:]] == [["2", "tuned", "24"],
                                                         ["7", "unseen", "25"]]
    assert lines[0].split()[-3] == "spread"
    assert [line.split()[-2] for line in lines[1:]] == ["-", "0.71"]
    assert table(rows, ["grid25"], ["best"]).splitlines()[1].split()[-1] == "1/2"


def test_mode_collapse_smoke_steps_replace_a_configs_own_steps(tmp_path):
    """`--steps N` (smoke runs) must not clash with a configuration that spells out `steps`,
    and the spelled-out previous recipe must not inherit the current default's D feature."""
    from ganzoo_benchmarks.mode_collapse_runs import PREVIOUS, train_and_score

    assert "steps=9000" in PREVIOUS["grid25"] and "minibatch_std=false" in PREVIOUS["grid25"]
    row = train_and_score("previous", "grid25", 0, tmp_path, steps=3, settings=("threads=1",))
    assert row["steps"] == 3 and 0 <= row["modes"] <= 25
    config = json.loads((tmp_path / "previous-grid25-0" / "config.json").read_text())
    assert config["config"]["minibatch_std"] is False
    assert config["config"]["latent_components"] == 0 and config["config"]["latent_dim"] == 2


def test_digits_subset_serves_the_chosen_digits_on_both_paths():
    from ganzoo.data.digits import Digits
    from ganzoo_benchmarks.digits_training import DigitsSubset

    digits = Digits()
    chosen = [5, 17, 3, 1000]
    subset = DigitsSubset(digits, chosen)
    assert len(subset) == 4
    for position, index in enumerate(chosen):
        mine, theirs = subset[position], digits[index]
        assert all(torch.equal(torch.as_tensor(a), torch.as_tensor(b))
                   for a, b in zip(mine, theirs))
    batch, whole = subset.get_batch(torch.tensor([3, 0])), digits.get_batch(torch.tensor([1000, 5]))
    assert all(torch.equal(a, b) for a, b in zip(batch, whole))
