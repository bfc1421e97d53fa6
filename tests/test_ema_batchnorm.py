"""The saved EMA generator carries BatchNorm statistics of its own (averaged) weights, not the
live generator's: its running means and variances match what its layers actually see."""

import copy

import pytest
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

import ganzoo
from ganzoo.building import build_model
from ganzoo.data.digits import Digits
from ganzoo.train import TrainConfig, Trainer
from ganzoo.train.standing_stats import recompute_batchnorm


def measured_statistics(generator, inputs):
    """Per BatchNorm layer: mean and variance of its input over ``inputs``, with every BN
    normalizing by its batch (the network as the statistics describe it)."""
    network = copy.deepcopy(generator).train()
    seen = {}
    hooks = [module.register_forward_hook(
        lambda m, args, _, name=name: seen.__setitem__(name, args[0]))
        for name, module in network.named_modules() if isinstance(module, _BatchNorm)]
    with torch.no_grad():
        network(*inputs)
    for hook in hooks:
        hook.remove()
    return {name: (x.mean([0, *range(2, x.dim())]), x.var([0, *range(2, x.dim())]))
            for name, x in seen.items()}


def noise(n, model):
    z = torch.randn(n, model.config.latent_dim, generator=torch.Generator().manual_seed(7))
    return (z, torch.arange(n) % model.config.num_classes) if model.task == "conditional" else (z,)


#: variant → (values, tolerances of the mean in standard deviations and of the variance
#: ratio, samples measured). A large step size moves DCGAN's live weights far from their average, so the two sets
#: of statistics differ clearly (up to 18 % in variance before the fix, 1.5 % after). cGAN
#: samples in eval mode, which must not stop the statistics being measured; its 256 channels
#: measured on 4,096 samples need wider bounds (sampling error ~1.6 % of a std per channel).
CASES = {"dcgan": ({"ngf": 8, "ndf": 8, "lr_g": 5e-2, "lr_d": 5e-2}, 0.04, 0.08, 65536),
         "cgan": ({"g_width": 16, "d_width": 8}, 0.1, 0.15, 16384)}


@pytest.mark.parametrize("variant", list(CASES))
def test_saved_ema_generator_has_batchnorm_statistics_of_its_own_weights(tmp_path, variant):
    torch.manual_seed(0)
    values, mean_tolerance, var_tolerance, samples = CASES[variant]
    model = build_model(variant, values)
    config = TrainConfig(steps=20, batch_size=64, device="cpu", sample_every=0,
                         checkpoint_every=0, log_every=10, preview_count=16, threads=1,
                         ema_decay=0.999, ema_bn_batches=64)
    Trainer(model, Digits(), config, out_dir=tmp_path / "run").fit()
    saved = ganzoo.load(str(tmp_path / "run"))
    truth = measured_statistics(saved.generator, noise(samples, saved))
    layers = dict(saved.generator.named_modules())
    assert truth
    for name, (mean, var) in truth.items():
        layer = layers[name]
        assert ((layer.running_mean - mean).abs() / var.sqrt()).max() < mean_tolerance, name
        assert ((layer.running_var / var) - 1).abs().max() < var_tolerance, name


def test_recompute_batchnorm_averages_batch_statistics_even_when_the_feed_samples_in_eval():
    """Variants sample in eval mode (cGAN, InfoGAN force it): the layers must still see, and
    normalize with, batch statistics, or every layer after the first measures garbage."""
    network = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=0.3), nn.Linear(4, 2),
                            nn.BatchNorm1d(2)).eval()
    batches = [torch.randn(16, 3, generator=torch.Generator().manual_seed(k)) for k in range(4)]
    trained = copy.deepcopy(network).train()

    def feed(k):
        network.eval()  # as cGAN's preview does
        network(batches[k])

    recompute_batchnorm([network], feed, 4)
    first, second = network[1], network[3]
    with torch.no_grad():
        inner = [trained[0](b) for b in batches]
        outer = [trained[2](trained[1](h)) for h in inner]  # BN 1 normalizing by the batch
    for layer, features in ((first, inner), (second, outer)):
        assert torch.allclose(layer.running_mean, torch.stack([f.mean(0) for f in features]).mean(0),
                              atol=1e-6)
        assert torch.allclose(layer.running_var, torch.stack([f.var(0) for f in features]).mean(0),
                              atol=1e-6)
        assert int(layer.num_batches_tracked) == 4 and not layer.training
    assert first.momentum == 0.3
