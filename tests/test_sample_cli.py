"""``ganzoo sample``: image models on the files users have, noise models to a grid."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.cli.sample import DEFAULT_SAMPLES, default_count, model_label
from ganzoo.layout import save_pretrained

_add_core_commands()


def run(*args):
    result = CliRunner().invoke(cli, ["sample", *map(str, args)])
    return result


@pytest.fixture(scope="module")
def cyclegan_dir(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4})
    return save_pretrained(model, tmp_path_factory.mktemp("models") / "h2z")


def photo(path, size=(50, 37), mode="RGB"):
    rng = np.random.default_rng(0)
    array = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(array)
    if mode == "RGBA":
        image.putalpha(Image.fromarray(np.tile(np.arange(size[0], dtype=np.uint8) * 5, (size[1], 1))))
    elif mode != "RGB":
        image = image.convert(mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def test_translates_beside_the_input_and_never_overwrites(cyclegan_dir, tmp_path):
    source = photo(tmp_path / "photo.png")
    result = run(cyclegan_dir, "--input", source, "--device", "cpu")
    assert result.exit_code == 0, result.output
    target = tmp_path / "photo_h2z.png"
    assert Image.open(target).size == (50, 37)  # any size: padded to the multiple, cropped back
    before = target.read_bytes()
    refused = run(cyclegan_dir, "--input", source)
    assert refused.exit_code != 0 and "--force" in refused.output and "Traceback" not in refused.output
    assert target.read_bytes() == before
    assert run(cyclegan_dir, "--input", source, "--force").exit_code == 0
    other_way = run(cyclegan_dir, "--input", source, "--cond", "direction=BtoA", "--out",
                    tmp_path / "b.png")
    assert other_way.exit_code == 0 and Image.open(tmp_path / "b.png").size == (50, 37)
    assert not np.array_equal(np.asarray(Image.open(tmp_path / "b.png")), np.asarray(Image.open(target)))


def test_awkward_inputs_keep_their_displayed_size_and_alpha(cyclegan_dir, tmp_path):
    photo(tmp_path / "in" / "gray.png", mode="L")
    photo(tmp_path / "in" / "palette.gif", mode="P")
    photo(tmp_path / "in" / "alpha.png", mode="RGBA")
    Image.fromarray((np.arange(30 * 20).reshape(20, 30) * 100).astype(np.uint16)).save(
        tmp_path / "in" / "deep.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # shot in portrait: displayed rotated 90 degrees
    (tmp_path / "in" / "sub").mkdir()
    Image.fromarray(np.zeros((10, 24, 3), np.uint8)).save(tmp_path / "in" / "sub" / "phone.jpg",
                                                         exif=exif)
    result = run(cyclegan_dir, "--input", tmp_path / "in", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert Image.open(out / "gray_h2z.png").size == (50, 37)
    assert Image.open(out / "palette_h2z.png").size == (50, 37)
    assert Image.open(out / "deep_h2z.png").size == (30, 20)
    assert Image.open(out / "sub" / "phone_h2z.png").size == (10, 24)
    with_alpha = Image.open(out / "alpha_h2z.png")
    assert with_alpha.mode == "RGBA"
    assert np.array_equal(np.asarray(with_alpha)[..., 3], np.asarray(Image.open(tmp_path / "in" / "alpha.png"))[..., 3])


def test_tile_option_splits_large_images_and_keeps_their_size(cyclegan_dir, tmp_path):
    source = photo(tmp_path / "big.png", size=(130, 90))
    assert run(cyclegan_dir, "-i", source, "-o", tmp_path / "whole.png").exit_code == 0
    assert run(cyclegan_dir, "-i", source, "-o", tmp_path / "one.png", "--tile", "256").exit_code == 0
    result = run(cyclegan_dir, "-i", source, "-o", tmp_path / "tiled.png", "--tile", "48")
    assert result.exit_code == 0, result.output
    whole = np.asarray(Image.open(tmp_path / "whole.png"))
    # a tile larger than the image is the whole image; blending itself is tested in test_tiling
    assert np.array_equal(whole, np.asarray(Image.open(tmp_path / "one.png")))
    tiled = np.asarray(Image.open(tmp_path / "tiled.png"))
    assert tiled.shape == whole.shape == (90, 130, 3) and not np.array_equal(tiled, whole)


def test_folder_runs_skip_their_own_outputs_and_clashes_are_refused(cyclegan_dir, tmp_path):
    photo(tmp_path / "a.png")
    assert run(cyclegan_dir, "-i", tmp_path).exit_code == 0
    assert run(cyclegan_dir, "-i", tmp_path, "--force").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a_h2z.png"]
    photo(tmp_path / "a.jpg")
    clash = run(cyclegan_dir, "-i", tmp_path / "a.png", "-i", tmp_path / "a.jpg", "-o", tmp_path / "o")
    assert clash.exit_code != 0 and "both be written" in clash.output


def test_user_errors_are_one_line(cyclegan_dir, tmp_path):
    for args, message in [
        ((cyclegan_dir,), "--input"),
        ((cyclegan_dir, "-i", tmp_path / "missing.png"), "no such file"),
        ((cyclegan_dir, "-i", photo(tmp_path / "x.png"), "-o", tmp_path / "x.xyz"), "cannot write"),
        ((cyclegan_dir, "-i", tmp_path / "x.png", "--device", "cuda:7"), "device"),
    ]:
        result = run(*args)
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    (tmp_path / "broken.png").write_bytes(b"not a png")
    result = run(cyclegan_dir, "-i", tmp_path / "broken.png")
    assert result.exit_code != 0 and "broken.png" in result.output


def test_noise_models_write_a_grid(tmp_path):
    torch.manual_seed(0)
    tiny = {"ngf": 8, "ndf": 8, "latent_dim": 8}
    dcgan = save_pretrained(build_model("dcgan", tiny), tmp_path / "dc")
    result = run(dcgan, "--n", "4", "--seed", "3", "--out", tmp_path / "grid.png")
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "grid.png").size[0] > 64
    assert run(dcgan, "--n", "4", "--out", tmp_path / "grid.png").exit_code != 0  # no overwrite
    refused = run(dcgan, "--input", tmp_path / "grid.png")
    assert refused.exit_code != 0 and "noise" in refused.output


def test_toy_models_default_to_enough_points_to_show_every_mode(tmp_path):
    toy = build_model("gan", {"hidden": 8, "layers": 1})
    assert default_count(toy) == 2500  # the mode-coverage metric's count
    assert default_count(build_model("dcgan", {"ngf": 8, "ndf": 8})) == DEFAULT_SAMPLES
    folder = save_pretrained(toy, tmp_path / "toy")
    result = run(folder, "--out", tmp_path / "points.png")
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "points.png").size[0] > 100


def test_model_label():
    assert model_label("hf://org/horse2zebra@v1.0") == "horse2zebra"
    assert model_label("runs/my model/") == "my-model"
    assert model_label("runs/m1/model.safetensors") == "m1"
    assert model_label("cyclegan") == "cyclegan"


def test_precision_fp32_writes_the_exact_translation(cyclegan_dir, tmp_path):
    import ganzoo

    source = photo(tmp_path / "photo.png")
    result = run(cyclegan_dir, "--input", source, "--precision", "fp32", "--out",
                 tmp_path / "fp32.png")
    assert result.exit_code == 0, result.output
    image = torch.from_numpy(np.asarray(Image.open(source), dtype=np.float32) / 255)
    exact = ganzoo.load(cyclegan_dir).translate(image.permute(2, 0, 1)[None], precision="fp32")
    expected = (exact[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "fp32.png")), expected)
    bad = run(cyclegan_dir, "--input", source, "--precision", "fp16")
    assert bad.exit_code != 0 and "'fp16' is not one of 'auto', 'fp32', 'bf16'" in bad.output
