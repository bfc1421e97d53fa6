"""`ganzoo.load` builds without random initialisation when the weights file replaces it, and
gives exactly the model the ordinary build + load gives; otherwise it builds the ordinary way."""

from __future__ import annotations

import threading
from importlib import metadata

import pytest
import torch
from torch import nn

import ganzoo
from ganzoo import hookimpl
from ganzoo.building import build_model
from ganzoo.init_skipping import SkippedRandomInit
from ganzoo.layout import load_pretrained_folder, save_pretrained
from tiny_variant_model import TinyGAN


class UnsavedInitGAN(TinyGAN):
    """A tiny GAN holding a randomly initialised parameter that no weights file carries."""

    def __init__(self, config=None):
        super().__init__(config)
        self.offset = nn.Parameter(torch.empty(64))
        nn.init.uniform_(self.offset, 3.0, 3.0)  # a "random" fill with a known result


@hookimpl
def register_variants(register):
    register("unsaved-init", f"{__name__}:UnsavedInitGAN", task="toy",
             summary="test-only: a parameter outside the saved networks")


@pytest.fixture
def unsaved_init_variant(tiny_variant, monkeypatch):
    import ganzoo.plugins as plugins

    entry = metadata.EntryPoint(name="ganzoo-unsaved-init", value=__name__, group="ganzoo")
    catalog = plugins.build_catalog(entry_points=[*plugins._entry_points(), entry])
    monkeypatch.setattr(plugins, "_catalog", catalog)
    return catalog


def assert_same_state(a: nn.Module, b: nn.Module) -> None:
    left, right = a.state_dict(), b.state_dict()
    assert left.keys() == right.keys()
    for key in left:
        assert torch.equal(left[key], right[key]), key


def test_random_fills_are_skipped_and_recorded():
    state = torch.get_rng_state()
    with SkippedRandomInit() as skipped:
        layer = nn.Conv2d(3, 8, 3)
        nn.init.normal_(layer.weight, 0.0, 0.02)
        nn.init.zeros_(layer.bias)  # not random: still runs
    assert torch.equal(torch.get_rng_state(), state)  # no random number was drawn
    assert torch.equal(layer.bias, torch.zeros(8))
    assert any(t is layer.weight for t in skipped.skipped)
    assert not skipped.replaced_by([])
    fresh = nn.Conv2d(3, 8, 3)
    layer.load_state_dict(fresh.state_dict())
    assert skipped.replaced_by(layer.state_dict().values())
    assert torch.equal(layer.weight, fresh.weight)


def test_other_threads_keep_their_initialisation():
    filled = {}

    def build_elsewhere():
        filled["weight"] = nn.init.uniform_(torch.zeros(16), 3.0, 3.0)

    with SkippedRandomInit() as skipped:
        worker = threading.Thread(target=build_elsewhere)
        worker.start()
        worker.join()
    assert torch.equal(filled["weight"], torch.full((16,), 3.0))
    assert skipped.skipped == []


@pytest.mark.parametrize("values", [
    {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4},                       # with discriminators
    {"netG": "unet_128", "ngf": 4, "ndf": 4, "norm": "batch", "generators": "AtoB"},
])
def test_load_equals_the_ordinary_build_and_draws_no_random_numbers(values, tmp_path):
    torch.manual_seed(0)
    folder = save_pretrained(build_model("cyclegan", values), tmp_path / "model")
    ordinary = load_pretrained_folder(folder)
    state = torch.get_rng_state()
    fast = ganzoo.load(str(folder))
    assert torch.equal(torch.get_rng_state(), state)  # the initialisation was skipped
    assert_same_state(fast, ordinary)
    assert not fast.training
    image = torch.rand(1, 3, 40, 36, generator=torch.Generator().manual_seed(1))
    assert torch.equal(fast.translate(image, precision="fp32"),
                       ordinary.translate(image, precision="fp32"))


def test_networks_missing_from_the_file_are_initialised_the_ordinary_way(tmp_path):
    torch.manual_seed(0)
    model = build_model("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4})
    folder = save_pretrained(model, tmp_path / "g-only", include_discriminator=False)
    torch.manual_seed(5)
    expected = load_pretrained_folder(folder)
    torch.manual_seed(5)
    loaded = ganzoo.load(str(folder))
    # The discriminators are not in the file: they come from the ordinary build, seeded alike.
    assert_same_state(loaded, expected)
    assert torch.isfinite(loaded.discriminator_a.model[0].weight).all()


def test_a_random_tensor_the_file_lacks_triggers_the_ordinary_build(unsaved_init_variant,
                                                                     tmp_path):
    torch.manual_seed(0)
    model = build_model("unsaved-init", {"hidden": 6})
    folder = save_pretrained(model, tmp_path / "model")
    loaded = ganzoo.load(str(folder))
    assert torch.equal(loaded.offset.detach(), torch.full((64,), 3.0))
    assert_same_state(loaded.generator, model.generator)


def test_tiny_variant_round_trip_is_unchanged(tiny_variant, tmp_path):
    torch.manual_seed(0)
    model = build_model("tiny", {"hidden": 6})
    model.train()
    with torch.no_grad():
        model.generator(torch.randn(32, 4) * 3 + 1)  # BatchNorm running statistics
    folder = save_pretrained(model, tmp_path / "tiny")
    loaded = ganzoo.load(str(folder))
    assert_same_state(loaded, model)
    assert torch.equal(loaded.generator.scratch, torch.zeros(1))  # non-persistent, not random
