"""Adaptive augmentation strength (``--set ada_target=...``, ADA): the controller moves ``p`` as
the paper says, the transforms apply with probability ``p`` without changing the random stream,
a real run raises ``p`` when D calls its few images real, and it is refused where it cannot
work. (Resume with it is bit for bit: tests/test_resume_every_data_kind.py, ``digits-ada``.)"""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner

from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError
from ganzoo.losses import get_loss
from ganzoo.settings_doc import describe_settings
from ganzoo.train import TrainConfig
from ganzoo.train.adaptive_augment import INTERVAL, AdaptiveStrength
from ganzoo.train.diff_augment import diff_augment

_add_core_commands()


def verdicts(real_share: float, n: int = 100) -> torch.Tensor:
    """``n`` verdicts of which ``real_share`` say "real"."""
    return torch.arange(n) < round(real_share * n)


def run_interval(strength: AdaptiveStrength, real_share: float, first_step: int) -> None:
    for step in range(first_step, first_step + INTERVAL):
        strength.observe(verdicts(real_share))
        strength.end_iteration(step)


def test_step_size_lets_p_cross_0_to_1_in_ada_kimg_thousand_images():
    strength = AdaptiveStrength(target=0.6, kimg=500, batch_size=64)
    assert strength.step_size == pytest.approx(64 * INTERVAL / 500_000)
    assert AdaptiveStrength(0.6, 500, 64, world=4).step_size == pytest.approx(
        4 * strength.step_size)  # every process's images count


def test_p_rises_while_d_calls_more_reals_real_than_the_target_falls_otherwise_within_0_1():
    strength = AdaptiveStrength(target=0.6, kimg=0.1, batch_size=10)  # 0.4 per adjustment
    # r_t = 2 · share - 1: 90 % called real is r_t = 0.8 > 0.6.
    run_interval(strength, 0.9, 1)
    assert strength.p == pytest.approx(0.4)
    run_interval(strength, 0.9, 5)
    run_interval(strength, 0.9, 9)
    assert strength.p == 1.0  # clamped
    run_interval(strength, 0.7, 13)  # r_t = 0.4 < 0.6
    assert strength.p == pytest.approx(0.6)
    run_interval(strength, 0.8, 17)  # r_t = 0.6: on target, p stays
    assert strength.p == pytest.approx(0.6)
    for first in range(21, 41, INTERVAL):
        run_interval(strength, 0.1, first)
    assert strength.p == 0.0


def test_p_moves_only_at_the_end_of_an_interval_from_all_its_verdicts():
    strength = AdaptiveStrength(target=0.6, kimg=0.1, batch_size=10)
    strength.observe(verdicts(1.0))
    strength.end_iteration(1)
    assert strength.p == 0.0 and strength.count == 100
    for step in (2, 3):  # three quarters of the interval call nothing real: r_t = -0.5
        strength.observe(verdicts(0.0))
        strength.end_iteration(step)
    strength.observe(verdicts(1.0))
    state = strength.state_dict()
    restored = AdaptiveStrength(target=0.6, kimg=0.1, batch_size=10)
    restored.load_state_dict(json.loads(json.dumps(state)))  # as a checkpoint header keeps it
    for s in (strength, restored):
        s.end_iteration(4)
    assert strength.p == restored.p == 0.0 and strength.count == restored.count == 0


def test_losses_say_which_scores_call_a_sample_real():
    scores = torch.tensor([-1.0, 0.2, 0.7])
    assert get_loss("non-saturating").judged_real(scores).tolist() == [False, True, True]
    assert get_loss("hinge").judged_real(scores).tolist() == [False, True, True]
    assert get_loss("least-squares").judged_real(scores).tolist() == [False, False, True]
    assert get_loss("wasserstein").judged_real(scores) is None
    assert get_loss("relativistic-pairing").judged_real(scores) is None


def test_probability_0_leaves_images_alone_and_1_augments_every_one_same_stream_either_way():
    x = torch.rand(32, 3, 8, 8) * 2 - 1
    after = {}
    for p in (0.0, 0.5, 1.0):
        torch.manual_seed(3)
        out = diff_augment(x, "color,translation,cutout", probability=p)
        after[p] = (out, torch.rand(4))
    assert torch.equal(after[0.0][0], x)
    assert not torch.isclose(after[1.0][0], x).flatten(1).all(1).any()  # every image changed
    changed = (~torch.isclose(after[0.5][0], x).flatten(1).all(1)).sum()
    assert 8 < changed < 32
    # The next draws are the same: a run's stream does not depend on p.
    assert torch.equal(after[0.0][1], after[0.5][1]) and torch.equal(after[0.0][1], after[1.0][1])


def test_probability_keeps_the_gradient_of_augmented_images():
    x = (torch.rand(16, 1, 8, 8) * 2 - 1).requires_grad_(True)
    diff_augment(x, "color", probability=0.5).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def train(*args):
    return CliRunner().invoke(cli, ["train", *args, "--set", "threads=1",
                                    "--set", "sample_every=0"])


def test_a_real_run_raises_p_when_d_calls_its_images_real_and_logs_it(tmp_path):
    out = tmp_path / "ada"
    result = train("dcgan", "--data", "digits", "--steps", "40", "--set", "ngf=8", "--set",
                   "ndf=8", "--batch-size", "16", "--set", "diffaugment=color,translation,cutout",
                   "--set", "ada_target=0.6", "--set", "ada_kimg=0.5", "--set", "log_every=4",
                   "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    p = [row["ada_p"] for row in rows]
    assert len(p) == 10 and p[0] == 0.0  # starts off; the first move comes after 4 iterations
    assert max(p) > 0.2 and all(0.0 <= v <= 1.0 for v in p)


@pytest.mark.parametrize("variant, extra", [
    ("infogan", []),
    ("cgan", []),
    ("r3gan", ["--set", "loss=non-saturating", "--set", "width=16", "--set", "min_width=16",
               "--set", "group_size=8"]),
    ("gan", ["--set", "hidden=32"]),  # the MLP GAN on flattened digits
])
def test_the_image_variants_report_their_verdicts(tmp_path, variant, extra):
    out = tmp_path / variant
    result = train(variant, "--data", "digits", "--steps", "8", "--batch-size", "8", *extra,
                   "--set", "diffaugment=color,cutout", "--set", "ada_target=0.6",
                   "--set", "ada_kimg=0.05", "--set", "log_every=4", "--out", str(out))
    assert result.exit_code == 0, result.output  # refused after one iteration otherwise
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in rows] == [4, 8] and "ada_p" in rows[-1]


def test_settings_list_documents_ada():
    rows = {row["name"]: row for row in describe_settings(TrainConfig)}
    assert rows["ada_target"]["default"] == 0.0 and rows["ada_kimg"]["default"] == 500.0
    assert "0.6" in rows["ada_target"]["note"]


@pytest.mark.parametrize("args, message", [
    (["dcgan", "--data", "digits", "--set", "ada_target=0.6"],
     "no transform is chosen; add --set diffaugment="),
    (["dcgan", "--data", "digits", "--set", "diffaugment=color", "--set", "ada_target=1.5"],
     "ada_target must be between 0 and 1"),
    (["dcgan", "--data", "digits", "--set", "diffaugment=color", "--set", "ada_target=0.6",
      "--set", "ada_kimg=0"], "ada_kimg must be positive"),
    # WGAN-GP's critic scores have no real/fake threshold: nothing to adapt to.
    (["wgan-gp", "--data", "digits", "--set", "diffaugment=color", "--set", "ada_target=0.6"],
     "reports none"),
])
def test_unusable_settings_are_refused_in_one_line_and_leave_no_folder(tmp_path, args, message):
    out = tmp_path / "run"
    result = train(*args, "--steps", "2", "--batch-size", "8", "--out", str(out))
    assert result.exit_code != 0
    assert "\n" not in result.output.strip() and message in result.output, result.output
    assert not out.exists()


def test_the_controller_refuses_a_target_outside_0_1():
    with pytest.raises(GanzooError, match="between 0 and 1"):
        AdaptiveStrength(target=0.0, kimg=500, batch_size=8)


def test_scores_passed_as_verdicts_are_refused_naming_the_fix():
    strength = AdaptiveStrength(target=0.6, kimg=500, batch_size=8)
    with pytest.raises(GanzooError, match=r"must hold bools.*loss.judged_real\(real_scores\)"):
        strength.observe(torch.randn(8))
