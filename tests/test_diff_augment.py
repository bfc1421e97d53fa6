"""DiffAugment as a Trainer option (``--set diffaugment=...``): each transform does what the paper
says, gradients pass through it to G, it is seeded by the engine's streams, and it is refused
where it cannot apply. (A resumed run with it is bit-exact: tests/test_resume_every_data_kind.py,
case ``digits-diffaugment``.)"""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError
from ganzoo.settings_doc import describe_settings
from ganzoo.train import TrainConfig, Trainer
from ganzoo.train.diff_augment import (diff_augment, parse_policy, random_brightness,
                                       random_contrast, random_cutout, random_saturation,
                                       random_translation)
from ganzoo.train.discriminator_augment import augmented_discriminators

_add_core_commands()


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def images(n=64, c=3, side=16, seed=1):
    return torch.rand(n, c, side, side, generator=seeded(seed)) * 2 - 1


def shifted(x, dy, dx):
    """``x`` moved by (dy, dx) with zeros filling, written independently of the module."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[..., i, j] = x[..., i - dy, j - dx]
    return out


def scale_between(before, after):
    """The one factor per image with ``after = factor · before`` (asserted), by least squares."""
    a, b = before.flatten(1), after.flatten(1)
    factor = (a * b).sum(1) / (a * a).sum(1)
    assert torch.allclose(b, factor[:, None] * a, atol=1e-5)
    return factor


def test_translation_shifts_each_image_by_at_most_an_eighth_with_zero_fill():
    x = images(n=48, side=16) + 3.0  # no pixel is 0, so the zero fill is visible
    out = random_translation(x, seeded())
    seen = set()
    for k in range(len(x)):
        match = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if torch.equal(out[k], shifted(x[k], dy, dx))]
        assert len(match) == 1, f"image {k} is no shift of at most 2 px (16 px / 8) of its input"
        seen.add(match[0])
    assert len(seen) > 10  # shifts vary across the batch


def test_cutout_zeroes_one_square_of_half_the_side_clipped_at_the_edges():
    x = torch.ones(200, 2, 8, 8)
    out = random_cutout(x, seeded())
    full = 0
    for k in range(len(x)):
        zero = out[k, 0] == 0
        assert torch.equal(zero, out[k, 1] == 0)  # every channel alike
        rows, cols = zero.any(1).nonzero().flatten(), zero.any(0).nonzero().flatten()
        assert 0 < len(rows) <= 4 and 0 < len(cols) <= 4
        # The zeros form one solid rectangle: the square, clipped by the image's border.
        box = zero[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert box.all() and zero.sum() == box.numel()
        full += box.numel() == 16
        if box.numel() < 16:  # only a square hanging over an edge is cut smaller
            assert rows.min() == 0 or rows.max() == 7 or cols.min() == 0 or cols.max() == 7
    assert full > 20
    assert torch.equal(out[out != 0], x[out != 0])


def test_brightness_adds_one_amount_per_image_within_half_a_unit():
    x = images()
    delta = random_brightness(x, seeded()) - x
    per_image = delta.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image), atol=1e-6)
    assert per_image.min() >= -0.5 and per_image.max() < 0.5
    assert per_image[:, 0].std() > 0.2  # roughly uniform over the range, not a constant


def test_saturation_scales_colour_around_the_channel_mean_by_0_to_2():
    x = images()
    out = random_saturation(x, seeded())
    mean = x.mean(1, keepdim=True)
    assert torch.allclose(out.mean(1, keepdim=True), mean, atol=1e-6)  # gray level kept
    factor = scale_between(x - mean, out - mean)
    assert factor.min() >= 0 and factor.max() < 2 and factor.max() > 1.5
    gray = torch.full((4, 3, 8, 8), 0.25)
    assert torch.allclose(random_saturation(gray, seeded()), gray)


def test_contrast_scales_around_the_image_mean_by_half_to_one_and_a_half():
    x = images()
    out = random_contrast(x, seeded())
    mean = x.mean((1, 2, 3), keepdim=True)
    assert torch.allclose(out.mean((1, 2, 3), keepdim=True), mean, atol=1e-6)
    factor = scale_between(x - mean, out - mean)
    assert factor.min() >= 0.5 and factor.max() < 1.5 and factor.std() > 0.2


def test_same_generator_seed_gives_the_same_augmentation_and_another_seed_does_not():
    x = images()
    policy = "color,translation,cutout"
    assert torch.equal(diff_augment(x, policy, seeded(3)), diff_augment(x, policy, seeded(3)))
    assert not torch.equal(diff_augment(x, policy, seeded(3)), diff_augment(x, policy, seeded(4)))
    torch.manual_seed(5)  # no generator: the global stream the Trainer seeds and checkpoints
    first = diff_augment(x, policy)
    torch.manual_seed(5)
    assert torch.equal(diff_augment(x, policy), first)


def test_augmentation_is_differentiable_exactly():
    x = (torch.rand(3, 2, 6, 6, dtype=torch.float64) * 2 - 1).requires_grad_(True)
    # A fixed generator seed per call makes the random transform a fixed function to check.
    assert torch.autograd.gradcheck(lambda t: diff_augment(t, "color,translation,cutout",
                                                           seeded(7)), (x,))


def test_policy_is_parsed_in_the_papers_order_and_typos_are_refused():
    assert parse_policy("cutout, color") == ("color", "cutout")
    assert parse_policy("") == ()
    with pytest.raises(GanzooError, match="unknown transform 'colour'.*color, translation, cutout"):
        parse_policy("colour")


def tiny_dcgan():
    torch.manual_seed(0)
    return build_model("dcgan", {"ngf": 8, "ndf": 8})


def test_generator_step_gets_ds_gradient_through_the_augmentation():
    model = tiny_dcgan()
    seen = []
    # A forward hook receives the input as forward did, after the pre-hooks changed it.
    model.discriminator.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    batch = [torch.rand(16, 1, 8, 8), torch.zeros(16, dtype=torch.long)]
    for p in model.discriminator.parameters():
        p.requires_grad_(False)  # as the Trainer freezes D in G's step
    with augmented_discriminators(model, "translation,cutout") as augment:
        model.generator_step(batch).loss.backward()
    assert augment.calls == 1
    # D saw augmented fakes: cutout zeroed whole squares that tanh outputs never hit exactly.
    assert (seen[0] == 0).flatten(1).sum(1).min() >= 4
    grads = [p.grad for p in model.generator.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0
    # The hooks are gone after the block: D is a plain network again.
    assert not model.discriminator._forward_pre_hooks


def test_a_trained_model_keeps_no_augmentation_hook(tmp_path):
    model = tiny_dcgan()
    from ganzoo.data.spec import load_dataset

    data = load_dataset("digits")
    trainer = Trainer(model, data, TrainConfig(steps=2, batch_size=8, ema_decay=0, threads=1,
                                               sample_every=0, diffaugment="color,cutout"))
    trainer.fit()
    assert not model.discriminator._forward_pre_hooks
    assert not trainer.final_model.discriminator._forward_pre_hooks


def test_settings_list_documents_diffaugment():
    rows = {row["name"]: row for row in describe_settings(TrainConfig)}
    assert rows["diffaugment"]["default"] == ""
    assert "color" in rows["diffaugment"]["note"] and "cutout" in rows["diffaugment"]["note"]


def run_train(*args):
    return CliRunner().invoke(cli, ["train", *args, "--steps", "1", "--set", "threads=1",
                                    "--set", "sample_every=0"])


def test_toy_data_is_refused_in_one_line_before_the_folder_is_made(tmp_path):
    out = tmp_path / "toy"
    result = run_train("gan", "--data", "ring8", "--set", "diffaugment=color", "--out", str(out))
    assert result.exit_code != 0
    message = result.output.strip()
    assert "\n" not in message and "2-D points" in message and "diffaugment" in message
    assert not out.exists()


def test_unknown_transform_is_refused_in_one_line(tmp_path):
    result = run_train("dcgan", "--data", "digits", "--set", "diffaugment=flip",
                       "--out", str(tmp_path / "x"))
    assert result.exit_code != 0
    assert "\n" not in result.output.strip() and "unknown transform 'flip'" in result.output


def test_a_variant_judging_through_other_methods_than_forward_is_refused():
    # A variant whose steps call its discriminator's layers directly: no forward hook sees them.
    from ganzoo.data.spec import load_dataset
    from ganzoo.interfaces import StepOutput

    model = tiny_dcgan()
    judge = model.discriminator.net  # its layers, called around the hooked forward()
    fake = lambda: model.generator(torch.randn(8, model.config.latent_dim))  # noqa: E731
    model.discriminator_step = lambda batch: StepOutput(judge(fake().detach()).mean())
    model.generator_step = lambda batch: StepOutput(-judge(fake()).mean())
    data = load_dataset("digits")
    trainer = Trainer(model, data, TrainConfig(steps=1, batch_size=8, ema_decay=0, threads=1,
                                               sample_every=0, diffaugment="color"))
    with pytest.raises(GanzooError, match=r"diffaugment augments what a discriminator's "
                                          r"forward\(\) receives.*DCGAN.*never called it"):
        trainer.fit()


def test_infogan_trains_with_diffaugment_and_its_q_head_reads_augmented_images(tmp_path):
    """InfoGAN's D names its trunk as its image input (`Discriminator.image_input`), so the
    engine's augmentation reaches every image its D and Q head read, through any method."""
    out = tmp_path / "info"
    result = run_train("infogan", "--data", "digits", "--set", "diffaugment=color,cutout",
                       "--set", "batch_size=8", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "model.safetensors").is_file()

    model = build_model("infogan", {})
    seen = []
    real = torch.rand(4, 1, 8, 8) * 2 - 1
    with augmented_discriminators(model, "cutout") as augment:
        # registered after the augmentation's hook on the trunk, so it sees what the trunk gets
        model.discriminator.trunk.register_forward_pre_hook(lambda m, a: seen.append(a[0]))
        model.discriminator.q(real)
        model.discriminator.both(real)
    assert augment.calls == 2
    assert all(((x == 0).flatten(1).sum(1) >= 4).all() for x in seen)  # cut out, both paths


def test_a_discriminator_input_that_is_no_image_batch_is_refused():
    from ganzoo.train.discriminator_augment import DiscriminatorAugment

    model = build_model("gan", {"hidden": 8, "layers": 1})  # toy points (N, 2)
    augment = DiscriminatorAugment(model, ("cutout",))
    with pytest.raises(GanzooError, match=r"images \(N, C, H, W\).*fed \(4, 2\)"):
        model.discriminator(torch.zeros(4, 2))
    augment.remove()
    assert model.discriminator(torch.zeros(4, 2)).shape == (4,)
