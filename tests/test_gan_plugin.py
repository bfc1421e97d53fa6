"""The ganzoo-gan plugin: gan (MLP), dcgan, wgan-gp — shapes, sampling API, every loss."""

import pytest
import torch

from ganzoo.building import build_model
from ganzoo.data.digits import digits
from ganzoo.data.toy import ring8
from ganzoo.errors import GanzooError
from ganzoo.losses import adversarial_loss_names
from ganzoo.train import TrainConfig, Trainer

TINY = {"gan": {"hidden": 16, "layers": 1}, "wgan-gp": {"hidden": 16, "layers": 1},
        "dcgan": {"ngf": 8, "ndf": 8, "latent_dim": 8}}


def tiny(name, **values):
    torch.manual_seed(0)
    return build_model(name, {**TINY[name], **values})


def run(model, data, steps=2):
    config = TrainConfig(steps=steps, batch_size=16, device="cpu", sample_every=0,
                         checkpoint_every=0, log_every=1, threads=1)
    return Trainer(model, data, config).fit()


def test_toy_generators_and_discriminators_shapes():
    for name in ("gan", "wgan-gp"):
        model = tiny(name, pack=3)
        z = torch.randn(6, model.config.latent_dim)
        assert model.generator(z).shape == (6, 2)
        assert model.discriminator.body[0].in_features == 6  # PacGAN: 3 packed 2-D points
        assert model.score(torch.randn(6, 2)).shape == (2,)


def test_discriminator_width_is_its_own_setting(tmp_path):
    import ganzoo
    from ganzoo.layout import save_pretrained

    model = tiny("gan", hidden=16, d_hidden=8, layers=2)
    g_widths = {m.out_features for m in model.generator.net if isinstance(m, torch.nn.Linear)}
    d_widths = {m.out_features for m in model.discriminator.body if isinstance(m, torch.nn.Linear)}
    assert g_widths == {16, 2} and d_widths == {8} and model.discriminator.head.in_features == 8
    run(model, ring8())
    save_pretrained(model, tmp_path / "m")
    loaded = ganzoo.load(str(tmp_path / "m"))
    assert loaded.discriminator.head.in_features == 8
    torch.testing.assert_close(loaded.sample(5, seed=1), model.sample(5, seed=1))


def test_fused_adam_is_the_same_update_in_one_kernel():
    plain, fused = tiny("gan"), tiny("gan", fused_adam=True)
    assert all(opt.defaults["fused"] for opt in fused.optimizers().values())
    assert not any(opt.defaults["fused"] for opt in plain.optimizers().values())
    start = [p.detach().clone() for p in plain.parameters()]
    run(plain, ring8(), steps=5)
    run(fused, ring8(), steps=5)
    moved = max((p - s).abs().max().item() for p, s in zip(plain.parameters(), start))
    assert moved > 1e-3  # the runs really trained...
    for a, b in zip(plain.parameters(), fused.parameters()):  # ...and agree to float rounding
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)


def test_mlp_edge_layers_stay_fp32_under_bf16_autocast():
    model = tiny("gan", layers=2)
    z, points = torch.randn(8, model.config.latent_dim), torch.randn(8, 2) * 4
    with torch.autocast("cpu", dtype=torch.bfloat16):
        fake, score = model.generator(z), model.discriminator(points)
        first_hidden = model.discriminator.body[0](points)
        middle = model.discriminator.body[2](first_hidden)
    # Coordinates written and scores read in fp32, exactly as without autocast...
    assert fake.dtype == score.dtype == first_hidden.dtype == torch.float32
    torch.testing.assert_close(first_hidden, model.discriminator.body[0](points), rtol=0, atol=0)
    # ...while the wide hidden layers run in bf16.
    assert middle.dtype == torch.bfloat16
    # The same keys as plain Linear layers: weights trained before load unchanged.
    assert "discriminator.head.weight" in model.state_dict()


def test_toy_sampling_is_seeded_points():
    model = tiny("gan")
    a, b = model.sample(50, seed=1), model.sample(50, seed=1)
    assert a.shape == (50, 2) and torch.equal(a, b)
    assert not torch.equal(a, model.sample(50, seed=2))
    with pytest.raises(GanzooError, match="unconditional"):
        model.sample(4, label=3)
    with pytest.raises(GanzooError, match="positive integer"):
        model.sample(0)


@pytest.mark.parametrize("size", [8, 16, 64])
def test_dcgan_architecture_scales_with_image_size(size):
    model = tiny("dcgan", image_size=size, channels=3)
    images = model.sample(2, seed=0)
    assert images.shape == (2, 3, size, size)
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert model.discriminator(torch.rand(2, 3, size, size)).shape == (2,)
    bn = [m for m in model.generator.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bn and abs(bn[0].weight.mean().item() - 1.0) < 0.05  # DCGAN init N(1, 0.02)


def test_dcgan_rejects_sizes_that_are_not_powers_of_two():
    with pytest.raises(GanzooError, match="power of two"):
        tiny("dcgan", image_size=12)


def test_wgan_gp_defaults_are_the_papers():
    cfg = build_model("wgan-gp").config
    assert (cfg.loss, cfg.penalty, cfg.penalty_weight, cfg.n_critic) == \
        ("wasserstein", "gradient-penalty", 10.0, 5)
    assert (cfg.lr_g, tuple(cfg.betas)) == (1e-4, (0.5, 0.9))


@pytest.mark.parametrize("loss", ["minimax", "non-saturating", "wasserstein", "hinge",
                                  "least-squares"])
@pytest.mark.parametrize("name", ["gan", "dcgan", "wgan-gp"])
def test_every_variant_trains_with_every_registered_loss(name, loss):
    assert loss in adversarial_loss_names()
    model = tiny(name, loss=loss)
    data = digits() if name == "dcgan" else ring8(points=500)
    before = [p.detach().clone() for p in model.generator.parameters()]
    summary = run(model, data)
    assert summary["steps"] == 2
    assert any(not torch.equal(a, b) for a, b in zip(before, model.generator.parameters()))


def test_vanilla_gan_on_flattened_digits_makes_images():
    model = tiny("gan", data_shape=[1, 8, 8], latent_dim=8)
    assert model.task == "unconditional"
    run(model, digits(), steps=3)
    images = model.sample(5, seed=0)
    assert images.shape == (5, 1, 8, 8) and 0.0 <= images.min() and images.max() <= 1.0
    assert model.preprocessing() == {"value_range": [-1.0, 1.0], "channels": 1, "image_size": 8}


def test_minibatch_std_feature_and_penalties_train():
    for values in ({"minibatch_std": True}, {"penalty": "gradient-penalty", "penalty_weight": 1.0},
                   {"penalty": "none"}):
        model = tiny("gan", **values)
        summary = run(model, ring8(points=500))
        assert summary["steps"] == 2


def test_minibatch_std_is_the_batch_feature_spread_and_stays_finite_when_collapsed():
    from ganzoo_gan.vanilla import MLPDiscriminator

    d = MLPDiscriminator(2, hidden=16, layers=2, minibatch_std=True)
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    seen = {}
    d.head.register_forward_hook(lambda module, inputs, out: seen.update(h=inputs[0]))
    d(x)
    features, spread = seen["h"][:, :-1], seen["h"][:, -1]
    assert torch.allclose(spread, features.std(0, unbiased=False).mean().expand(32), atol=1e-6)
    # A fully collapsed batch (every sample equal): a bare square root's gradient is NaN there.
    same = torch.zeros(8, 2, requires_grad=True)
    d(same).sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in d.parameters())
    assert torch.isfinite(same.grad).all()


def test_wrong_data_shape_is_a_clear_error():
    with pytest.raises(GanzooError, match=r"data has shape \(1, 8, 8\) per item but the model was built for \[2\] \(from its settings\); train on data of that shape"):
        run(tiny("gan"), digits())
    with pytest.raises(GanzooError, match="data_shape must be"):
        tiny("gan", data_shape=[2, 3])


def test_mixture_latent_picks_components_uniformly_and_is_the_documented_map():
    from ganzoo_gan.mixture_latent import MixtureLatent

    torch.manual_seed(0)
    mixture = MixtureLatent(components=10, dim=3, scale=0.02)
    noise = torch.randn(20_000, 4, generator=torch.Generator().manual_seed(1))
    out = mixture(noise)
    # Component k holds the noise whose first coordinate falls in the k-th tenth of N(0, 1).
    k = (torch.special.ndtr(noise[:, 0]) * 10).long().clamp(max=9)
    expected = mixture.means[k] + mixture.log_scales[k].exp() * noise[:, 1:]
    torch.testing.assert_close(out, expected)
    counts = torch.bincount(k, minlength=10).float()
    assert (counts - 2000).abs().max() < 200  # uniform: about 2,000 ± 45 each
    assert torch.allclose(mixture.log_scales.exp(), torch.tensor(0.02))
    # Means and scales are learned: G's loss reaches them.
    out.square().sum().backward()
    assert mixture.means.grad.abs().sum() > 0 and mixture.log_scales.grad.abs().sum() > 0


def test_gan_with_a_mixture_latent_trains_saves_and_loads(tmp_path):
    import ganzoo
    from ganzoo.layout import save_pretrained

    model = tiny("gan", latent_dim=3, latent_components=7, latent_component_scale=0.05)
    assert model.generator.latent_dim == 4  # 3 dimensions + the coordinate picking a component
    means = model.generator.mixture.means.detach().clone()
    run(model, ring8(points=500), steps=3)
    assert not torch.equal(means, model.generator.mixture.means)
    assert model.sample(6, seed=2).shape == (6, 2)
    save_pretrained(model, tmp_path / "m")
    loaded = ganzoo.load(str(tmp_path / "m"))
    torch.testing.assert_close(loaded.sample(50, seed=3), model.sample(50, seed=3))
    # Under bf16 autocast the mixture and G's output layer stay fp32: every sample keeps its
    # component, and the points are written in full precision.
    z = torch.randn(256, 4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed, points = model.generator.mixture(z), model.generator(z)
    assert mixed.dtype == points.dtype == torch.float32
    torch.testing.assert_close(mixed, model.generator.mixture(z), rtol=0, atol=0)


def test_gan_mixture_latent_settings_are_checked():
    with pytest.raises(GanzooError, match="latent_components: must not be negative"):
        tiny("gan", latent_components=-2)
    with pytest.raises(GanzooError, match="latent_component_scale > 0"):
        tiny("gan", latent_components=4, latent_component_scale=0.0)


def test_gan_with_a_mixture_latent_exports_to_onnx(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
    pytest.importorskip("onnx", reason="the [onnx] extra is not installed")
    from ganzoo.onnx_export import export_onnx

    model = tiny("gan", latent_dim=3, latent_components=7)
    path = export_onnx(model, tmp_path / "gan.onnx")
    z = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: z.numpy()})[0]
    with torch.no_grad():
        expected = model.generator(z).numpy()
    assert abs(got - expected).max() < 1e-5
