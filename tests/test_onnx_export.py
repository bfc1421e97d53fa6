"""``ganzoo export --format onnx``: parity with onnxruntime (fp32, network range, a real photo and
noise, odd sizes, dynamic batch), the metadata a runtime needs without ganzoo, conditioning
inputs of noise models, and ``ganzoo sample --engine onnxruntime`` through the same image IO."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

onnxruntime = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
onnx = pytest.importorskip("onnx", reason="the [onnx] extra is not installed")

import ganzoo  # noqa: E402
from ganzoo.cli import _add_core_commands, cli  # noqa: E402
from ganzoo.errors import GanzooError  # noqa: E402
from ganzoo.onnx_export import OPSET, export_onnx, read_metadata  # noqa: E402
from ganzoo.onnx_model import OnnxModel  # noqa: E402

_add_core_commands()
PARITY = 1e-4  # fp32, in the network's value range


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The zoo's SRResNet and CycleGAN and the cGAN, each loaded and exported once."""
    folder = tmp_path_factory.mktemp("onnx")
    out = {}
    for name in ("srresnet", "cyclegan", "cgan"):
        model = ganzoo.load(name)
        out[name] = (model, export_onnx(model, folder / f"{name}.onnx"))
    return out


def photo(height: int, width: int) -> torch.Tensor:
    """A crop of skimage's astronaut photo, (1, 3, H, W) in [0, 1]."""
    from skimage import data

    return torch.from_numpy(data.astronaut()[90:90 + height, 120:120 + width].copy()
                            ).permute(2, 0, 1).float()[None] / 255


def run_onnx(path, feeds):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {k: v.numpy() for k, v in feeds.items()})[0]


@pytest.mark.slow
@pytest.mark.parametrize("name, sizes", [("srresnet", [(61, 67), (17, 90)]),
                                         ("cyclegan", [(60, 68), (36, 92)])])
def test_image_generators_match_onnxruntime(exported, name, sizes):
    model, path = exported[name]
    network = model.export_module().module.eval()
    for height, width in sizes:  # none of them the traced size: the axes really are dynamic
        for x in (model.from_unit(photo(height, width)),
                  torch.rand(2, 3, height, width, generator=torch.Generator().manual_seed(1)) * 2 - 1):
            with torch.no_grad():
                expected = network(x).numpy()
            got = run_onnx(path, {"image": x})
            assert got.shape == expected.shape
            assert np.abs(got - expected).max() <= PARITY, (name, height, width)


@pytest.mark.slow
def test_metadata_lets_a_runtime_feed_the_file_without_ganzoo(exported):
    _, path = exported["srresnet"]
    meta = read_metadata(path)
    assert meta["producer"] == "ganzoo" and meta["ganzoo_version"] == ganzoo.__version__
    assert json.loads(meta["value_range"]) == [-1.0, 1.0] or json.loads(meta["value_range"]) == [0.0, 1.0]
    assert meta["scale"] == "4" and meta["channels"] == "3" and meta["task"] == "super-resolution"
    graph = onnx.load(str(path))
    assert [o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")] == [OPSET]
    dims = [d.dim_param or d.dim_value for d in graph.graph.input[0].type.tensor_type.shape.dim]
    assert dims[1] == 3 and all(isinstance(d, str) for d in (dims[0], dims[2], dims[3]))
    _, cyclegan = exported["cyclegan"]
    assert read_metadata(cyclegan)["direction"] == "AtoB"


@pytest.mark.slow
def test_translate_through_onnxruntime_uses_the_same_io_and_tiling(exported):
    for name, tile in (("srresnet", 24), ("cyclegan", None)):
        model, path = exported[name]
        image = photo(45, 71)
        expected = model.translate(image, precision="fp32", **({"tile": tile} if tile else {}))
        got = OnnxModel(path).translate(image, tile=tile)
        assert got.shape == expected.shape
        # [0, 1] is half the network range (-1, 1), so the fp32 bound halves too.
        assert (got - expected).abs().max() <= PARITY / 2, name


@pytest.mark.slow
def test_conditioning_is_a_graph_input_of_noise_models(exported):
    model, path = exported["cgan"]
    z = torch.randn(5, model.config.latent_dim, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 3, 9, 3, 1])
    with torch.no_grad():
        expected = model.generator.eval()(z, labels).numpy()
    got = run_onnx(path, {"z": z, "label": labels})
    assert np.abs(got - expected).max() <= PARITY
    runtime = OnnxModel(path)
    assert [k.name for k in runtime.conditioning] == ["label"]
    samples = runtime.sample(4, seed=0, label=3)
    assert samples.shape == (4, 1, 8, 8) and 0 <= samples.min() and samples.max() <= 1
    name = json.loads(runtime.meta["label_names"])[3]
    assert torch.equal(runtime.sample(4, seed=0, label=name), samples)
    with pytest.raises(GanzooError, match="must be 0..9"):
        runtime.sample(2, label=42)  # onnxruntime would fail inside its Gather: say why first


@pytest.mark.slow
def test_infogan_codes_are_separate_inputs(tmp_path):
    model = ganzoo.load("infogan")
    path = export_onnx(model, tmp_path / "infogan.onnx")
    c = model.config
    z = torch.randn(3, c.latent_dim, generator=torch.Generator().manual_seed(0))
    category = torch.tensor([0, 2, 7])
    continuous = torch.rand(3, c.num_continuous) * 2 - 1
    from ganzoo_infogan.codes import Codes

    with torch.no_grad():
        vector = Codes(category, continuous).generator_input(z * c.noise_std, c.num_categories)
        expected = model.generator.eval()(vector).numpy()
    got = run_onnx(path, {"z": z, "category": category, "continuous": continuous})
    assert np.abs(got - expected).max() <= PARITY


@pytest.mark.slow
def test_cli_export_then_sample_with_onnxruntime(tmp_path, exported):
    _, path = exported["srresnet"]
    Image.fromarray((photo(21, 33)[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8)).save(
        tmp_path / "small.png")
    result = CliRunner().invoke(cli, ["sample", str(path), "--engine", "onnxruntime",
                                      "--input", str(tmp_path / "small.png")])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "small_srresnet.png") as written:
        assert written.size == (33 * 4, 21 * 4)
    again = CliRunner().invoke(cli, ["export", "srresnet", "--out", str(path)])
    assert again.exit_code != 0 and "already exists" in again.output
    wrong = CliRunner().invoke(cli, ["export", "srresnet", "--out", str(tmp_path / "m.pt")])
    assert wrong.exit_code != 0 and "*.onnx" in wrong.output
    bad = CliRunner().invoke(cli, ["sample", str(tmp_path / "small.png"), "--engine",
                                   "onnxruntime", "--input", str(tmp_path / "small.png")])
    assert bad.exit_code != 0 and "onnxruntime cannot load it" in bad.output


def test_a_conditional_variant_without_an_export_hook_is_told_what_to_do():
    from ganzoo.export_spec import default_export_spec

    model = ganzoo.load("cgan")
    with pytest.raises(GanzooError, match="must implement GANModel.export_module"):
        default_export_spec(model)


def test_per_image_norm_matches_pix2pix_test_time_batchnorm():
    from ganzoo_pix2pix.per_image_norm import with_per_image_norm
    from ganzoo_pix2pix.translate_image import per_image_batchnorm

    torch.manual_seed(0)
    network = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8),
                                  torch.nn.ReLU(), torch.nn.Conv2d(8, 3, 3, padding=1)).eval()
    network[1].running_mean.fill_(0.3)  # running statistics that per-image mode must ignore
    network[1].weight.data.uniform_(0.5, 1.5)
    x = torch.randn(1, 3, 19, 23)
    with torch.no_grad(), per_image_batchnorm(network):
        expected = network(x)
    with torch.no_grad():
        got = with_per_image_norm(network)(x)
    assert (got - expected).abs().max() < 1e-5
