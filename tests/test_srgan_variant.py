"""srresnet/srgan variants: training through the Trainer, init_from, translate (tiles, alpha,
grayscale, fast path), and the CLI: train → sample, convert."""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo_srgan.degrade import DegradedPairs, bicubic_downscale, round_to_8bit
from ganzoo.errors import GanzooError
from ganzoo.train import TrainConfig, Trainer
from ganzoo.nets.fast_inference import BF16_MAX_ERROR
from ganzoo_srgan.upscaling import network_function

_add_core_commands()
TINY = {"blocks": 1, "features": 8, "image_size": 16}


def smooth_image(size=48, seed=0):
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 3, size // 8, size // 8, generator=generator)
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode="bicubic",
                                           align_corners=False).clamp(0, 1)[0]


def fit(model, dataset, steps, out=None, batch=4):
    config = TrainConfig(steps=steps, batch_size=batch, seed=0, device="cpu", ema_decay=0.0,
                         sample_every=0, checkpoint_every=0, log_every=1, preview_count=2)
    trainer = Trainer(model, dataset, config, out_dir=out)
    trainer.fit()
    return trainer


def test_srresnet_learns_on_bicubic_pairs():
    torch.manual_seed(0)
    model = build_model("srresnet", {**TINY, "scale": 2, "lr": 1e-3})
    pairs = DegradedPairs([smooth_image()], scale=2, patch_size=16, length=64)
    history = fit(model, pairs, 30).history
    first, last = history[0]["mse"], np.mean([row["mse"] for row in history[-5:]])
    assert last < 0.5 * first


def test_hr_only_batches_are_cropped_and_degraded():
    model = build_model("srresnet", {**TINY, "scale": 4})
    hr = torch.rand(2, 3, 40, 44)
    lr, target = model.pairs(hr)
    assert lr.shape == (2, 3, 4, 4) and target.shape == (2, 3, 16, 16)
    torch.testing.assert_close(lr, round_to_8bit(bicubic_downscale(target, 4)), rtol=0, atol=0)
    unrounded = build_model("srresnet", {**TINY, "scale": 4, "quantize_lr": False})
    torch.manual_seed(0)
    lr, target = unrounded.pairs(hr)
    torch.testing.assert_close(lr, bicubic_downscale(target, 4), rtol=0, atol=0)
    # Pairs of another scale keep their HR crops and are re-degraded at the model's scale.
    lr, target = model.pairs([torch.rand(2, 3, 8, 8), torch.rand(2, 3, 16, 16)])
    assert lr.shape == (2, 3, 4, 4) and target.shape == (2, 3, 16, 16)
    with pytest.raises(GanzooError, match="image batches"):
        model.pairs(torch.rand(2, 5))


def test_quantize_lr_setting_reaches_the_sr_dataset():
    from ganzoo.cli.train import dataset_options

    def options(explicit):
        return dataset_options({"variant": "srresnet", "data": "sr:x", "recipe": {},
                                "explicit": explicit})

    assert options({})["quantize_lr"] is True
    assert options({"quantize_lr": False})["quantize_lr"] is False
    assert "quantize_lr" not in dataset_options({"variant": "cgan", "data": "digits",
                                                 "recipe": {}, "explicit": {}})
    # images:PATH reads the folder the way the variant declares (SR: HR crops + reductions)
    assert dataset_options({"variant": "srresnet", "data": "images:x", "recipe": {},
                            "explicit": {}})["images_as"] == "sr"


def test_images_data_gives_sr_pairs_to_sr_variants_and_resized_images_to_others(tmp_path):
    from ganzoo.data.image_folder import ImageFolder
    from ganzoo.data.spec import load_dataset

    for seed in range(2):
        array = (smooth_image(64, seed).permute(1, 2, 0).numpy() * 255).astype(np.uint8)
        Image.fromarray(array).save(tmp_path / f"p{seed}.png")
    pairs = load_dataset(f"images:{tmp_path}", images_as="sr", scale=2, image_size=32,
                         channels=3, quantize_lr=True)
    assert isinstance(pairs, DegradedPairs)
    lr, hr = pairs[0]
    assert lr.shape == (3, 16, 16) and hr.shape == (3, 32, 32)
    folder = load_dataset(f"images:{tmp_path}", image_size=16, channels=3)
    assert isinstance(folder, ImageFolder) and folder[0].shape == (3, 16, 16)
    with pytest.raises(GanzooError, match="needs a"):
        load_dataset("images", scale=4)


@pytest.mark.parametrize("discriminator", ["vgg", "patch"])
def test_srgan_starts_from_a_trained_srresnet_and_trains_both_networks(tmp_path, discriminator):
    torch.manual_seed(0)
    pairs = DegradedPairs([smooth_image()], scale=4, patch_size=16, length=16)
    fit(build_model("srresnet", TINY), pairs, 2, out=tmp_path / "srresnet")
    trained = ganzoo.load(str(tmp_path / "srresnet"))
    gan = build_model("srgan", {**TINY, "d_features": 4, "discriminator": discriminator,
                                "init_from": str(tmp_path / "srresnet")})
    gan.load_initial_weights()
    for key, value in trained.generator.state_dict().items():
        torch.testing.assert_close(gan.generator.state_dict()[key], value)
    before = {k: v.clone() for k, v in gan.state_dict().items()}
    fit(gan, pairs, 2, out=tmp_path / "srgan")
    for prefix in ("generator.", "discriminator."):
        assert any(not torch.equal(before[k], v) for k, v in gan.state_dict().items()
                   if k.startswith(prefix) and v.is_floating_point())
    config = json.loads((tmp_path / "srgan" / "config.json").read_text())
    assert config["variant"] == "srgan" and config["preprocessing"]["scale"] == 4
    # Loading the published folder never needs init_from's folder again.
    (tmp_path / "srresnet" / "model.safetensors").unlink()
    assert ganzoo.load(str(tmp_path / "srgan")).translate(torch.rand(1, 3, 6, 6)).shape == (
        1, 3, 24, 24)


def test_discriminator_kinds_score_crops_or_patches():
    crops = torch.rand(2, 3, 64, 64)
    vgg = build_model("srgan", {**TINY, "d_features": 4}).discriminator
    assert vgg(crops).shape == (2, 1)
    patch = build_model("srgan", {**TINY, "d_features": 4, "discriminator": "patch"})
    assert patch.discriminator(crops).shape == (2, 1, 14, 14)  # 34x34 patches, stride 4
    with pytest.raises(GanzooError, match="vgg.*patch"):
        build_model("srgan", {**TINY, "discriminator": "unet"})


def test_init_from_another_scale_is_refused(tmp_path):
    pairs = DegradedPairs([smooth_image()], scale=2, patch_size=16, length=8)
    fit(build_model("srresnet", {**TINY, "scale": 2}), pairs, 1, out=tmp_path / "x2")
    gan = build_model("srgan", {**TINY, "d_features": 4, "init_from": str(tmp_path / "x2")})
    with pytest.raises(GanzooError, match="scale 4"):
        gan.load_initial_weights()


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model("srresnet", {**TINY, "scale": 2}).eval()


def test_translate_rgb_rgba_and_grayscale(model):
    rgb = model.translate(torch.rand(2, 3, 10, 12))
    assert rgb.shape == (2, 3, 20, 24) and rgb.min() >= 0 and rgb.max() <= 1
    rgba = torch.rand(1, 4, 10, 12)
    out = model.translate(rgba)
    assert out.shape == (1, 4, 20, 24)
    alpha = torch.nn.functional.interpolate(rgba[:, 3:], scale_factor=2, mode="bicubic",
                                            align_corners=False).clamp(0, 1)
    torch.testing.assert_close(out[:, 3:], alpha)
    torch.testing.assert_close(out[:, :3], model.translate(rgba[:, :3]))
    gray = model.translate(torch.rand(1, 1, 10, 12))
    assert gray.shape == (1, 1, 20, 24)


def test_grayscale_model_upscales_rgb_channel_by_channel():
    gray_model = build_model("srresnet", {**TINY, "scale": 2, "channels": 1}).eval()
    image = torch.rand(1, 3, 8, 8)
    out = gray_model.translate(image)
    assert out.shape == (1, 3, 16, 16)
    torch.testing.assert_close(out[:, 1:2], gray_model.translate(image[:, 1:2]))


def test_large_inputs_run_in_tiles_of_bounded_size(model):
    seen = []
    handle = model.generator.register_forward_pre_hook(lambda m, args: seen.append(args[0].shape))
    model.config.inference_precision, model.config.tile_overlap = "fp32", 10
    try:
        image = smooth_image(40)[None]
        tiled = model.translate(image, tile=20)
        whole = model.translate(image, tile=64)
    finally:
        handle.remove()
        model.config.inference_precision, model.config.tile_overlap = "auto", 8
    assert max(max(s[-2:]) for s in seen[:-1]) <= 20 and len(seen) > 4
    # Blended overlaps stay close to the untiled result (tile edges only see zero padding).
    assert (tiled - whole).abs().mean() < 2e-3


def test_fast_path_stays_within_tolerance_and_follows_weight_changes(model):
    image = smooth_image(24)[None]
    model.config.inference_precision = "fp32"
    plain = model.translate(image)
    model.config.inference_precision = "auto"
    fast = model.translate(image)
    # The verdict comes from a probe image; on another image bf16 stays within a level of it.
    assert (fast - plain).abs().max() <= BF16_MAX_ERROR + 1 / 255
    assert network_function(model).precision in ("bf16", "fp32")
    with torch.no_grad():
        model.generator.tail.bias.add_(0.2)
    try:
        assert (model.translate(image) - fast).abs().mean() > 0.05
    finally:
        with torch.no_grad():
            model.generator.tail.bias.sub_(0.2)
    assert model.generator.tail.weight.is_contiguous()  # saving still works


def test_preview_shows_input_output_and_truth(model):
    fixed = model.preview_inputs([torch.rand(3, 3, 8, 8), torch.rand(3, 3, 16, 16)], 2,
                                 torch.Generator())
    grid = model.preview(fixed)
    assert grid.shape == (2, 3, 16, 48) and grid.min() >= 0 and grid.max() <= 1


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_cli_train_then_sample_a_png(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for seed in range(2):
        array = (smooth_image(64, seed).permute(1, 2, 0).numpy() * 255).astype(np.uint8)
        Image.fromarray(array).save(photos / f"p{seed}.png")
    out = tmp_path / "run"
    # images: is the spelling; for an SR variant it means sr: (HR crops + bicubic LR).
    result = invoke("train", "srresnet", "--data", f"images:{photos}", "--steps", "3",
                    "--batch-size", "2", "--out", str(out), "--set", "blocks=1",
                    "--set", "features=8", "--set", "image_size=32", "--set", "scale=2",
                    "--set", "sample_every=0", "--set", "threads=1")
    assert result.exit_code == 0, result.output
    small = tmp_path / "small.png"
    Image.fromarray(np.full((20, 30, 4), 200, dtype=np.uint8)).save(small)  # RGBA
    result = invoke("sample", str(out), "--input", str(small), "--out", str(tmp_path / "up"))
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "up").glob("*.png"))
    assert len(written) == 1
    with Image.open(written[0]) as image:
        assert image.size == (60, 40)


def test_cli_converts_a_basicsr_checkpoint(tmp_path):
    from test_srgan_convert import basicsr_checkpoint

    checkpoint = tmp_path / "msrresnet_x2.pth"
    torch.save(basicsr_checkpoint(feat=8, blocks=2, scale=2), checkpoint)
    out = tmp_path / "converted"
    result = CliRunner().invoke(cli, ["convert", str(checkpoint), "--variant", "srresnet",
                                      "--out", str(out), "--set", "scale=2"])
    assert result.exit_code != 0 and "--set arch=msrresnet" in result.output
    result = invoke("convert", str(checkpoint), "--variant", "srresnet", "--out", str(out),
                    "--set", "arch=msrresnet", "--set", "scale=2", "--set", "features=8",
                    "--set", "blocks=2")
    assert result.exit_code == 0, result.output
    converted = ganzoo.load(str(out))
    assert converted.translate(torch.rand(1, 3, 5, 5)).shape == (1, 3, 10, 10)
