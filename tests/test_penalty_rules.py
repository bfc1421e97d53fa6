"""When gradient penalties are refused and how lazy regularization applies: fp16 (inner
gradients underflow), BatchNorm in the discriminator (per-sample gradient ill-defined), and
``penalty_every`` (StyleGAN2's lazy R1 with its weight correction, never WGAN-GP's penalty)."""

import pytest
import torch
from torch import nn

from ganzoo.building import build_model
from ganzoo.data.toy import grid25
from ganzoo.errors import GanzooError
from ganzoo.losses.penalties import gradient_penalty, r1_penalty
from ganzoo.train import TrainConfig, Trainer


def quick(**overrides):
    return TrainConfig(**{"steps": 1, "batch_size": 16, "device": "cpu", "sample_every": 0,
                          "checkpoint_every": 0, "preview_count": 4, "threads": 1,
                          "ema_decay": 0.0, **overrides})


@pytest.mark.parametrize("penalty", [r1_penalty, gradient_penalty])
def test_penalties_refuse_fp16_autocast_and_accept_bf16(penalty):
    critic = nn.Linear(3, 1)
    real, fake = torch.randn(4, 3), torch.randn(4, 3)
    with torch.autocast("cpu", dtype=torch.float16):
        with pytest.raises(GanzooError, match="precision=bf16 or fp32"):
            penalty(critic, real, fake)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.isfinite(penalty(critic, real, fake))


def test_penalty_on_a_batchnorm_discriminator_is_refused_with_the_fix():
    data = [torch.rand(1, 16, 16) for _ in range(32)]
    model = build_model("dcgan", {"image_size": 16, "ngf": 4, "ndf": 4, "penalty": "r1",
                                  "penalty_weight": 1.0})
    with pytest.raises(GanzooError, match="BatchNorm .*d_norm=layer"):
        Trainer(model, data, quick()).fit()
    for norm in ("layer", "none"):
        model = build_model("dcgan", {"image_size": 16, "ngf": 4, "ndf": 4, "penalty": "r1",
                                      "penalty_weight": 1.0, "d_norm": norm})
        assert not any(isinstance(m, nn.BatchNorm2d) for m in model.discriminator.modules())
        assert Trainer(model, data, quick()).fit()["steps"] == 1


def test_lazy_regularization_is_refused_for_the_wgan_gp_penalty():
    model = build_model("gan", {"hidden": 8, "layers": 1, "penalty": "gradient-penalty",
                                "penalty_weight": 1.0, "penalty_every": 4})
    with pytest.raises(GanzooError, match="penalty_every=4 .*r1/r2"):
        Trainer(model, grid25(points=256), quick()).fit()
    for every in (1, None):  # None, the default: every step for the gradient penalty
        model.config.penalty_every = every
        assert model._penalty_every() == 1
        assert Trainer(model, grid25(points=256), quick()).fit()["steps"] == 1
    r1 = build_model("gan", {"hidden": 8, "layers": 1, "penalty": "r1"})
    assert r1.config.penalty_every is None and r1._penalty_every() == 4  # lazy by default


def test_lazy_r1_runs_every_kth_step_with_k_times_the_weight():
    model = build_model("gan", {"hidden": 8, "layers": 1, "penalty": "r1",
                                "penalty_weight": 0.5, "penalty_every": 3})
    batch = grid25(points=64).points[:16]
    seen = []
    for _ in range(6):
        out = model.discriminator_step(batch)
        seen.append("r1" in out.logs)
        if "r1" in out.logs:  # StyleGAN2's correction: the weight times the interval
            assert out.loss.item() == pytest.approx(out.logs["d_loss"] + 0.5 * 3 * out.logs["r1"],
                                                    rel=1e-5)
    assert seen == [True, False, False, True, False, False]
