"""Adversarial losses against hand-computed values, gradient signs, and the two penalties."""

import math

import pytest
import torch

from ganzoo.errors import GanzooError
from ganzoo.losses import adversarial_loss_names, get_loss, get_penalty
from ganzoo.losses.penalties import gradient_penalty, r1_penalty

REAL = torch.tensor([2.0, -1.0])
FAKE = torch.tensor([0.5, -3.0])


def softplus(t: float) -> float:
    return math.log1p(math.exp(t))


def mean(values):
    return sum(values) / len(values)


# Hand-computed from each loss's documented formula, element by element with `math`.
EXPECTED = {
    "minimax": (mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)]),
                -mean([softplus(0.5), softplus(-3.0)])),
    "non-saturating": (mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)]),
                       mean([softplus(-0.5), softplus(3.0)])),
    "wasserstein": (mean([0.5, -3.0]) - mean([2.0, -1.0]), -mean([0.5, -3.0])),
    "hinge": (mean([0.0, 2.0]) + mean([1.5, 0.0]), -mean([0.5, -3.0])),
    "least-squares": (0.5 * mean([1.0, 4.0]) + 0.5 * mean([0.25, 9.0]),
                      0.5 * mean([0.25, 16.0])),
}


def test_all_five_losses_are_registered():
    assert set(EXPECTED) <= set(adversarial_loss_names())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loss_matches_hand_computed_value(name):
    loss = get_loss(name)
    d_expected, g_expected = EXPECTED[name]
    assert loss.discriminator(REAL, FAKE).item() == pytest.approx(d_expected, rel=1e-6)
    assert loss.generator(FAKE).item() == pytest.approx(g_expected, rel=1e-6)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_generator_loss_decreases_as_fakes_look_real(name):
    # "Looking real" = a higher raw score; G's loss must go down (gradient negative).
    loss = get_loss(name)
    fake = torch.tensor([-0.5, 0.0, 0.2], requires_grad=True)
    loss.generator(fake).backward()
    assert (fake.grad < 0).all(), fake.grad
    assert loss.generator(torch.full((3,), 0.9)) < loss.generator(torch.full((3,), -0.9))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_discriminator_loss_pushes_real_up_and_fake_down(name):
    loss = get_loss(name)
    real = torch.tensor([0.3, -0.2], requires_grad=True)
    fake = torch.tensor([0.1, 0.4], requires_grad=True)  # > 0: LSGAN's fake target is 0
    loss.discriminator(real, fake).backward()
    assert (real.grad < 0).all() and (fake.grad > 0).all()


def test_losses_average_patch_maps():
    loss = get_loss("non-saturating")
    patch = torch.zeros(2, 1, 3, 3)
    assert loss.generator(patch).item() == pytest.approx(math.log(2.0))


def test_saturating_minimax_gradient_vanishes_when_d_rejects_fakes():
    # The seeds' reason for eq. 1.4: with D(G(z)) ≈ 0 the minimax gradient is tiny.
    confident = torch.tensor([-8.0], requires_grad=True)
    get_loss("minimax").generator(confident).backward()
    saturating = confident.grad.abs().item()
    confident.grad = None
    get_loss("non-saturating").generator(confident).backward()
    assert saturating < 1e-3 < confident.grad.abs().item()


def test_penalty_as_adversarial_loss_is_a_clear_error():
    with pytest.raises(GanzooError, match="regularizer"):
        get_loss("r1")
    assert get_penalty("none") is None
    assert get_penalty("r1") is r1_penalty


def test_r1_of_linear_discriminator_is_half_squared_weight_norm():
    w = torch.tensor([3.0, 4.0])
    real = torch.randn(5, 2)
    value = r1_penalty(lambda x: x @ w, real)
    assert value.item() == pytest.approx(0.5 * 25.0)


def test_gradient_penalty_of_linear_discriminator():
    w = torch.tensor([3.0, 4.0])  # ||∇D|| = 5 everywhere → (5 - 1)² = 16
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    assert gradient_penalty(lambda x: x @ w, real, fake).item() == pytest.approx(16.0, rel=1e-5)
    one = w / 5.0
    assert gradient_penalty(lambda x: x @ one, real, fake).item() == pytest.approx(0.0, abs=1e-6)


def test_penalties_train_the_discriminator():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    for penalty in (gradient_penalty, r1_penalty):
        net.zero_grad()
        penalty(net, real, fake).backward()
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters()
                   if p.dim() > 1)


def test_the_generator_loss_scores_real_samples_without_a_graph_and_g_gets_the_same_gradient():
    from torch import nn

    from ganzoo.losses import generator_loss

    torch.manual_seed(0)
    g = nn.Linear(2, 2)
    d = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
    z, x = torch.randn(16, 2), torch.randn(16, 2)
    loss = get_loss("relativistic-pairing")
    graphs = []

    def real_scores():
        scores = d(x).squeeze(1)
        graphs.append(scores.requires_grad)
        return scores

    ours = torch.autograd.grad(generator_loss(loss, d(g(z)).squeeze(1), real_scores),
                               list(g.parameters()))
    with_graph = loss.generator(d(g(z)).squeeze(1), real=d(x).squeeze(1))
    expected = torch.autograd.grad(with_graph, list(g.parameters()))
    assert graphs == [False]  # no backward through D on the real batch
    assert all(torch.equal(a, b) for a, b in zip(ours, expected))
