"""The fast inference path: bf16 only where a probe shows it stays within 2/255 of fp32."""

import pytest
import torch
from torch import nn

import ganzoo.nets.fast_inference
from ganzoo.errors import GanzooError
from ganzoo.interfaces import Generator
from ganzoo.nets.fast_inference import BF16_MAX_ERROR, fast_path, probe_image
from ganzoo_pix2pix.translate_image import per_image_batchnorm


@pytest.fixture(params=[True, False], ids=["native-bf16", "no-native-bf16"])
def native_bf16(request, monkeypatch) -> bool:
    """Both answers of the hardware check, patched where ``auto`` looks it up, so each test runs
    the precision selection of a CPU with and without native bf16 on any CPU (the probe's bf16
    arithmetic runs everywhere, emulated where the CPU lacks it)."""
    monkeypatch.setattr(ganzoo.nets.fast_inference, "bf16_is_fast", lambda device: request.param)
    return request.param


def gentle_network() -> nn.Module:
    """One smoothing convolution: bf16 rounding moves its output by well under a level."""
    net = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1))
    with torch.no_grad():
        net[0].weight.fill_(1 / 27)
        net[0].bias.zero_()
    return net.eval()


def chaotic_network() -> nn.Module:
    """Deep, wide-gain layers: bf16 rounding errors are amplified far past 2/255."""
    torch.manual_seed(0)
    layers = []
    for _ in range(12):
        conv = nn.Conv2d(16, 16, 3, padding=1)
        nn.init.normal_(conv.weight, std=1.0)
        layers += [conv, nn.GroupNorm(1, 16), nn.Tanh()]
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), *layers, nn.Conv2d(16, 3, 1)).eval()


def test_auto_picks_bf16_only_within_the_error_budget(native_bf16):
    gentle = fast_path(gentle_network(), channels=3)
    chaotic = fast_path(chaotic_network(), channels=3)
    if native_bf16:
        assert gentle.precision == "bf16" and gentle.probe_error <= BF16_MAX_ERROR
        assert chaotic.precision == "fp32" and chaotic.probe_error > BF16_MAX_ERROR
    else:  # bf16 would be slower than fp32: no probe, fp32 everywhere
        assert (gentle.precision, gentle.probe_error) == ("fp32", None)
        assert (chaotic.precision, chaotic.probe_error) == ("fp32", None)


def test_fp32_is_the_plain_forward_and_bf16_can_be_forced():
    net = chaotic_network()
    x = probe_image(3, 32, (-1.0, 1.0))
    with torch.no_grad():
        expected = net(x)
    assert torch.equal(fast_path(net, channels=3, precision="fp32")(x), expected)
    forced = fast_path(net, channels=3, precision="bf16")
    assert forced.precision == "bf16" and forced.probe_error is None
    assert not torch.equal(forced(x), expected)


def test_verdict_is_cached_until_the_weights_change():
    net = gentle_network()
    first = fast_path(net, channels=3)
    assert fast_path(net, channels=3) is first
    with torch.no_grad():
        net[0].bias.add_(0.1)
    assert fast_path(net, channels=3) is not first
    assert fast_path(net, channels=3, precision="fp32") is not fast_path(net, channels=3)


def test_channels_last_runs_a_copy_and_leaves_the_model_contiguous():
    net = gentle_network()
    path = fast_path(net, channels=3, channels_last=True, precision="fp32")
    assert path.network is not net
    assert net[0].weight.is_contiguous()
    x = probe_image(3, 16, (0.0, 1.0))
    with torch.no_grad():
        torch.testing.assert_close(path(x), net(x))


def test_a_training_network_is_never_probed():
    net = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3)).train()
    before = net[1].running_mean.clone()
    path = fast_path(net, channels=3)
    assert (path.precision, path.probe_error) == ("fp32", None)
    assert torch.equal(net[1].running_mean, before)


def test_probe_runs_in_the_callers_batchnorm_mode_without_touching_running_statistics():
    net = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3)).eval()
    before = (net[1].running_mean.clone(), net[1].num_batches_tracked.clone())
    fast_path(net, channels=3, context=per_image_batchnorm)
    assert torch.equal(net[1].running_mean, before[0])
    assert torch.equal(net[1].num_batches_tracked, before[1])
    assert not net[1].training


def test_unknown_precision_is_a_one_line_error():
    with pytest.raises(GanzooError, match="precision fp16 is not available for inference; use "
                                          "one of auto, fp32, bf16, mixed"):
        fast_path(gentle_network(), channels=3, precision="fp16")
    with pytest.raises(GanzooError, match="precision must be one of auto, fp32, bf16, mixed"):
        fast_path(gentle_network(), channels=3, precision="half")


def test_each_precision_keeps_its_own_verdict_and_copies_do_not_nest():
    net = gentle_network()
    auto = fast_path(net, channels=3, channels_last=True)
    forced = fast_path(net, channels=3, precision="fp32", channels_last=True)
    assert fast_path(net, channels=3, channels_last=True) is auto
    assert fast_path(net, channels=3, precision="fp32", channels_last=True) is forced
    assert not hasattr(forced.network, "_ganzoo_fast_path")


class StagedNetwork(Generator):
    """A gentle body and an output stage (run through ``forward_staged``) that adds 256 and
    takes it off again: exact in fp32, but bf16 holds 256.x only to steps of 2, so bf16 inside
    the stage is far off while the body's rounding passes through it unamplified."""

    staged_forward = True

    def __init__(self):
        super().__init__()
        self.body = gentle_network()[0]
        shift_up, shift_down = nn.Conv2d(3, 3, 1), nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            for conv, bias in ((shift_up, 256.0), (shift_down, -256.0)):
                conv.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
                conv.bias.fill_(bias)
        self.stage = nn.Sequential(shift_up, shift_down)

    def forward(self, x):
        return self.stage(self.body(x))

    def forward_staged(self, x, run_stage):
        return run_stage(self.stage, self.body(x))


def test_auto_runs_mixed_when_only_the_output_stage_is_sensitive(native_bf16):
    net = StagedNetwork().eval()
    path = fast_path(net, channels=3)
    if native_bf16:
        assert path.precision == "mixed" and path.probe_error <= BF16_MAX_ERROR
    else:
        assert (path.precision, path.probe_error) == ("fp32", None)
    # The whole network in bf16 misses the budget, so the stage is what mixed saves.
    x = probe_image(3, 64, (0.0, 1.0))
    with torch.no_grad():
        exact = net(x)
    assert (fast_path(net, channels=3, precision="bf16")(x) - exact).abs().max() > BF16_MAX_ERROR


def record_outputs(modules: dict) -> dict:
    """name -> (dtype, channels-last?) of each module's last output."""
    seen = {}
    for name, module in modules.items():
        def hook(module, args, output, name=name):
            seen[name] = (output.dtype, output.is_contiguous(memory_format=torch.channels_last))
        module.register_forward_hook(hook)
    return seen


def test_mixed_keeps_the_output_stage_in_fp32_and_channels_last_on_cpu():
    net = StagedNetwork().eval()
    seen = record_outputs({"body": net.body, "stage first": net.stage[0],
                           "stage last": net.stage[1]})
    x = probe_image(3, 16, (0.0, 1.0))
    out = fast_path(net, channels=3, precision="mixed")(x)
    assert seen["body"][0] == torch.bfloat16  # the body ran under autocast
    assert seen["stage first"] == (torch.float32, True)  # the stage in fp32, channels-last
    assert seen["stage last"][0] == torch.float32
    assert out.dtype == torch.float32 and out.is_contiguous()
    fast_path(net, channels=3, precision="bf16")(x)
    assert seen["stage first"][0] == torch.bfloat16  # bf16 runs the stage under autocast too
    with torch.no_grad():  # and fp32 is the plain forward, the stage only channels-last
        torch.testing.assert_close(fast_path(net, channels=3, precision="fp32")(x), net(x),
                                   atol=1e-5, rtol=1e-5)


def test_mixed_paths_run_concurrently():
    """Nothing is put on the network per call, so threads sharing a model do not interfere."""
    from concurrent.futures import ThreadPoolExecutor

    net = StagedNetwork().eval()
    x = probe_image(3, 32, (0.0, 1.0))
    paths = [fast_path(net, channels=3, precision=p) for p in ("mixed", "bf16", "fp32")]
    expected = [path(x) for path in paths]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: paths[i % 3](x), range(24)))
    for i, result in enumerate(results):
        assert torch.equal(result, expected[i % 3])
    assert torch.is_autocast_enabled("cpu") is False


def test_mixed_needs_a_staged_network_and_a_compiled_one_runs_whole():
    with pytest.raises(GanzooError, match="mixed needs a network with an output stage"):
        fast_path(gentle_network(), channels=3, precision="mixed")
    compiled = torch.compile(StagedNetwork().eval(), backend="eager")
    assert fast_path(compiled, channels=3, precision="bf16").staged is False


def test_resnet_generator_runs_its_upsampling_layers_as_output_stage():
    from ganzoo_pix2pix.resnet_generator import ResnetGenerator

    for residual in (False, True):
        net = ResnetGenerator(ngf=4, n_blocks=2, residual=residual).eval()
        transposed = [m for m in net.modules() if isinstance(m, nn.ConvTranspose2d)]
        seen = record_outputs({"last block": net.model[net._upsampling_starts - 1],
                               "first up": transposed[0], "output": net.model[-1]})
        x = probe_image(3, 16, (-1.0, 1.0))
        with torch.no_grad():
            exact = net(x)
        options = dict(channels=3, value_range=(-1.0, 1.0), size_multiple=4)
        mixed = fast_path(net, precision="mixed", **options)(x)
        assert seen["last block"][0] == torch.bfloat16
        assert seen["first up"] == (torch.float32, True) and seen["output"][0] == torch.float32
        assert (mixed - exact).abs().max() < 0.1
        torch.testing.assert_close(fast_path(net, precision="fp32", **options)(x), exact,
                                   atol=1e-5, rtol=1e-5)


def test_sample_cli_offers_every_inference_precision():
    from ganzoo.cli.sample import command
    from ganzoo.precision import INFERENCE_PRECISIONS, PRECISIONS, TRAINING_PRECISIONS

    option = next(p for p in command.params if p.name == "precision")
    assert tuple(option.type.choices) == INFERENCE_PRECISIONS
    # one vocabulary: training and inference name the same things the same way
    assert set(TRAINING_PRECISIONS) | set(INFERENCE_PRECISIONS) == set(PRECISIONS)


def test_translation_probes_at_the_translation_probe_size(native_bf16):
    """A probe's largest error grows with its size; the image-to-image generators are probed at
    TRANSLATION_PROBE_SIZE, the size at which trained ResNet-9s' bf16 error showed."""
    from ganzoo.nets.fast_inference import TRANSLATION_PROBE_SIZE
    from ganzoo_pix2pix.resnet_generator import ResnetGenerator
    from ganzoo_pix2pix.translate_image import translate_images

    net = ResnetGenerator(ngf=4, n_blocks=1).eval()
    sides = []
    net.model[0].register_forward_pre_hook(lambda module, args: sides.append(args[0].shape[-1]))
    translate_images(net, torch.rand(1, 3, 16, 16), in_channels=3, value_range=(-1.0, 1.0))
    if native_bf16:
        # fp32 reference and bf16 (then mixed, if bf16 missed) at the probe size, then the image.
        assert set(sides[:-1]) == {TRANSLATION_PROBE_SIZE} and len(sides) in (3, 4), sides
        assert sides[-1] == 16
    else:
        assert sides == [16]  # no probe without fast bf16 (16 px: no padding needed)


@pytest.mark.parametrize("capability, flags, expected", [
    ("AVX512", True, True), ("AMX", True, True), ("AVX512", False, False),
    ("AVX2", True, False), ("DEFAULT", False, False)])
def test_native_bf16_needs_both_the_isa_level_and_the_cpu_flag(monkeypatch, capability, flags,
                                                                expected):
    import ganzoo.native_bf16 as native

    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    monkeypatch.setattr(native, "_cpu_flags_have_bf16", lambda: flags)
    assert native.bf16_is_fast(torch.device("cpu")) is expected
    assert native.bf16_is_fast(torch.device("meta")) is False


def test_auto_uses_bf16_on_this_cpu_when_it_computes_bf16_natively():
    """The unpatched check on real hardware: only a CPU with AVX512-BF16 or AMX can run it."""
    from ganzoo.native_bf16 import bf16_is_fast

    if not bf16_is_fast(torch.device("cpu")):
        pytest.skip("this CPU has no native bf16 (AVX512-BF16 or AMX)")
    assert fast_path(gentle_network(), channels=3).precision == "bf16"
