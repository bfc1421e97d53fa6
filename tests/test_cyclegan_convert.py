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


def random_photo(path, size=(30, 45)):
    pixels = np.random.default_rng(0).integers(0, 256, (*size, 3), np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def test_issue_command_converts_a_reference_cyclegan_generator_and_samples(tmp_path, monkeypatch):
    # The exact command of issue 6: one generator and its width are read from the file.
    reference = Reference("instance")
    x = torch.rand(1, 3, 40, 52) * 2 - 1
    with torch.no_grad():
        expected = reference.resnet(x, 3, 3, 8, 9)
    monkeypatch.chdir(tmp_path)
    torch.save(reference.state, "latest_net_G.pth")
    result = invoke("convert", "latest_net_G.pth", "--variant", "cyclegan",
                    "--set", "netG=resnet_9blocks", "--out", "horse2zebra")
    assert result.exit_code == 0, result.output
    model = ganzoo.load(tmp_path / "horse2zebra")
    assert model.config.generators == "AtoB" and model.config.ngf == 8
    assert (model.translate((x + 1) / 2) - (expected + 1) / 2).abs().max() < 1e-5
    sampled = invoke("sample", "horse2zebra", "--input", random_photo(tmp_path / "photo.png"))
    assert sampled.exit_code == 0, sampled.output
    assert Image.open(tmp_path / "photo_horse2zebra.png").size == (45, 30)


def test_set_values_win_over_what_the_reference_checkpoint_tells(tmp_path):
    reference = Reference("instance")
    x = torch.rand(1, 3, 24, 24) * 2 - 1
    with torch.no_grad():
        expected = reference.resnet(x, 3, 3, 8, 6)
    torch.save({f"module.{k}": v for k, v in reference.state.items()},
               tmp_path / "latest_net_G_B.pth")
    base = ["convert", tmp_path / "latest_net_G_B.pth", "--variant", "cyclegan",
            "--set", "netG=resnet_6blocks"]
    backwards = invoke(*base, "--set", "generators=BtoA", "--out", tmp_path / "zebra2horse")
    assert backwards.exit_code == 0, backwards.output
    model = ganzoo.load(tmp_path / "zebra2horse")
    assert model.config.generators == "BtoA" and model.default_direction == "BtoA"
    assert (model.translate((x + 1) / 2) - (expected + 1) / 2).abs().max() < 1e-5
    too_wide = invoke(*base, "--set", "ngf=16", "--out", tmp_path / "wide")
    assert too_wide.exit_code != 0 and "mis-shaped" in too_wide.output


def test_reference_pix2pix_generator_converts(tmp_path):
    reference = Reference("batch", batch_statistics=True)
    x = torch.rand(1, 3, 256, 256) * 2 - 1
    with torch.no_grad():
        expected = reference.unet(x, 3, 3, 8, 4)
    torch.save({f"module.{k}": v for k, v in reference.state.items()}, tmp_path / "G.pth")
    # The exact command of issue 6; ngf is read from the file's first convolution.
    result = invoke("convert", tmp_path / "G.pth", "--variant", "pix2pix", "--set", "netG=unet_256",
                    "--out", tmp_path / "facades")
    assert result.exit_code == 0, result.output
    model = ganzoo.load(tmp_path / "facades")
    assert model.config.ngf == 4
    assert (model.translate((x + 1) / 2) - (expected + 1) / 2).abs().max() < 1e-5
