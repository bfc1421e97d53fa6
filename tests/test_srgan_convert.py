"""BasicSR MSRResNet checkpoints convert to the srresnet variant (arch=msrresnet).

The expected key list and the reference forward below are written from BasicSR's published
architecture (basicsr/archs/srresnet_arch.py: conv_first, body.N.conv1/conv2, upconv1/upconv2,
conv_hr, conv_last; LeakyReLU 0.1 outside the blocks, ReLU inside; output + bilinear input), so
the test checks our mapping against that description, not against itself.
"""

import pytest
import torch
import torch.nn.functional as F

from ganzoo.building import build_model
from ganzoo.errors import GanzooError
from ganzoo_srgan.srresnet import SRResNet


def basicsr_shapes(feat=64, blocks=16, scale=4, channels=3):
    shapes = {"conv_first.weight": (feat, channels, 3, 3), "conv_first.bias": (feat,)}
    for i in range(blocks):
        for conv in ("conv1", "conv2"):
            shapes[f"body.{i}.{conv}.weight"] = (feat, feat, 3, 3)
            shapes[f"body.{i}.{conv}.bias"] = (feat,)
    up = feat * 4 if scale == 4 else feat * scale * scale
    shapes["upconv1.weight"], shapes["upconv1.bias"] = (up, feat, 3, 3), (up,)
    if scale == 4:
        shapes["upconv2.weight"], shapes["upconv2.bias"] = (feat * 4, feat, 3, 3), (feat * 4,)
    shapes["conv_hr.weight"], shapes["conv_hr.bias"] = (feat, feat, 3, 3), (feat,)
    shapes["conv_last.weight"], shapes["conv_last.bias"] = (channels, feat, 3, 3), (channels,)
    return shapes


def basicsr_checkpoint(seed=0, **arch):
    generator = torch.Generator().manual_seed(seed)
    params = {k: torch.randn(s, generator=generator) * 0.05
              for k, s in basicsr_shapes(**arch).items()}
    return {"params": params}


def reference_forward(p, x, blocks, scale):
    """MSRResNet.forward, written out with functional ops on the raw BasicSR tensors."""
    def conv(name, t):
        return F.conv2d(t, p[f"{name}.weight"], p[f"{name}.bias"], padding=1)

    def lrelu(t):
        return F.leaky_relu(t, 0.1)

    feat = lrelu(conv("conv_first", x))
    out = feat
    for i in range(blocks):
        out = out + conv(f"body.{i}.conv2", F.relu(conv(f"body.{i}.conv1", out)))
    if scale == 4:
        out = lrelu(F.pixel_shuffle(conv("upconv1", out), 2))
        out = lrelu(F.pixel_shuffle(conv("upconv2", out), 2))
    else:
        out = lrelu(F.pixel_shuffle(conv("upconv1", out), scale))
    out = conv("conv_last", lrelu(conv("conv_hr", out)))
    return out + F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)


def test_published_x4_key_list_maps_onto_every_generator_key():
    checkpoint = basicsr_checkpoint()
    model = build_model("srresnet", {"arch": "msrresnet"})
    converted = SRResNet.convert_checkpoint(checkpoint, model.config)
    assert len(converted) == len(checkpoint["params"]) == 74
    assert set(converted) == set(model.state_dict())
    assert converted["generator.head.weight"] is checkpoint["params"]["conv_first.weight"]
    assert converted["generator.upsample.1.conv.bias"] is checkpoint["params"]["upconv2.bias"]
    assert converted["generator.blocks.15.conv2.weight"] is (
        checkpoint["params"]["body.15.conv2.weight"])


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_converted_model_computes_what_basicsr_computes(scale):
    checkpoint = basicsr_checkpoint(feat=8, blocks=2, scale=scale)
    model = build_model("srresnet", {"arch": "msrresnet", "features": 8, "blocks": 2,
                                     "scale": scale})
    model.load_state_dict(SRResNet.convert_checkpoint(checkpoint, model.config), strict=True)
    x = torch.rand(1, 3, 9, 11, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours = model.eval().generator(x)
        theirs = reference_forward(checkpoint["params"], x, blocks=2, scale=scale)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_params_ema_and_dataparallel_prefix_are_accepted():
    params = basicsr_checkpoint(feat=8, blocks=1, scale=2)["params"]
    checkpoint = {"params_ema": {f"module.{k}": v for k, v in params.items()}}
    model = build_model("srresnet", {"arch": "msrresnet", "features": 8, "blocks": 1,
                                     "scale": 2})
    model.load_state_dict(SRResNet.convert_checkpoint(checkpoint, model.config))


def test_paper_arch_is_refused_with_the_fix():
    model = build_model("srresnet", {})
    with pytest.raises(GanzooError, match="--set arch=msrresnet"):
        SRResNet.convert_checkpoint(basicsr_checkpoint(), model.config)


def test_architecture_mismatch_names_the_settings():
    model = build_model("srresnet", {"arch": "msrresnet"})
    checkpoint = basicsr_checkpoint(feat=8, blocks=3, scale=2)
    with pytest.raises(GanzooError) as info:
        SRResNet.convert_checkpoint(checkpoint, model.config)
    message = str(info.value)
    assert "--set features=8" in message and "--set blocks=3" in message
    assert "--set scale=2" in message


def test_other_checkpoints_are_refused():
    model = build_model("srresnet", {"arch": "msrresnet"})
    with pytest.raises(GanzooError, match="not a BasicSR MSRResNet"):
        SRResNet.convert_checkpoint({"params": {"conv.weight": torch.zeros(1)}}, model.config)
    extra = basicsr_checkpoint(feat=8, blocks=1, scale=2)
    extra["params"]["body.0.bn.weight"] = torch.zeros(8)
    small = build_model("srresnet", {"arch": "msrresnet", "features": 8, "blocks": 1,
                                     "scale": 2})
    with pytest.raises(GanzooError, match="unexpected keys"):
        SRResNet.convert_checkpoint(extra, small.config)
