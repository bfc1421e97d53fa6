"""ganzoo.nets: the reference architectures, their parameter counts, and checkpoint conversion.

`Reference` below is the published pix2pix/CycleGAN architecture written plainly as functional
code: each layer names the state-dict key the reference implementation gives it and the shape it
has. Running it once records a complete reference state dict (with random weights, including the
InstanceNorm running statistics old reference checkpoints carry) and its output; converting that
state dict into our modules must cover every key and reproduce the output.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.errors import GanzooError
from ganzoo.nets.patchgan import NLayerDiscriminator, PixelDiscriminator, receptive_field
from ganzoo_pix2pix.reference_checkpoint import adapt_reference_state
from ganzoo_pix2pix.reference_names import build_discriminator, build_generator, size_multiple
from ganzoo_pix2pix.resnet_generator import ResnetGenerator
from ganzoo_pix2pix.unet import UnetGenerator
from ganzoo.nets.weight_init import init_weights


def count(module):
    return sum(p.numel() for p in module.parameters())


# ----- the published parameter counts ---------------------------------------------------------
def test_published_parameter_counts():
    assert count(ResnetGenerator(3, 3, 64, n_blocks=9, norm="instance")) == 11_378_179
    assert count(UnetGenerator(3, 3, levels=8, ngf=64, norm="batch")) == 54_413_955
    assert count(NLayerDiscriminator(3, 64, n_layers=3, norm="instance")) == 2_764_737


# ----- the reference architecture, described plainly -------------------------------------------
class Reference:
    """Functional reference forward that records ``key -> tensor`` as it goes."""

    def __init__(self, norm, seed=0, batch_statistics=False):
        self.norm = norm
        # The reference test script never calls eval(): BatchNorm then uses batch statistics.
        self.batch_statistics = batch_statistics
        self.bias = norm != "batch"  # reference: convs before BatchNorm have no bias
        self.state = {}
        self.generator = torch.Generator().manual_seed(seed)

    def tensor(self, key, shape, low=-0.2, high=0.2):
        self.state[key] = torch.rand(shape, generator=self.generator) * (high - low) + low
        return self.state[key]

    def conv(self, x, key, cin, cout, k, stride=1, padding=0, bias=True):
        w = self.tensor(f"{key}.weight", (cout, cin, k, k))
        b = self.tensor(f"{key}.bias", (cout,)) if bias else None
        return F.conv2d(x, w, b, stride, padding)

    def conv_t(self, x, key, cin, cout, k, stride, padding, output_padding=0, bias=True):
        w = self.tensor(f"{key}.weight", (cin, cout, k, k))
        b = self.tensor(f"{key}.bias", (cout,)) if bias else None
        return F.conv_transpose2d(x, w, b, stride, padding, output_padding)

    def normalize(self, x, key, channels):
        if self.norm == "batch":
            w = self.tensor(f"{key}.weight", (channels,), 0.5, 1.5)
            b = self.tensor(f"{key}.bias", (channels,))
            mean = self.tensor(f"{key}.running_mean", (channels,))
            var = self.tensor(f"{key}.running_var", (channels,), 0.5, 2.0)
            self.state[f"{key}.num_batches_tracked"] = torch.tensor(100)
            if self.batch_statistics:
                return F.batch_norm(x, None, None, w, b, training=True, eps=1e-5)
            return F.batch_norm(x, mean, var, w, b, training=False, eps=1e-5)
        # Old reference checkpoints store InstanceNorm statistics that are never used.
        self.tensor(f"{key}.running_mean", (channels,))
        self.tensor(f"{key}.running_var", (channels,), 0.5, 2.0)
        return F.instance_norm(x, eps=1e-5)

    # ResNet generator: c7s1-ngf, d2ngf, d4ngf, R4ngf x n, u2ngf, ungf, c7s1-out, tanh
    def resnet(self, x, cin, cout, ngf, n_blocks):
        x = F.relu(self.normalize(self.conv(F.pad(x, (3,) * 4, mode="reflect"), "model.1", cin,
                                            ngf, 7, bias=self.bias), "model.2", ngf))
        for i, width in enumerate((ngf, ngf * 2)):
            x = self.conv(x, f"model.{4 + 3 * i}", width, width * 2, 3, 2, 1, bias=self.bias)
            x = F.relu(self.normalize(x, f"model.{5 + 3 * i}", width * 2))
        width = ngf * 4
        for j in range(n_blocks):
            key = f"model.{10 + j}.conv_block"
            y = self.conv(F.pad(x, (1,) * 4, mode="reflect"), f"{key}.1", width, width, 3,
                          bias=self.bias)
            y = F.relu(self.normalize(y, f"{key}.2", width))
            y = self.conv(F.pad(y, (1,) * 4, mode="reflect"), f"{key}.5", width, width, 3,
                          bias=self.bias)
            x = x + self.normalize(y, f"{key}.6", width)
        at = 10 + n_blocks
        for i in range(2):
            x = self.conv_t(x, f"model.{at + 3 * i}", width, width // 2, 3, 2, 1, 1, bias=self.bias)
            x = F.relu(self.normalize(x, f"model.{at + 3 * i + 1}", width // 2))
            width //= 2
        x = self.conv(F.pad(x, (3,) * 4, mode="reflect"), f"model.{at + 7}", ngf, cout, 7)
        return torch.tanh(x)

    # U-Net: levels of (outer, inner) widths; the skip carries LeakyReLU(input) because the
    # reference's LeakyReLU runs in place on the tensor it then concatenates.
    def unet(self, x, cin, cout, levels, ngf):
        widths = [(ngf, ngf * 2), (ngf * 2, ngf * 4), (ngf * 4, ngf * 8)]
        widths += [(ngf * 8, ngf * 8)] * (levels - 4)
        d = self.conv(x, "model.model.0", cin, ngf, 4, 2, 1, bias=self.bias)
        u = self.unet_level(d, "model.model.1.model", widths)
        return torch.tanh(self.conv_t(F.relu(u), "model.model.3", ngf * 2, cout, 4, 2, 1))

    def unet_level(self, x, key, widths):
        (outer, inner), rest = widths[0], widths[1:]
        a = F.leaky_relu(x, 0.2)
        d = self.conv(a, f"{key}.1", outer, inner, 4, 2, 1, bias=self.bias)
        if not rest:  # innermost: no norm on the way down
            u = self.conv_t(F.relu(d), f"{key}.3", inner, outer, 4, 2, 1, bias=self.bias)
            return torch.cat([a, self.normalize(u, f"{key}.4", outer)], 1)
        d = self.normalize(d, f"{key}.2", inner)
        s = self.unet_level(d, f"{key}.3.model", rest)
        u = self.conv_t(F.relu(s), f"{key}.5", inner * 2, outer, 4, 2, 1, bias=self.bias)
        return torch.cat([a, self.normalize(u, f"{key}.6", outer)], 1)

    # PatchGAN: C64 (no norm) - C128 - C256 - C512(stride 1) - 1
    def patchgan(self, x, cin, ndf, n_layers):
        x = F.leaky_relu(self.conv(x, "model.0", cin, ndf, 4, 2, 1), 0.2)
        width, at = ndf, 2
        for n in range(1, n_layers + 1):
            new = ndf * min(2 ** n, 8)
            x = self.conv(x, f"model.{at}", width, new, 4, 2 if n < n_layers else 1, 1,
                          bias=self.bias)
            x = F.leaky_relu(self.normalize(x, f"model.{at + 1}", new), 0.2)
            width, at = new, at + 3
        return self.conv(x, f"model.{at}", width, 1, 4, 1, 1)

    def pixel(self, x, cin, ndf):
        x = F.leaky_relu(self.conv(x, "net.0", cin, ndf, 1), 0.2)
        x = self.conv(x, "net.2", ndf, ndf * 2, 1, bias=self.bias)
        x = F.leaky_relu(self.normalize(x, "net.3", ndf * 2), 0.2)
        return self.conv(x, "net.5", ndf * 2, 1, 1, bias=self.bias)


CASES = [
    # (name, our network, reference description, input shape)
    ("resnet_9blocks instance", lambda: build_generator("resnet_9blocks", 3, 3, 8, "instance"),
     lambda r, x: r.resnet(x, 3, 3, 8, 9), (2, 3, 36, 44), "instance"),
    ("resnet_6blocks batch gray", lambda: build_generator("resnet_6blocks", 1, 1, 8, "batch"),
     lambda r, x: r.resnet(x, 1, 1, 8, 6), (1, 1, 32, 32), "batch"),
    ("unet_256 batch", lambda: build_generator("unet_256", 3, 3, 4, "batch", dropout=True),
     lambda r, x: r.unet(x, 3, 3, 8, 4), (1, 3, 256, 256), "batch"),
    ("unet_128 instance", lambda: build_generator("unet_128", 3, 2, 4, "instance"),
     lambda r, x: r.unet(x, 3, 2, 7, 4), (1, 3, 128, 128), "instance"),
    ("patchgan 70x70 instance", lambda: build_discriminator("basic", 6, 8, norm="instance"),
     lambda r, x: r.patchgan(x, 6, 8, 3), (2, 6, 64, 64), "instance"),
    ("patchgan 5 layers batch", lambda: build_discriminator("n_layers", 3, 4, 5, "batch"),
     lambda r, x: r.patchgan(x, 3, 4, 5), (1, 3, 96, 96), "batch"),
    ("pixel batch", lambda: build_discriminator("pixel", 3, 8, norm="batch"),
     lambda r, x: r.pixel(x, 3, 8), (2, 3, 10, 12), "batch"),
]


@pytest.mark.parametrize("name,ours,describe,shape,norm", CASES, ids=[c[0] for c in CASES])
def test_reference_checkpoint_keys_map_and_outputs_match(name, ours, describe, shape, norm):
    x = torch.rand(shape, generator=torch.Generator().manual_seed(1)) * 2 - 1
    reference = Reference(norm)
    with torch.no_grad():
        expected = describe(reference, x)
    network = ours().eval()
    converted = adapt_reference_state(reference.state, network, where=name)
    # every reference key is accounted for: loaded, or an InstanceNorm statistic dropped
    loaded = set(converted)
    dropped = set(reference.state) - loaded
    assert all(k.endswith(("running_mean", "running_var")) for k in dropped)
    assert not dropped or norm == "instance"
    network.load_state_dict(converted, strict=True)
    with torch.no_grad():
        got = network(x)
    assert got.shape == expected.shape
    # fp32 through nine residual blocks and a tanh: summation order differs by ~1e-5
    assert (got - expected).abs().max().item() < 1e-4


def test_multi_gpu_prefix_and_old_batchnorm_checkpoints_load():
    reference = Reference("batch")
    x = torch.rand(1, 3, 16, 16)
    expected = reference.patchgan(x, 3, 4, 2)
    old = {f"module.{k}": v for k, v in reference.state.items() if "num_batches" not in k}
    network = build_discriminator("n_layers", 3, 4, 2, "batch").eval()
    network.load_state_dict(adapt_reference_state(old, network))
    assert torch.allclose(network(x), expected, atol=1e-5)


def test_mismatched_checkpoint_is_one_clear_error():
    reference = Reference("instance")
    reference.resnet(torch.rand(1, 3, 16, 16), 3, 3, 4, 9)
    with pytest.raises(GanzooError, match=r"unexpected: model\.16.*netG="):
        adapt_reference_state(reference.state, build_generator("resnet_6blocks", 3, 3, 4, "instance"))
    with pytest.raises(GanzooError, match="mis-shaped"):
        adapt_reference_state(reference.state, build_generator("resnet_9blocks", 3, 3, 8, "instance"))
    with pytest.raises(GanzooError, match="state dict"):
        adapt_reference_state({"G": {"a": 1}}, build_generator("resnet_6blocks", 3, 3, 4, "instance"))


# ----- behaviour of the building blocks --------------------------------------------------------
def test_patchgan_receptive_field_is_70_pixels():
    assert [receptive_field(n) for n in (1, 3, 5)] == [16, 70, 286]
    net = NLayerDiscriminator(1, 4, 3, norm="none")
    init_weights(net)
    x = torch.rand(1, 1, 160, 160, requires_grad=True)
    out = net(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    cols = torch.nonzero(x.grad[0, 0].abs().sum(0)).flatten()
    # the padding=1 convs can leave the outermost ring with zero gradient only by chance
    assert rows.max() - rows.min() + 1 == 70 and cols.max() - cols.min() + 1 == 70


def test_generators_keep_size_and_range_for_valid_sizes():
    resnet = build_generator("resnet_6blocks", 3, 3, 4, "instance").eval()
    assert size_multiple(resnet) == 4
    for h, w in [(8, 12), (20, 28), (64, 36)]:
        out = resnet(torch.rand(1, 3, h, w))
        assert out.shape == (1, 3, h, w) and out.abs().max() <= 1
    unet = build_generator("unet_128", 1, 3, 2, "batch").eval()
    assert size_multiple(unet) == 128
    assert unet(torch.rand(2, 1, 128, 256)).shape == (2, 3, 128, 256)


def test_dropout_and_padding_options():
    with_dropout = ResnetGenerator(3, 3, 4, n_blocks=2, dropout=True)
    assert any(isinstance(m, torch.nn.Dropout) for m in with_dropout.modules())
    assert not any(isinstance(m, torch.nn.Dropout) for m in ResnetGenerator(3, 3, 4, n_blocks=2).modules())
    unet = UnetGenerator(3, 3, levels=8, ngf=2, dropout=True)
    assert sum(isinstance(m, torch.nn.Dropout) for m in unet.modules()) == 3  # levels - 5
    x = torch.rand(1, 3, 16, 16)
    for padding in ("reflect", "replicate", "zero"):
        net = ResnetGenerator(3, 3, 4, n_blocks=1, padding=padding).eval()
        assert net(x).shape == x.shape
    zero = ResnetGenerator(3, 3, 4, n_blocks=1, padding="zero")
    assert count(zero) == count(ResnetGenerator(3, 3, 4, n_blocks=1))  # padding has no weights
    with pytest.raises(ValueError, match="padding"):
        ResnetGenerator(padding="circular")
    with pytest.raises(ValueError, match="norm"):
        build_generator("unet_256", 3, 3, norm="group")
    with pytest.raises(ValueError, match="netG"):
        build_generator("unet_512", 3, 3)
    with pytest.raises(ValueError, match="netD"):
        build_discriminator("huge", 3)


def test_init_weights_follows_the_reference_recipe():
    net = init_weights(build_discriminator("basic", 3, 64, norm="batch"))
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    weights = torch.cat([c.weight.flatten() for c in convs])
    assert abs(weights.std().item() - 0.02) < 0.002 and abs(weights.mean().item()) < 0.001
    assert all(c.bias is None or torch.all(c.bias == 0) for c in convs)
    norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert abs(torch.cat([n.weight for n in norms]).mean().item() - 1) < 0.01
    with pytest.raises(ValueError, match="init"):
        init_weights(net, "uniform")


@pytest.mark.parametrize("name", ["unet_128", "resnet_6blocks"])
def test_residual_generators_add_their_input_and_keep_the_reference_keys(name):
    torch.manual_seed(0)
    plain = build_generator(name, 3, 3, ngf=4, norm="instance").eval()
    residual = build_generator(name, 3, 3, ngf=4, norm="instance", residual=True).eval()
    assert list(residual.state_dict()) == list(plain.state_dict())
    residual.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(residual(x), x + plain(x))
    with pytest.raises(ValueError, match="residual needs as many input as output channels"):
        build_generator(name, 1, 3, ngf=4, residual=True)


def test_logit_residual_adds_inside_the_tanh_and_stays_in_range():
    torch.manual_seed(0)
    plain = build_generator("resnet_6blocks", 3, 3, ngf=4, norm="none").eval()
    logit = build_generator("resnet_6blocks", 3, 3, ngf=4, norm="none", residual=True,
                            residual_space="logit").eval()
    assert list(logit.state_dict()) == list(plain.state_dict())
    logit.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 32, 32) * 1.8 - 0.9
    with torch.no_grad():
        correction = torch.atanh(plain(x))  # plain = tanh(the same network's pre-activation)
        torch.testing.assert_close(logit(x), torch.tanh(torch.atanh(x) + correction),
                                   atol=2e-5, rtol=1e-4)
        for p in logit.parameters():  # a huge correction still leaves outputs inside (-1, 1)
            p.mul_(50)
        extreme = logit(torch.tensor([-1.0, 1.0]).view(1, 1, 1, 2).repeat(1, 3, 32, 16))
    assert extreme.abs().max() <= 1
    with pytest.raises(ValueError, match="needs residual=True"):
        build_generator("resnet_6blocks", 3, 3, ngf=4, residual_space="logit")
    with pytest.raises(ValueError, match="only for the resnet"):
        build_generator("unet_128", 3, 3, ngf=4, residual=True, residual_space="logit")


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_instance_norm_by_group_norm_is_instance_norm(layout):
    """ganzoo's InstanceNorm2d (group_norm with a group per channel, for speed) gives
    nn.InstanceNorm2d's output and gradient, keeps its (empty) state dict and its error for a
    1x1 map in training."""
    from ganzoo.nets.norms import InstanceNorm2d

    torch.manual_seed(0)
    x = (torch.randn(2, 5, 9, 7) * 3 + 1).contiguous(memory_format=layout).requires_grad_()
    ours, theirs = InstanceNorm2d(5), nn.InstanceNorm2d(5)
    out = ours(x)
    grad_ours, = torch.autograd.grad((out * torch.arange(5.).view(1, 5, 1, 1)).sum(), x)
    expected = theirs(x)
    grad_theirs, = torch.autograd.grad((expected * torch.arange(5.).view(1, 5, 1, 1)).sum(), x)
    assert torch.allclose(out, expected, atol=1e-5)
    assert torch.allclose(grad_ours, grad_theirs, atol=1e-5)
    assert ours.state_dict().keys() == theirs.state_dict().keys() == set()
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        InstanceNorm2d(5).train()(torch.randn(2, 5, 1, 1))
