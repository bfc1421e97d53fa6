"""The ``infogan`` plugin: codes, the MI bound, the sampling API and its errors, traversal,
save/load, real training through the one Trainer."""

import json
import math

import numpy as np
import pytest
import torch

import ganzoo
from ganzoo.building import build_model
from ganzoo.errors import GanzooError


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model("infogan").eval()


def test_registered_lazily():
    from ganzoo.plugins import get_catalog

    registered = get_catalog().get("variant", "infogan")
    assert registered.plugin == "ganzoo-infogan"
    assert registered.target == "ganzoo_infogan.variant:InfoGAN"


@pytest.mark.parametrize("size,channels", [(8, 1), (16, 3)])
def test_shapes_generator_head_and_q(size, channels):
    m = build_model("infogan", {"image_size": size, "channels": channels, "num_categories": 5,
                                "num_continuous": 3}).eval()  # eval: no power iteration
    x = m.sample(4, seed=0)
    assert x.shape == (4, channels, size, size) and 0 <= x.min() and x.max() <= 1
    score, (logits, mean, log_std) = m.discriminator.both(x * 2 - 1)
    assert score.shape == (4,) and logits.shape == (4, 5)
    assert mean.shape == log_std.shape == (4, 3)
    assert torch.equal(score, m.discriminator(x * 2 - 1))


def test_mutual_information_terms_match_their_formulas():
    from ganzoo_infogan.codes import Codes, mutual_information_loss

    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    codes = Codes(torch.tensor([0, 2]), torch.tensor([[0.5], [-1.0]]))
    mean, log_std = torch.tensor([[0.0], [-1.0]]), torch.tensor([[0.0], [math.log(2.0)]])
    categorical, continuous = mutual_information_loss(logits, mean, log_std, codes)
    expected_ce = -(torch.log_softmax(logits, 1)[0, 0] + torch.log_softmax(logits, 1)[1, 2]) / 2
    nll = [0.5 * math.log(2 * math.pi) + 0.5 * 0.25,              # N(0.5 | 0, 1)
           0.5 * math.log(2 * math.pi) + math.log(2.0) + 0.0]   # N(-1 | -1, 2)
    assert categorical.item() == pytest.approx(expected_ce.item())
    assert continuous.item() == pytest.approx(sum(nll) / 2)


def test_sample_codes_control_the_output(model):
    a = model.sample(6, seed=1, category=2, continuous=[0.5, -0.5])
    assert torch.equal(a, model.sample(6, seed=1, category=2, continuous="0.5,-0.5"))
    assert torch.equal(a, model.sample(6, seed=1, category=[2] * 6,
                                       continuous=np.array([[0.5, -0.5]] * 6)))
    assert not torch.allclose(a, model.sample(6, seed=1, category=3, continuous=[0.5, -0.5]))
    assert not torch.allclose(a, model.sample(6, seed=1, category=2, continuous=[1.5, -0.5]))
    assert not torch.equal(model.sample(6, seed=1), model.sample(6, seed=2))


@pytest.mark.parametrize("kwargs,message", [
    ({"category": 10}, "out of range: this model has categories 0-9"),
    ({"category": -1}, "out of range"),
    ({"category": [1, 2]}, "2 categories for 4 samples"),
    ({"category": 1.5}, "must be an integer"),
    ({"continuous": [0.1]}, "2 continuous code\\(s\\), got a vector of length 1"),
    ({"continuous": [0.1, 0.2, 0.3]}, "got a vector of length 3"),
    ({"continuous": "a,b"}, "comma-separated numbers"),
    ({"continuous": [float("nan"), 0.0]}, "finite"),
])
def test_bad_codes_are_one_line_errors(model, kwargs, message):
    with pytest.raises(GanzooError, match=message) as info:
        model.sample(4, seed=0, **kwargs)
    assert "\n" not in str(info.value)


def test_traversal_grid_rows_are_categories_columns_sweep_a_code(model):
    grid = model.sample_grid(5, seed=0, code=1)
    assert grid.shape == (50, 1, 8, 8)
    z = torch.randn(1, model.config.latent_dim, generator=torch.Generator().manual_seed(0))
    sweep = torch.linspace(-2, 2, 5)
    for row, column in [(0, 0), (3, 4), (9, 2)]:
        one_hot = torch.nn.functional.one_hot(torch.tensor([row]), 10).float()
        codes = torch.tensor([[0.0, sweep[column].item()]])
        with torch.no_grad():
            expected = model.to_unit(model.generator(torch.cat([z, one_hot, codes], 1)))
        assert torch.allclose(grid[row * 5 + column], expected[0], atol=1e-6)
    with pytest.raises(GanzooError, match="continuous code 2 is out of range"):
        model.sample_grid(5, code=2)


def test_save_load_round_trip_describes_codes(tmp_path, model):
    from ganzoo.layout import save_pretrained

    save_pretrained(model, tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    conditioning = config["preprocessing"]["conditioning"]
    assert conditioning["category"]["num_categories"] == 10
    assert conditioning["continuous"]["num_continuous"] == 2
    loaded = ganzoo.load(str(tmp_path / "m"))
    assert torch.equal(loaded.sample(5, seed=3, category=4, continuous=[1, 0]),
                       model.sample(5, seed=3, category=4, continuous=[1, 0]))


@pytest.mark.slow
def test_q_head_learns_the_codes_through_the_trainer(tmp_path):
    """Real iterations on digits with the digits additions (``invariant_clustering``): Q
    (trained in D's step) recovers G's category far better than chance, the invariant
    clustering of real digits improves, and the end-of-training hook writes the traversal
    PNGs."""
    from ganzoo.data.digits import Digits
    from ganzoo.train import TrainConfig, Trainer

    torch.manual_seed(0)
    m = build_model("infogan", {"invariant_clustering": True})
    trainer = Trainer(m, Digits(), TrainConfig(steps=160, batch_size=32, device="cpu",
                                               threads=1, sample_every=0, checkpoint_every=0,
                                               log_every=10),
                      out_dir=tmp_path / "run")
    trainer.fit()
    first, last = trainer.history[0], trainer.history[-1]
    assert first["info_cat"] > 2.0  # chance level: ln 10 ≈ 2.3
    # Q reads the category from style-changed fakes (fake_augment), so it learns slower than
    # from clean ones: 2.30 → 1.34 nats in these 160 iterations.
    assert last["info_cat"] < 0.65 * first["info_cat"]
    # -ln 10 at the start (uniform predictions: balanced but uninformative); lower once the
    # views of a real digit agree on a confident category.
    assert last["real_invariance"] < first["real_invariance"] - 0.1
    from PIL import Image

    traversal = Image.open(tmp_path / "run" / "traversal.png")
    # 10 rows of 8×8 digits upscaled ×4, 2-pixel padding: (10 × 34 + 2) pixels high.
    assert traversal.size == (10 * 34 + 2, 10 * 34 + 2)
    assert (tmp_path / "run" / "traversal_code1.png").exists()
    loaded = ganzoo.load(str(tmp_path / "run"))
    assert loaded.sample(3, seed=0, category=1).shape == (3, 1, 8, 8)


def test_real_clustering_loss_prefers_confident_balanced_assignments():
    from ganzoo_infogan.codes import real_clustering_loss

    confident_balanced = torch.eye(4).repeat(2, 1) * 20   # 8 images, 4 categories used equally
    confident_collapsed = torch.zeros(8, 4)
    confident_collapsed[:, 0] = 20                        # everything in one category
    unsure = torch.zeros(8, 4)
    best = real_clustering_loss(confident_balanced)
    assert best.item() == pytest.approx(-math.log(4), abs=1e-4)
    assert real_clustering_loss(confident_collapsed).item() == pytest.approx(0.0, abs=1e-4)
    assert real_clustering_loss(unsure).item() == pytest.approx(0.0, abs=1e-4)


def test_invariant_clustering_loss_rewards_agreeing_balanced_views():
    from ganzoo_infogan.codes import invariant_clustering_loss

    agreeing = torch.eye(4).repeat(4, 1) * 30            # 16 images, 4 categories used equally
    best = invariant_clustering_loss(agreeing, agreeing)
    assert best.item() == pytest.approx(-math.log(4), abs=1e-4)
    # Views that disagree (category k ↔ k+1) share less information; collapsed or unsure
    # predictions share none.
    disagreeing = invariant_clustering_loss(agreeing, agreeing.roll(1, dims=1))
    assert disagreeing.item() > best.item() + 0.5
    collapsed = torch.zeros(16, 4)
    collapsed[:, 0] = 30
    assert invariant_clustering_loss(collapsed, collapsed).item() == pytest.approx(0, abs=1e-4)
    unsure = torch.zeros(16, 4)
    assert invariant_clustering_loss(unsure, unsure).item() == pytest.approx(0, abs=1e-4)
    # balance > 1 adds (balance - 1) · 2 H(marginal): 2 · 0.5 · ln 4 more for balanced views.
    assert invariant_clustering_loss(agreeing, agreeing, balance=1.5).item() == pytest.approx(
        -2 * math.log(4), abs=1e-4)


def test_invariant_clustering_loss_gradient_reaches_both_views():
    from ganzoo_infogan.codes import invariant_clustering_loss

    torch.manual_seed(0)
    a, b = torch.randn(8, 5, requires_grad=True), torch.randn(8, 5, requires_grad=True)
    invariant_clustering_loss(a, b).backward()
    assert a.grad.abs().sum() > 0 and b.grad.abs().sum() > 0


def test_style_augment_keeps_shape_range_and_background():
    from ganzoo_infogan.augment import random_affine, random_thickness, style_augment

    from ganzoo.data.digits import Digits

    torch.manual_seed(0)
    images = Digits().images[:32] * 2 - 1
    views = style_augment(images, thickness=0.5)
    assert views.shape == images.shape
    assert views.min() >= -1 and views.max() <= 1
    assert (views - images).abs().mean() > 0.05           # the views really differ
    blank = -torch.ones(4, 1, 8, 8)
    assert torch.allclose(style_augment(blank, thickness=0.5), blank)  # no ink from nowhere
    # With no rotation, shear, scale or shift the warp is the identity.
    still = random_affine(images, rotation=0, shear=0, scale=0, shift=0)
    assert torch.allclose(still, images, atol=1e-5)
    # Thickness blends lie between the erosion and the dilation of each image.
    thick = random_thickness(images, strength=1.0)
    dilated = torch.nn.functional.max_pool2d(images, 3, 1, 1)
    eroded = -torch.nn.functional.max_pool2d(-images, 3, 1, 1)
    assert (thick <= dilated + 1e-6).all() and (thick >= eroded - 1e-6).all()


def test_style_augment_thickness_is_its_own_strength():
    """``thickness=0`` leaves strokes alone (the view is the warp and contrast change only);
    a larger strength changes the same view."""
    from ganzoo_infogan.augment import (random_affine, random_contrast, random_thickness,
                                        style_augment)

    from ganzoo.data.digits import Digits

    images = Digits().images[:32] * 2 - 1
    torch.manual_seed(3)
    no_thickness = style_augment(images, thickness=0.0)
    torch.manual_seed(3)
    warped = random_affine(images)
    assert torch.equal(random_thickness(warped, 0.0), warped)  # draws its factors, changes nothing
    assert torch.equal(no_thickness, random_contrast(warped).clamp(-1, 1))
    torch.manual_seed(3)
    assert (style_augment(images, thickness=0.5) - no_thickness).abs().max() > 0.1


def test_augment_thickness_setting_reaches_both_style_views():
    """``augment_thickness`` is what the real views (invariance term) and the fake views (Q's
    category) are made with."""
    from ganzoo.data.digits import Digits

    batch = [Digits().images[:16], None]

    def logs(thickness):
        torch.manual_seed(1)
        m = build_model("infogan", {"invariant_clustering": True,
                                    "augment_thickness": thickness})
        torch.manual_seed(2)
        real = m.discriminator_step(batch).logs["real_invariance"]
        torch.manual_seed(2)
        return real, m.generator_step(batch).logs["info_cat"]

    assert logs(0.2) == logs(0.2)
    thin, default, thick = logs(0.0), logs(0.2), logs(0.5)
    assert thin[0] != thick[0] and thin[1] != thick[1]
    assert default[0] != thick[0] and default[1] != thick[1]   # the value, not just on/off


def test_discriminator_step_trains_q_on_augmented_real_views():
    """The invariance term is logged, reaches Q and the trunk, and switches off with weight 0;
    ``fake_augment`` changes which view of the fakes Q reads the category from."""
    from ganzoo.data.digits import Digits

    batch = [Digits().images[:16], None]
    torch.manual_seed(0)
    m = build_model("infogan", {"real_invariance_weight": 3.0})
    out = m.discriminator_step(batch)
    assert out.logs["real_invariance"] < 0                # an MI, negated
    out.loss.backward()
    assert m.discriminator.q_head[0].weight.grad.abs().sum() > 0
    # Only the invariance term, to show it alone reaches the shared trunk.
    m.discriminator.zero_grad()
    from ganzoo_infogan.augment import style_augment
    from ganzoo_infogan.codes import invariant_clustering_loss

    real = batch[0] * 2 - 1
    invariant_clustering_loss(m.discriminator.q(real)[0],
                              m.discriminator.q(style_augment(
                                  real, thickness=m.config.augment_thickness))[0]).backward()
    trunk_grad = sum(p.grad.abs().sum() for p in m.discriminator.trunk.parameters()
                     if p.grad is not None)
    assert trunk_grad > 0
    off = build_model("infogan", {"real_invariance_weight": 0.0})
    assert "real_invariance" not in off.discriminator_step(batch).logs

    def info_cat(fake_augment):
        torch.manual_seed(1)
        m = build_model("infogan", {"fake_augment": fake_augment})
        torch.manual_seed(2)
        return m.generator_step(batch).logs["info_cat"]

    assert info_cat(True) != info_cat(False)
    assert info_cat(True) == info_cat(True)


def test_digits_recipe_is_the_measured_one():
    """`ganzoo train infogan --data digits` resolves to the 3,000 iterations the benchmark
    measured (benchmarks/results/digits_conditional.txt), pins no thread count, and keeps the
    paper's objective (the additions are asked for by name); an explicit --steps still wins."""
    from ganzoo.cli.train import resolve_settings

    settings = resolve_settings("infogan", "digits", flags={}, sets={})
    assert settings["recipe"] == {"steps": 3000}
    explicit = resolve_settings("infogan", "digits", flags={"steps": 10}, sets={})
    assert explicit["explicit"]["steps"] == 10

