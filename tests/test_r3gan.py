"""The r3gan plugin: the paper's architecture choices hold in the built networks, it trains with
the core's relativistic pairing loss and R1 + R2, and it works end to end through the CLI
(train → sample → evaluate). The conformance kit runs on it in test_conformance_first_party.py."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from torch import nn

from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError
from ganzoo.losses.adversarial import RelativisticPairingLoss
from ganzoo.losses.penalties import r1_r2_penalty

_add_core_commands()


def tiny(**values):
    torch.manual_seed(0)
    return build_model("r3gan", {"latent_dim": 8, "width": 32, "min_width": 16,
                                 "group_size": 8, **values})


def test_registered_with_the_paper_and_the_core_loss_and_penalty():
    model = tiny()
    assert isinstance(model.adversarial, RelativisticPairingLoss)
    assert model.penalty is r1_r2_penalty
    assert model.config.betas == (0.0, 0.99)  # the paper's Adam


def test_networks_have_no_normalization_and_no_transposed_convolution():
    model = tiny(image_size=16, blocks_per_stage=2)
    for network in (model.generator, model.discriminator):
        kinds = {type(m) for m in network.modules()}
        assert not any(issubclass(k, (nn.modules.batchnorm._NormBase, nn.GroupNorm,
                                      nn.LayerNorm, nn.ConvTranspose2d)) for k in kinds)


def test_blocks_are_grouped_inverted_bottlenecks_that_start_as_the_identity():
    from ganzoo_r3gan.blocks import ResidualBlock

    model = tiny(image_size=16, blocks_per_stage=2)
    blocks = [m for m in model.discriminator.modules() if isinstance(m, ResidualBlock)]
    assert len(blocks) == 6  # 16, 8, 4 × 2 blocks
    for block in blocks:
        width = block.expand.in_channels
        assert block.expand.out_channels == 2 * width  # expansion 2: wider inside
        assert block.mix.groups == 2 * width // 8 and block.mix.kernel_size == (3, 3)
        assert block.project.weight.abs().sum() == 0  # fix-up: the branch adds nothing yet
        x = torch.randn(2, width, 4, 4)
        assert torch.equal(block(x), x)


def test_fixup_scales_inner_layers_by_blocks_to_the_minus_quarter():
    """He-initialized inner layers, scaled by L^(-1/(2m-2)) = L^(-1/4) for m = 3 layers."""
    from ganzoo_r3gan.blocks import SLOPE, ResidualBlock

    for blocks_per_stage in (1, 4):
        model = tiny(image_size=32, width=64, min_width=64, blocks_per_stage=blocks_per_stage)
        blocks = [m for m in model.generator.modules() if isinstance(m, ResidualBlock)]
        weights = torch.cat([b.expand.weight.flatten() for b in blocks])
        fan_in = blocks[0].expand.in_channels
        he = (2.0 / (1 + SLOPE ** 2) / fan_in) ** 0.5
        expected = he * len(blocks) ** -0.25
        assert weights.std().item() == pytest.approx(expected, rel=0.05)


def test_resampling_is_bilinear():
    from ganzoo_r3gan.blocks import downsample, upsample

    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert torch.equal(downsample(x), nn.functional.avg_pool2d(x, 2))  # bilinear halving
    up = upsample(x)
    assert up.shape == (1, 1, 8, 8)
    assert up[0, 0, 2, 2] == pytest.approx(0.75 * 5 + 0.25 * 0)  # interpolated, not repeated
    assert up[0, 0, 2, 2] != up[0, 0, 2, 3]


def test_discriminator_step_trains_through_the_second_order_penalty():
    model = tiny()
    batch = [torch.rand(8, 1, 8, 8), torch.zeros(8, dtype=torch.long)]
    out = model.discriminator_step(batch)
    assert set(out.logs) == {"d_loss", "r1+r2"} and out.logs["r1+r2"] > 0
    out.loss.backward()
    grads = [p.grad for p in model.discriminator.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    # The zero-initialized last layers receive gradient, so the blocks start learning at once.
    assert model.discriminator.stages[0][0].project.weight.grad.abs().sum() > 0


def test_generator_step_compares_fakes_with_real_scores():
    model = tiny()
    calls = []
    model.discriminator.register_forward_hook(lambda m, args, out: calls.append(1))
    model.generator_step([torch.rand(8, 1, 8, 8), torch.zeros(8)]).loss.backward()
    assert len(calls) == 2  # fakes and the reals they are paired with
    assert all(p.grad is not None for p in model.generator.parameters())


def test_bad_sizes_are_refused_in_one_line():
    with pytest.raises(GanzooError, match="power-of-two image_size >= 8, got 12"):
        tiny(image_size=12)
    with pytest.raises(GanzooError, match="groups of 7"):
        tiny(group_size=7)


def test_train_sample_evaluate_through_the_cli(tmp_path, tiny_extractor):
    out = tmp_path / "run"
    train = CliRunner().invoke(cli, [
        "train", "r3gan", "--data", "digits", "--steps", "3", "--batch-size", "8",
        "--set", "width=16", "--set", "min_width=16", "--set", "group_size=8",
        "--set", "threads=1", "--set", "sample_every=0", "--set", "preview_count=4",
        "--set", "diffaugment=color,translation,cutout", "--out", str(out)])
    assert train.exit_code == 0, train.output
    config = json.loads((out / "config.json").read_text())
    assert config["variant"] == "r3gan"
    sample = CliRunner().invoke(cli, ["sample", str(out), "--n", "4", "--seed", "1",
                                      "--out", str(tmp_path / "s.png")])
    assert sample.exit_code == 0, sample.output
    assert (tmp_path / "s.png").stat().st_size > 0
    scores = CliRunner().invoke(cli, ["evaluate", str(out), "--data", "digits", "--n", "16",
                                      "--metrics", "kid", "--json", "--extractor", "tiny-pool",
                                      "--device", "cpu"])
    assert scores.exit_code == 0, scores.output
    report = json.loads(scores.output)
    assert report["n_fake"] == 16 and report["kid"]["mean"] == report["kid"]["mean"]
