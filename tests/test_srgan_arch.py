"""SRResNet/SRGAN networks: the paper's parameter count, scales, both architecture families."""

import pytest
import torch

from ganzoo_srgan.discriminator import VGGStyleDiscriminator
from ganzoo_srgan.generator import SRResNetGenerator


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_paper_srresnet_x4_has_1549462_parameters():
    # 16 blocks, 64 channels, x4, single-parameter PReLU (Ledig et al. 2017).
    assert count(SRResNetGenerator(scale=4, channels=64, blocks=16)) == 1_549_462


def test_basicsr_msrresnet_x4_parameter_count():
    # BasicSR reports 1,517,571 parameters for MSRResNet x4 (16 blocks, 64 channels).
    assert count(SRResNetGenerator(scale=4, arch="msrresnet")) == 1_517_571


@pytest.mark.parametrize("arch", ["srresnet", "msrresnet"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_output_is_scale_times_larger(arch, scale):
    net = SRResNetGenerator(scale=scale, channels=8, blocks=2, arch=arch).eval()
    out = net(torch.rand(2, 3, 7, 10))
    assert out.shape == (2, 3, 7 * scale, 10 * scale)


def test_grayscale_generator():
    net = SRResNetGenerator(scale=2, channels=8, blocks=1, image_channels=1)
    assert net(torch.rand(1, 1, 5, 6)).shape == (1, 1, 10, 12)


def test_paper_arch_uses_batchnorm_prelu_and_9x9_edges():
    net = SRResNetGenerator(scale=4, channels=8, blocks=2)
    assert net.head.kernel_size == (9, 9) and net.tail.kernel_size == (9, 9)
    assert isinstance(net.blocks[0].bn1, torch.nn.BatchNorm2d)
    prelus = [m for m in net.modules() if isinstance(m, torch.nn.PReLU)]
    assert prelus and all(p.weight.numel() == 1 for p in prelus)
    assert [type(s.shuffle).__name__ for s in net.upsample] == ["PixelShuffle"] * 2


def test_msrresnet_starts_near_bilinear_upsampling():
    # BasicSR's scaled init: the residual starts small, the output is close to bilinear.
    torch.manual_seed(0)
    net = SRResNetGenerator(scale=4, arch="msrresnet").eval()
    x = torch.rand(1, 3, 12, 12)
    bilinear = torch.nn.functional.interpolate(x, scale_factor=4, mode="bilinear",
                                               align_corners=False)
    with torch.no_grad():
        assert (net(x) - bilinear).abs().mean() < 0.1


@pytest.mark.parametrize("bad", [{"scale": 8}, {"arch": "edsr"}])
def test_rejects_unsupported_settings(bad):
    with pytest.raises(ValueError):
        SRResNetGenerator(**bad)


@pytest.mark.parametrize("size", [96, 64])
def test_discriminator_gives_one_logit_per_image(size):
    disc = VGGStyleDiscriminator(channels=8)
    assert disc(torch.rand(3, 3, size, size)).shape == (3, 1)


def test_discriminator_follows_the_paper_layout():
    disc = VGGStyleDiscriminator()
    convs = [m for m in disc.features if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [c.stride[0] for c in convs] == [1, 2, 1, 2, 1, 2, 1, 2]
    norms = [m for m in disc.features if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 7
    # A 96x96 crop reaches the dense layer as the paper's 512 x 6 x 6 map.
    assert disc.features(torch.rand(1, 3, 96, 96)).shape == (1, 512, 6, 6)
    assert disc.classifier[1].in_features == 512 * 6 * 6
