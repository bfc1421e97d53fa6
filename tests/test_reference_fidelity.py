"""pix2pix and CycleGAN against the reference code (junyanz/pytorch-CycleGAN-and-pix2pix):
update order, test-time dropout, conv biases under ``norm=none``, and what D sees of a residual
generator's output."""

import pytest
import torch

from ganzoo.building import build_model
from ganzoo_pix2pix.reference_names import build_discriminator, build_generator

PIX2PIX = {"netG": "unet_128", "ngf": 2, "ndf": 4, "image_size": 128}


def test_pix2pix_updates_d_then_g_like_the_reference_unless_asked_otherwise():
    model = build_model("pix2pix", PIX2PIX)
    assert [s.role for s in model.training_steps()] == ["discriminator", "generator"]
    old = build_model("pix2pix", {**PIX2PIX, "update_first": "generator"})
    assert [s.role for s in old.training_steps()] == ["generator", "discriminator"]


def test_pix2pix_test_time_dropout_is_an_option():
    image = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    plain = build_model("pix2pix", PIX2PIX).eval()
    assert torch.equal(plain.translate(image), plain.translate(image))
    torch.manual_seed(0)
    noisy = build_model("pix2pix", {**PIX2PIX, "inference_dropout": True}).eval()
    first, second = noisy.translate(image), noisy.translate(image)
    assert not torch.equal(first, second)  # dropout draws new masks: the paper's noise
    assert not any(m.training for m in noisy.generator.modules())  # left as it was


def bias_keys(network):
    return sorted(k for k in network.state_dict() if k.endswith("bias"))


def test_norm_none_has_conv_biases_exactly_where_the_reference_does():
    # Reference: use_bias = norm_layer == InstanceNorm2d, False for its `none` norm (a plain
    # function); only the convs built without use_bias keep their default bias.
    resnet = build_generator("resnet_6blocks", 3, 3, 4, norm="none")
    assert bias_keys(resnet) == ["model.23.bias"]  # the output conv
    unet = build_generator("unet_128", 3, 3, 2, norm="none")
    assert bias_keys(unet) == ["model.model.3.bias"]  # the outermost up-convolution
    patch = build_discriminator("basic", 6, 4, norm="none")
    assert bias_keys(patch) == ["model.0.bias", "model.11.bias"]  # first and last conv
    pixel = build_discriminator("pixel", 6, 4, norm="none")
    assert bias_keys(pixel) == ["net.0.bias"]
    # instance norm keeps them (as the reference), and `always` keeps every one
    assert len(bias_keys(build_generator("resnet_6blocks", 3, 3, 4, norm="instance"))) > 1
    kept = build_generator("resnet_6blocks", 3, 3, 4, norm="none", all_biases=True)
    assert len(bias_keys(kept)) == len(bias_keys(build_generator("resnet_6blocks", 3, 3, 4,
                                                                  norm="instance")))


def inputs_seen_by(discriminator):
    seen = []
    discriminator.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach()))
    return seen


def push_out_of_range(generator):
    """Make a residual generator's correction large, so input + correction leaves [-1, 1]."""
    with torch.no_grad():
        for p in generator.parameters():
            p.mul_(40.0)


def test_pix2pix_discriminator_sees_residual_outputs_clamped():
    torch.manual_seed(0)
    model = build_model("pix2pix", {**PIX2PIX, "residual": True})
    push_out_of_range(model.generator)
    seen = inputs_seen_by(model.discriminator)
    batch = {"A": torch.rand(2, 3, 128, 128), "B": torch.rand(2, 3, 128, 128)}
    assert model.generator(model.from_unit(batch["A"])).abs().max() > 1.0
    model.discriminator_step(batch)
    model.generator_step(batch)
    fakes = [x[:, 3:] for x in seen]  # (source | output) stacks; the output half
    assert fakes and all(f.abs().max() <= 1.0 for f in fakes)


@pytest.mark.parametrize("space,clamped", [("image", True), ("logit", False)])
def test_cyclegan_discriminators_see_residual_image_outputs_clamped(space, clamped):
    torch.manual_seed(0)
    model = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4,
                                     "image_size": 32, "residual": True, "residual_space": space,
                                     "pool_size": 0})
    push_out_of_range(model.generator_ab)
    seen = inputs_seen_by(model.discriminator_b)
    batch = {"A": torch.rand(2, 3, 32, 32), "B": torch.rand(2, 3, 32, 32)}
    model.generator_step(batch)
    model.discriminator_step(batch)
    assert all(x.abs().max() <= 1.0 for x in seen)  # logit space stays in range by itself
    if clamped:
        assert model.generator_ab(model.from_unit(batch["A"])).abs().max() > 1.0
