"""The relativistic pairing loss (RpGAN) and the R2 penalty against their formulas, and every
variant whose generator loss goes through `ganzoo.losses.generator_loss` passing real scores."""

import math

import pytest
import torch
from torch.utils.data import default_collate

from ganzoo.building import build_model, variant_class
from ganzoo.errors import GanzooError
from ganzoo.losses import adversarial_loss_names, generator_loss, get_loss, get_penalty
from ganzoo.losses.penalties import r2_penalty
from ganzoo.testing.example_inputs import example_item

REAL = torch.tensor([1.0, -2.0, 0.5])
FAKE = torch.tensor([0.0, 1.0, -1.0])


def softplus(t):
    return math.log1p(math.exp(t))


def test_relativistic_pairing_matches_its_formula():
    loss = get_loss("relativistic-pairing")
    assert "relativistic-pairing" in adversarial_loss_names()
    pairs = list(zip(REAL.tolist(), FAKE.tolist()))
    d_expected = sum(softplus(-(r - f)) for r, f in pairs) / 3
    g_expected = sum(softplus(-(f - r)) for r, f in pairs) / 3
    assert loss.discriminator(REAL, FAKE).item() == pytest.approx(d_expected, rel=1e-6)
    assert loss.generator(FAKE, real=REAL).item() == pytest.approx(g_expected, rel=1e-6)
    assert generator_loss(loss, FAKE, lambda: REAL).item() == pytest.approx(g_expected, rel=1e-6)
    with pytest.raises(GanzooError, match="passed no real scores"):
        loss.generator(FAKE)
    with pytest.raises(GanzooError, match="equal batch sizes"):
        loss.discriminator(REAL, FAKE[:2])


def test_other_losses_never_ask_for_real_scores():
    def forbidden():
        raise AssertionError("D was run on real samples for a loss that does not use them")

    for name in ("non-saturating", "hinge", "wasserstein", "least-squares", "minimax"):
        assert torch.isfinite(generator_loss(get_loss(name), FAKE, forbidden))


def test_r2_is_r1_on_fakes():
    w = torch.tensor([3.0, 4.0])
    assert get_penalty("r2") is r2_penalty
    fake = torch.randn(5, 2)
    assert r2_penalty(lambda x: x @ w, None, fake).item() == pytest.approx(0.5 * 25.0)
    # a quadratic critic: the penalty depends on where the fakes are, not the reals
    square = lambda x: (x ** 2).sum(1)  # noqa: E731  ∇ = 2x → ½ E[4 ||x||²]
    value = r2_penalty(square, torch.zeros(5, 2), fake)
    assert value.item() == pytest.approx(2 * fake.pow(2).sum(1).mean().item(), rel=1e-5)


def test_r1_plus_r2_sums_both_and_trains_with_the_relativistic_loss():
    quadratic = lambda x: (x ** 2).sum(1)  # noqa: E731
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    r1_r2 = get_penalty("r1+r2")
    expected = get_penalty("r1")(quadratic, real) + r2_penalty(quadratic, real, fake)
    assert r1_r2(quadratic, real, fake).item() == pytest.approx(expected.item(), rel=1e-6)
    model = build_model("gan", {"hidden": 8, "layers": 1, "loss": "relativistic-pairing",
                                "penalty": "r1+r2", "penalty_weight": 0.1})
    batch = torch.randn(8, 2)
    out = model.discriminator_step(batch)
    assert "r1+r2" in out.logs and torch.isfinite(out.loss)
    assert torch.isfinite(model.generator_step(batch).loss)


#: variant → the Config key naming its adversarial loss
LOSS_KEY = {"gan": "loss", "dcgan": "loss", "wgan-gp": "loss", "cgan": "loss",
            "infogan": "loss", "srgan": "loss", "pix2pix": "gan_loss", "r3gan": "loss"}


@pytest.mark.parametrize("variant", sorted(LOSS_KEY))
def test_every_variant_passes_real_scores_to_a_relativistic_loss(variant):
    _, cls = variant_class(variant)
    values = {**getattr(cls, "test_config", {}), LOSS_KEY[variant]: "relativistic-pairing"}
    if variant == "wgan-gp":
        values["penalty"] = "none"
    torch.manual_seed(0)
    model = build_model(variant, values)
    generator = torch.Generator().manual_seed(0)
    batch = default_collate([example_item(model, i, generator) for i in range(4)])
    out = model.generator_step(batch)  # RpGAN's generator raises without real scores
    assert torch.isfinite(out.loss)
    out.loss.backward()
