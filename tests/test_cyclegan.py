"""CycleGAN: objective, history pool, training through the Trainer, conversion of reference
checkpoints, and translation of images of any size."""

import pytest
import torch
from test_nets import Reference

import ganzoo
from ganzoo.building import build_model
from ganzoo.errors import GanzooError
from ganzoo.layout import save_pretrained
from ganzoo.train import TrainConfig, Trainer
from ganzoo_cyclegan.image_pool import ImagePool

TINY = {"netG": "resnet_6blocks", "netD": "n_layers", "n_layers_D": 2, "ngf": 4, "ndf": 4,
        "image_size": 16, "pool_size": 3}


def test_default_architecture_is_the_papers():
    model = build_model("cyclegan")
    count = lambda name: sum(p.numel() for p in getattr(model, name).parameters())  # noqa: E731
    assert count("generator_ab") == count("generator_ba") == 11_378_179
    assert count("discriminator_a") == count("discriminator_b") == 2_764_737
    cfg = model.config
    assert (cfg.lambda_cycle, cfg.lambda_identity, cfg.pool_size, cfg.norm) == (10.0, 0.5, 50, "instance")
    recipe = type(model).recipes["unpaired"]
    assert recipe["lr_decay_start"] == recipe["steps"] // 2 and recipe["batch_size"] == 1


def test_image_pool_returns_history_and_survives_checkpoints():
    torch.manual_seed(0)
    pool = ImagePool(3)
    first = torch.arange(3.0).view(3, 1, 1, 1).expand(3, 1, 2, 2)
    assert torch.equal(pool.query(first), first)  # filling: the new fakes come back
    returned = torch.cat([pool.query(torch.full((1, 1, 2, 2), 9.0)) for _ in range(40)])
    values = set(returned[:, 0, 0, 0].tolist())
    assert 9.0 in values and values & {0.0, 1.0, 2.0}  # a mix of new and stored fakes
    restored = ImagePool(3)
    restored.load_state_dict(pool.state_dict())
    assert torch.equal(restored.images, pool.images) and int(restored.count) == 3
    assert torch.equal(ImagePool(0).query(first), first)


def test_generator_objective_matches_the_paper():
    torch.manual_seed(0)
    model = build_model("cyclegan", TINY)
    batch = {"A": torch.rand(2, 3, 16, 16), "B": torch.rand(2, 3, 16, 16)}
    out = model.generator_step(batch)
    a, b = model.from_unit(batch["A"]), model.from_unit(batch["B"])
    with torch.no_grad():
        fake_b, fake_a = model.generator_ab(a), model.generator_ba(b)
        expected = (((model.discriminator_b(fake_b) - 1) ** 2).mean()
                    + ((model.discriminator_a(fake_a) - 1) ** 2).mean()
                    + 10 * (model.generator_ba(fake_b) - a).abs().mean()
                    + 10 * (model.generator_ab(fake_a) - b).abs().mean()
                    + 5 * ((model.generator_ab(b) - b).abs().mean()
                           + (model.generator_ba(a) - a).abs().mean()))
    assert abs(out.loss.item() - expected.item()) < 1e-5
    d = model.discriminator_step(batch)  # sees the fakes the generator step made
    assert d.loss.requires_grad and set(d.logs) == {"D_A", "D_B"}


@pytest.mark.slow
def test_training_learns_a_colour_mapping(tmp_path):
    # Domain B is domain A with red and blue swapped: a 1x1-conv-learnable mapping.
    torch.manual_seed(0)
    base = torch.rand(24, 3, 16, 16)
    smooth = torch.nn.functional.avg_pool2d(base, 3, 1, 1)

    class Unpaired(torch.utils.data.Dataset):
        def __len__(self):
            return 12

        def __getitem__(self, i):
            return {"A": smooth[i], "B": smooth[12 + (i * 5) % 12].flip(0)}

    model = build_model("cyclegan", {**TINY, "ngf": 8, "ndf": 8, "lr": 1e-3})
    test = smooth[:4]
    with torch.no_grad():
        before = (model.translate(test) - test.flip(1)).abs().mean()
    config = TrainConfig(steps=60, batch_size=4, ema_decay=0, lr_decay_start=30, device="cpu",
                         sample_every=0, checkpoint_every=0, log_every=10, threads=1)
    summary = Trainer(model, Unpaired(), config, out_dir=tmp_path / "run").fit()
    assert summary["steps"] == 60
    trained = ganzoo.load(tmp_path / "run")
    after = (trained.translate(test) - test.flip(1)).abs().mean()
    assert after < 0.6 * before, (before, after)
    assert (tmp_path / "run" / "samples.png").is_file()


def test_converted_reference_generator_matches_reference_forward(tmp_path):
    reference = Reference("instance")
    x = torch.rand(1, 3, 36, 44) * 2 - 1
    with torch.no_grad():
        expected = reference.resnet(x, 3, 3, 8, 9)
    cls = type(build_model("cyclegan", TINY))
    values = {"ngf": 8, "generators": "AtoB"}
    from ganzoo.config import build_config

    with pytest.raises(GanzooError, match="generators=AtoB"):
        cls.convert_checkpoint(reference.state, build_config(cls.Config, {"ngf": 8}))
    tensors = cls.convert_checkpoint(reference.state, build_config(cls.Config, values))
    assert set(tensors) == {f"generator_ab.{k}" for k in build_model("cyclegan", values)
                            .generator_ab.state_dict()}
    model = build_model("cyclegan", values)
    model.load_state_dict(tensors, strict=False)
    save_pretrained(model, tmp_path / "h2z")
    loaded = ganzoo.load(tmp_path / "h2z")
    assert loaded.generator_names == ("generator_ab",) and loaded.discriminator_names == ()
    got = loaded.translate((x + 1) / 2)
    assert (got - (expected + 1) / 2).abs().max() < 1e-5
    with pytest.raises(GanzooError, match="--cond direction=AtoB"):
        loaded.translate(torch.rand(1, 3, 8, 8), direction="BtoA")
    assert loaded.preprocessing()["directions"] == ["AtoB"]


def test_translate_any_size_channels_and_tiles():
    torch.manual_seed(0)
    model = build_model("cyclegan", {**TINY, "channels_b": 1, "lambda_identity": 0}).eval()
    odd = torch.rand(2, 3, 37, 50)
    out = model.translate(odd)
    assert out.shape == (2, 1, 37, 50) and 0 <= out.min() and out.max() <= 1
    back = model.translate(torch.rand(1, 1, 5, 6), direction="BtoA")
    assert back.shape == (1, 3, 5, 6)
    gray_in = model.translate(torch.rand(1, 1, 20, 20))  # gray input to an RGB-input generator
    assert gray_in.shape == (1, 1, 20, 20)
    rgba = torch.rand(1, 4, 24, 24)
    out = model.translate(rgba)
    assert out.shape == (1, 2, 24, 24) and torch.equal(out[:, 1], rgba[:, 3])
    big = torch.rand(1, 3, 96, 80)
    whole, tiled = model.translate(big), model.translate(big, tile=48)
    # InstanceNorm statistics differ per tile, so tiles are close to, not equal to, the whole
    assert tiled.shape == whole.shape and (tiled - whole).abs().mean() < 0.05
    with pytest.raises(GanzooError, match="AtoB or BtoA"):
        model.translate(big, direction="sideways")
    with pytest.raises(GanzooError, match="identity"):
        build_model("cyclegan", {**TINY, "channels_b": 1})


def test_residual_generators_start_from_their_input_and_need_matching_channels(tmp_path):
    model = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4,
                                     "residual": True, "init_gain": 0.0}).eval()
    # Zero weights: every correction is tanh(0) = 0, so a residual generator is the identity.
    image = torch.rand(1, 3, 32, 32)
    torch.testing.assert_close(model.translate(image, precision="fp32"), image)
    loaded = ganzoo.load(save_pretrained(model, tmp_path / "res"))
    torch.testing.assert_close(loaded.translate(image, precision="fp32"), image)
    with pytest.raises(GanzooError, match="residual needs as many input as output channels"):
        build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "residual": True,
                                 "channels_a": 1, "lambda_identity": 0.0})
    # The logit-space residual starts from the input too (up to the 1e-3 kept off +-1).
    logit = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4,
                                     "residual": True, "residual_space": "logit",
                                     "init_gain": 0.0}).eval()
    torch.testing.assert_close(logit.translate(image, precision="fp32"), image,
                               atol=6e-4, rtol=0)
    with pytest.raises(GanzooError, match="only for the resnet"):
        build_model("cyclegan", {"netG": "unet_128", "ngf": 4, "residual": True,
                                 "residual_space": "logit"})
