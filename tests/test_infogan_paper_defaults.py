"""``infogan`` defaults to the paper's objective (GAN loss + λ · the variational MI bound, nothing
else); the digits additions are one named option, ``invariant_clustering``, refused on data
they do not fit."""

import copy
import math

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.data.digits import Digits
from ganzoo.errors import GanzooError

_add_core_commands()


@pytest.fixture(scope="module")
def batch():
    return [Digits().images[:16], None]


def paper_objective(model, batch, step):
    """The step's loss written from the paper: the adversarial loss plus
    ``λ · (CE(c) + λ_cont · NLL(c_cont))`` on fakes, from the same draws the step makes."""
    from ganzoo_infogan.codes import mutual_information_loss

    c = model.config
    real = batch[0] * 2 - 1
    with torch.set_grad_enabled(step == "generator"):
        fake, codes = model._fake(len(real))
    score, q = model.discriminator.both(fake)
    categorical, continuous = mutual_information_loss(*q, codes)
    if step == "generator":
        adversarial = model.loss.generator(score)
    else:
        adversarial = model.loss.discriminator(model.discriminator(real), score)
    return adversarial + c.info_weight * (categorical + c.continuous_weight * continuous)


def test_defaults_are_the_papers_settings():
    from ganzoo_infogan.variant import PAPER_SETTINGS

    config = build_model("infogan").config
    assert not config.invariant_clustering
    for name, value in PAPER_SETTINGS.items():
        assert getattr(config, name) == value, name
    assert config.info_weight == 1.0                     # λ = 1 for the discrete code
    assert config.lr_q == config.lr_d == 2e-4            # Q is D's head, at D's rate
    assert config.real_cluster_weight == 0 and not config.style_views


@pytest.mark.parametrize("step", ["discriminator", "generator"])
def test_default_step_is_the_mi_bound_and_nothing_more(batch, step):
    """No clustering or augmentation term is computed (not merely weighted 0): the logs hold
    only the adversarial and MI parts, and the loss equals the paper's objective exactly."""
    torch.manual_seed(0)
    model = build_model("infogan")
    by_hand = copy.deepcopy(model)
    torch.manual_seed(1)
    out = getattr(model, f"{step}_step")(batch)
    assert set(out.logs) == {f"{step[0]}_loss", "info_cat", "info_cont"}
    assert 0 < out.logs["info_cat"] < 2 * math.log(10)   # the categorical CE is really there
    torch.manual_seed(1)
    assert torch.allclose(out.loss, paper_objective(by_hand, batch, step), atol=1e-6)


def test_invariant_clustering_turns_the_additions_on(batch):
    from ganzoo_infogan.variant import INVARIANT_CLUSTERING_SETTINGS

    torch.manual_seed(0)
    model = build_model("infogan", {"invariant_clustering": True})
    for name, value in INVARIANT_CLUSTERING_SETTINGS.items():
        assert getattr(model.config, name) == value, name
    logs = model.discriminator_step(batch).logs
    assert logs["real_invariance"] < 0                   # the IIC term (an MI, negated)
    # Q reads the fakes' category from style views: a different reading than from clean fakes.
    by_hand = copy.deepcopy(model)
    torch.manual_seed(1)
    augmented = model.generator_step(batch).logs["info_cat"]
    by_hand.config.fake_augment = False
    torch.manual_seed(1)
    assert by_hand.generator_step(batch).logs["info_cat"] != augmented


def test_settings_given_with_the_option_win():
    config = build_model("infogan", {"invariant_clustering": True, "fake_augment": False,
                                     "real_invariance_weight": 1.0, "lr_d": 1e-4}).config
    assert (config.fake_augment, config.real_invariance_weight, config.lr_d) == (False, 1.0, 1e-4)
    assert config.lr_q == 1e-3 and config.invariance_balance == 1.5  # the rest from the option
    assert build_model("infogan", {"lr_d": 1e-3}).config.lr_q == 1e-3  # paper: Q follows D


@pytest.mark.parametrize("settings", [{"invariant_clustering": True},
                                      {"real_invariance_weight": 3.0},
                                      {"fake_augment": True}])
def test_style_views_are_refused_on_colour_images(settings):
    with pytest.raises(GanzooError, match="this data has 3 channels; drop invariant_clustering"
                       ) as info:
        build_model("infogan", {**settings, "channels": 3, "image_size": 16})
    assert "\n" not in str(info.value)
    build_model("infogan", {"channels": 3, "image_size": 16})  # the paper's InfoGAN trains on it


def test_style_views_are_refused_on_light_backgrounds(batch):
    inverted = [1 - batch[0], None]                      # dark strokes on white
    torch.manual_seed(0)
    with pytest.raises(GanzooError, match="borders average 0\\.8[0-9] \\(light\\); drop "
                       "invariant_clustering") as info:
        build_model("infogan", {"invariant_clustering": True}).discriminator_step(inverted)
    assert "\n" not in str(info.value)
    assert "info_cat" in build_model("infogan").discriminator_step(inverted).logs


def test_cli_refuses_the_option_on_a_colour_folder(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(4):
        Image.new("RGB", (16, 16), (40 * i, 90, 200)).save(folder / f"{i}.png")
    result = CliRunner().invoke(cli, ["train", "infogan", "--data", f"folder:{folder}",
                                      "--set", "image_size=16", "--set",
                                      "invariant_clustering=true", "--steps", "1",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    assert "3 channels; drop invariant_clustering" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run" / "model.safetensors").exists()
