"""`ganzoo convert` on reference pix2pix/CycleGAN checkpoints, then `ganzoo sample` on the result.

The reference checkpoints are produced by `test_nets.Reference` (the published architecture,
written plainly) and saved with ``torch.save`` as the reference code does; the converted models
must reproduce the reference outputs (< 1e-5).
"""

import numpy as np
import torch
from click.testing import CliRunner
from PIL import Image
from test_nets import Reference

import ganzoo
from ganzoo.cli import _add_core_commands, cli

_add_core_commands()


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_reference_cyclegan_generator_converts_and_samples(tmp_path):
    reference = Reference("instance")
    x = torch.rand(1, 3, 40, 52) * 2 - 1
    with torch.no_grad():
        expected = reference.resnet(x, 3, 3, 8, 9)
    torch.save(reference.state, tmp_path / "latest_net_G.pth")
    out = tmp_path / "horse2zebra"
    missing = invoke("convert", tmp_path / "latest_net_G.pth", "--variant", "cyclegan",
                     "--set", "ngf=8", "--out", out)
    assert missing.exit_code != 0 and "generators=AtoB" in missing.output
    result = invoke("convert", tmp_path / "latest_net_G.pth", "--variant", "cyclegan",
                    "--set", "netG=resnet_9blocks", "--set", "ngf=8", "--set", "generators=AtoB",
                    "--out", out)
    assert result.exit_code == 0, result.output
    model = ganzoo.load(out)
    assert (model.translate((x + 1) / 2) - (expected + 1) / 2).abs().max() < 1e-5
    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (30, 45, 3), np.uint8)).save(photo)
    sampled = invoke("sample", out, "--input", photo)
    assert sampled.exit_code == 0, sampled.output
    assert Image.open(tmp_path / "photo_horse2zebra.png").size == (45, 30)


def test_reference_pix2pix_generator_converts(tmp_path):
    reference = Reference("batch", batch_statistics=True)
    x = torch.rand(1, 3, 256, 256) * 2 - 1
    with torch.no_grad():
        expected = reference.unet(x, 3, 3, 8, 4)
    torch.save({f"module.{k}": v for k, v in reference.state.items()}, tmp_path / "G.pth")
    result = invoke("convert", tmp_path / "G.pth", "--variant", "pix2pix", "--set", "netG=unet_256",
                    "--set", "ngf=4", "--out", tmp_path / "facades")
    assert result.exit_code == 0, result.output
    model = ganzoo.load(tmp_path / "facades")
    assert (model.translate((x + 1) / 2) - (expected + 1) / 2).abs().max() < 1e-5
