"""The VEEGAN/PacGAN mode-coverage metric on hand-built sample sets."""

import math

import pytest
import torch

from ganzoo.data.toy import grid25, ring8
from ganzoo.metrics.modes import mode_coverage


def test_real_data_scores_perfectly():
    data = grid25(points=2500, data_seed=1)
    result = mode_coverage(data.points, data.centres, data.std)
    assert result["modes"] == 25
    # Within 3 std in 2-D: P = 1 - exp(-4.5) = 98.89 %, the ceiling of "% high quality".
    assert result["high_quality"] == pytest.approx(100 * (1 - math.exp(-4.5)), abs=0.6)
    assert result["reverse_kl"] < 0.02
    # E[r² | r < 3 std] = (2 - 9e^-4.5 / (1 - e^-4.5)) std² in 2-D: a spread of 0.974.
    assert result["spread"] == pytest.approx(0.974, abs=0.03)


def test_collapsed_samples_capture_one_mode_with_log_k_reverse_kl():
    data = ring8()
    samples = data.centres[2].repeat(100, 1)
    result = mode_coverage(samples, data.centres, data.std)
    assert result["modes"] == 1 and result["high_quality"] == 100.0
    assert result["reverse_kl"] == pytest.approx(math.log(8))
    assert result["spread"] == 0.0  # every sample on its centre: no spread at all


def test_far_samples_are_low_quality_and_count_no_mode():
    data = ring8()
    near = data.centres[:4] + 0.02          # within 3 std = 0.03 of modes 0-3
    far = data.centres[4:] * 1.5            # 0.5 away from modes 4-7
    result = mode_coverage(torch.cat([near, far]), data.centres, data.std)
    assert result["modes"] == 4
    assert result["high_quality"] == pytest.approx(50.0)
    assert result["counts"] == [1, 1, 1, 1, 0, 0, 0, 0]
    assert result["reverse_kl"] == pytest.approx(math.log(2))
    # The far half is left out; the near half sits 0.02·√2 from centres whose data RMS is 0.01·√2.
    assert result["spread"] == pytest.approx(2.0)


def test_no_high_quality_sample_gives_infinite_kl():
    data = ring8()
    result = mode_coverage(torch.full((10, 2), 5.0), data.centres, data.std)
    assert result["reverse_kl"] == math.inf and math.isnan(result["spread"])
