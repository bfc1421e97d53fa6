"""pix2pix: conditional objective, training on paired folders, reference conversion, inference."""

import numpy as np
import pytest
import torch
from PIL import Image
from test_nets import Reference

import ganzoo
from ganzoo.building import build_model
from ganzoo.config import build_config
from ganzoo.data.spec import load_dataset
from ganzoo.errors import GanzooError
from ganzoo.layout import save_pretrained
from ganzoo.train import TrainConfig, Trainer

TINY = {"netG": "unet_128", "ngf": 4, "ndf": 4, "netD": "n_layers", "n_layers_D": 2,
        "image_size": 128}


def test_default_architecture_and_recipe():
    model = build_model("pix2pix")
    count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
    assert count(model.generator) == 54_413_955  # U-Net-256 with BatchNorm
    assert model.discriminator.model[0].in_channels == 6  # D sees input and output stacked
    assert model.config.lambda_l1 == 100.0 and model.config.dropout
    assert model.preprocessing()["size_multiple"] == 256


def test_objective_is_conditional_gan_plus_l1():
    torch.manual_seed(0)
    model = build_model("pix2pix", TINY)
    batch = {"A": torch.rand(2, 3, 128, 128), "B": torch.rand(2, 3, 128, 128)}
    torch.manual_seed(1)
    out = model.generator_step(batch)
    torch.manual_seed(1)  # same dropout masks
    a, b = model.from_unit(batch["A"]), model.from_unit(batch["B"])
    with torch.no_grad():
        fake = model.generator(a)
        scores = model.discriminator(torch.cat([a, fake], 1))
        expected = torch.nn.functional.softplus(-scores).mean() + 100 * (fake - b).abs().mean()
    assert abs(out.loss.item() - expected.item()) < 1e-4
    d = model.discriminator_step(batch)
    assert set(d.logs) == {"D"} and d.loss.requires_grad
    reverse = build_model("pix2pix", {**TINY, "direction": "BtoA", "channels_b": 1})
    assert reverse.generator.model.model[0].in_channels == 1  # B (gray) is the input


@pytest.mark.slow
def test_training_on_a_paired_folder_lowers_l1(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(6):  # A|B files: B is A inverted
        a = (rng.random((8, 8, 3)) * 255).astype(np.uint8)
        a = np.asarray(Image.fromarray(a).resize((128, 128), Image.BILINEAR))
        Image.fromarray(np.concatenate([a, 255 - a], 1)).save(tmp_path / f"{i}.png")
    data = load_dataset(f"paired:{tmp_path}?image_size=128&preprocess=crop")
    model = build_model("pix2pix", {**TINY, "lr": 1e-3, "ngf": 8})
    config = TrainConfig(steps=50, batch_size=2, ema_decay=0, device="cpu", sample_every=0,
                         checkpoint_every=0, log_every=5, threads=1)
    trainer = Trainer(model, data, config, out_dir=tmp_path / "run")
    trainer.fit()
    l1 = [row["G_L1"] for row in trainer.history]
    assert l1[-1] < 0.6 * l1[0], l1
    trained = ganzoo.load(tmp_path / "run")
    x = data[0]["A"][None]
    error = (trained.translate(x) - (1 - x)).abs().mean()
    assert error < 0.15, error


def test_converted_reference_unet_matches_reference_forward(tmp_path):
    x = torch.rand(1, 3, 256, 256) * 2 - 1
    reference = Reference("batch", batch_statistics=True)
    with torch.no_grad():
        expected = reference.unet(x, 3, 3, 8, 4)
    cls = type(build_model("pix2pix", TINY))
    config = build_config(cls.Config, {"ngf": 4})
    tensors = cls.convert_checkpoint(reference.state, config)
    assert all(k.startswith("generator.") for k in tensors)
    model = build_model("pix2pix", {"ngf": 4})
    model.load_state_dict({**model.state_dict(), **tensors})
    save_pretrained(model, tmp_path / "facades")
    loaded = ganzoo.load(tmp_path / "facades")
    # the reference test script normalizes with each image's own statistics: so do we
    got = loaded.translate((x + 1) / 2)
    assert (got - (expected + 1) / 2).abs().max() < 1e-5
    running = Reference("batch")  # same seed, same weights; eval-mode statistics
    with torch.no_grad():
        eval_expected = running.unet(x, 3, 3, 8, 4)
    model.config.inference_batchnorm = "running"
    assert (model.eval().translate((x + 1) / 2) - (eval_expected + 1) / 2).abs().max() < 1e-5
    # a reference discriminator file converts too
    d_reference = Reference("batch")
    d_reference.patchgan(torch.rand(1, 6, 64, 64), 6, 4, 3)
    d_tensors = cls.convert_checkpoint(d_reference.state, build_config(cls.Config, {"ndf": 4}))
    assert all(k.startswith("discriminator.") for k in d_tensors)
    with pytest.raises(GanzooError, match="netG="):
        cls.convert_checkpoint(reference.state, build_config(cls.Config, {"ngf": 8}))


def test_translate_pads_to_the_unet_multiple_and_crops_back():
    model = build_model("pix2pix", TINY).eval()
    out = model.translate(torch.rand(1, 3, 100, 150))
    assert out.shape == (1, 3, 100, 150) and 0 <= out.min() and out.max() <= 1
    state = {k: v.clone() for k, v in model.generator.state_dict().items()}
    model.translate(torch.rand(1, 3, 64, 64))  # per-image BatchNorm must not touch running stats
    assert all(torch.equal(v, model.generator.state_dict()[k]) for k, v in state.items())
    assert model.translate(torch.rand(1, 3, 64, 64)).shape == (1, 3, 64, 64)
    with pytest.raises(GanzooError, match="AtoB only"):
        model.translate(torch.rand(1, 3, 8, 8), direction="BtoA")


def test_l1_only_ablation_trains_no_discriminator():
    model = build_model("pix2pix", {**TINY, "lambda_gan": 0.0})
    assert [s.role for s in model.training_steps()] == ["generator"]
    out = model.generator_step({"A": torch.rand(1, 3, 128, 128), "B": torch.rand(1, 3, 128, 128)})
    assert set(out.logs) == {"G_L1"}
