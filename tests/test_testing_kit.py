"""The conformance kit (`ganzoo.testing`) passes a correct variant and catches broken ones.

Each broken variant is a real plugin module written to a temporary folder and loaded through
an entry point, exactly as an installed plugin would be; each has one defect, and the test
asserts that the right check fails with a message naming plugin, variant, check and fix.
"""

from __future__ import annotations

import textwrap
from importlib import metadata
from pathlib import Path

import pytest

import ganzoo.plugins as plugins
from ganzoo.testing import (CHECKS, ConformanceError, all_checks, check_variant,
                            parametrize_with_checks)
from ganzoo.testing.hook_docs import BEGIN, END, render_hooks, splice

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"

# One plugin registering a variant per defect; every model subclasses the correct tiny GAN.
BROKEN_PLUGIN = '''
from ganzoo import hookimpl

DEFECTS = ["no-summary", "unseeded", "frozen-d", "hidden-state", "list-config", "task-mismatch",
           "grad-output", "scalar-d"]


@hookimpl
def register_variants(register):
    for defect in DEFECTS:
        summary = "" if defect == "no-summary" else f"tiny GAN with the defect {defect}"
        task = "unconditional" if defect == "task-mismatch" else "toy"
        class_name = "".join(part.capitalize() for part in defect.split("-"))
        register(f"kit-{defect}", f"ganzoo_kitbroken.models:{class_name}", task=task,
                 summary=summary)
'''

BROKEN_MODELS = '''
from dataclasses import dataclass, field

import torch

from tiny_variant_model import TinyConfig, TinyGAN


class NoSummary(TinyGAN):
    pass


class Unseeded(TinyGAN):
    def sample(self, n, seed=None, **conditioning):
        return super().sample(n, seed=None)  # ignores the seed


class FrozenD(TinyGAN):
    def optimizers(self):
        # The discriminator's optimizer gets no parameters of the discriminator.
        opts = super().optimizers()
        opts["discriminator"] = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        return opts


class HiddenState(TinyGAN):
    def __init__(self, config=None):
        super().__init__(config)
        self.shift = torch.randn(2)  # affects outputs, but is neither parameter nor buffer

    def sample(self, n, seed=None, **conditioning):
        return super().sample(n, seed) + self.shift


@dataclass
class ListTypedConfig(TinyConfig):
    betas: list = (0.5, 0.999)  # annotated as list, holds a tuple: changes through JSON


class ListConfig(TinyGAN):
    Config = ListTypedConfig


class TaskMismatch(TinyGAN):
    pass  # class says toy, registration says unconditional


class ScalarD(TinyGAN):
    def __init__(self, config=None):
        super().__init__(config)
        inner = self.discriminator

        class Averaged(torch.nn.Module):  # one score for the whole batch: not per sample
            def __init__(self):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                return self.inner(x).mean()

        self.discriminator = Averaged()


class GradOutput(TinyGAN):
    def sample(self, n, seed=None, **conditioning):
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        return self.generator(torch.randn(n, self.config.latent_dim, generator=generator))
'''

TORCH_AT_REGISTRATION = '''
import torch  # imported by every `ganzoo list`: exactly what the kit must catch

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("kit-eager", "tiny_variant_model:TinyGAN", task="toy", summary="eager plugin")
'''


def _write_package(root: Path, name: str, files: dict[str, str]) -> None:
    package = root / name
    package.mkdir(parents=True)
    for file_name, source in files.items():
        (package / file_name).write_text(textwrap.dedent(source))


@pytest.fixture
def broken_catalog(tmp_path, monkeypatch):
    """The installed plugins plus two broken ones, loaded through real entry points."""
    _write_package(tmp_path, "ganzoo_kitbroken", {"__init__.py": BROKEN_PLUGIN,
                                                  "models.py": BROKEN_MODELS})
    _write_package(tmp_path, "ganzoo_kiteager", {"__init__.py": TORCH_AT_REGISTRATION})
    monkeypatch.syspath_prepend(str(tmp_path))
    entries = [metadata.EntryPoint(name="ganzoo-kitbroken", value="ganzoo_kitbroken",
                                   group="ganzoo"),
               metadata.EntryPoint(name="ganzoo-kiteager", value="ganzoo_kiteager",
                                   group="ganzoo"),
               metadata.EntryPoint(name="ganzoo-tiny", value="tiny_variant", group="ganzoo")]
    catalog = plugins.build_catalog(entry_points=[*plugins._entry_points(), *entries])
    monkeypatch.setattr(plugins, "_catalog", catalog)
    return catalog


def _failure(variant: str, check_name: str) -> str:
    check = next(c for c in all_checks() if c.name == check_name)
    with pytest.raises(ConformanceError) as caught:
        check(variant)
    message = str(caught.value)
    assert check_name in message and f"variant '{variant}'" in message
    assert "Fix:" in message and "\n" not in message
    return message


def test_a_correct_variant_passes_every_check(tiny_variant):
    check_variant("tiny")  # raises ConformanceError listing failures otherwise


@pytest.mark.parametrize(("variant", "check", "expected"), [
    ("kit-no-summary", "check_registration", "no summary"),
    ("kit-eager", "check_registration", "imports torch"),
    ("kit-task-mismatch", "check_registration", "task='toy'"),
    ("kit-list-config", "check_config_round_trip", "betas"),
    ("kit-unseeded", "check_seeded_determinism", "sample(n, seed=7) differs"),
    ("kit-grad-output", "check_inference_contract", "requires grad"),
    ("kit-frozen-d", "check_training_step", "network 'discriminator' did not change"),
    ("kit-scalar-d", "check_training_step", "first dimension is not the batch"),
    ("kit-hidden-state", "check_save_load_round_trip", "outputs differ"),
])
def test_each_defect_fails_the_check_that_targets_it(broken_catalog, variant, check, expected):
    message = _failure(variant, check)
    assert expected in message, message
    plugin = "ganzoo-kiteager" if variant == "kit-eager" else "ganzoo-kitbroken"
    assert message.startswith(plugin)


def test_defects_do_not_trip_unrelated_checks(broken_catalog):
    # The unseeded variant is otherwise correct: only the checks that compare seeded samples
    # (determinism, save/load, device move) may fail.
    passing = {"check_registration", "check_config_round_trip", "check_network_attributes",
               "check_inference_contract", "check_training_step"}
    for check in all_checks():
        if check.name in passing:
            check("kit-unseeded")


def test_image_variant_with_wrong_range_is_caught(tmp_path, monkeypatch):
    # An image-to-image model returning its network range ([-1, 1]) instead of [0, 1].
    _write_package(tmp_path, "ganzoo_kitrange", {
        "__init__.py": '''
            from ganzoo import hookimpl

            @hookimpl
            def register_variants(register):
                register("kit-range", "ganzoo_kitrange.model:Identityish",
                         task="image-to-image", summary="returns [-1, 1]")
        ''',
        "model.py": '''
            from dataclasses import dataclass

            import torch
            from torch import nn

            from ganzoo.interfaces import GANModel, StepOutput


            @dataclass
            class Config:
                width: int = 4


            class Identityish(GANModel):
                Config = Config
                task = "image-to-image"

                def __init__(self, config=None):
                    super().__init__(config)
                    self.generator = nn.Conv2d(3, 3, 1)
                    self.discriminator = nn.Conv2d(3, 1, 1)

                def discriminator_step(self, batch):
                    return StepOutput(self.discriminator(batch[1]).mean())

                def generator_step(self, batch):
                    return StepOutput(-self.discriminator(self.generator(batch[0])).mean())

                @torch.no_grad()
                def translate(self, images, **options):
                    return torch.tanh(self.generator(self.from_unit(images))) * 0 - 1
        '''})
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = metadata.EntryPoint(name="ganzoo-kitrange", value="ganzoo_kitrange", group="ganzoo")
    monkeypatch.setattr(plugins, "_catalog",
                        plugins.build_catalog(entry_points=[*plugins._entry_points(), entry]))
    message = _failure("kit-range", "check_inference_contract")
    assert "not [0, 1]" in message


def test_check_variant_lists_every_failure(broken_catalog):
    with pytest.raises(ConformanceError) as caught:
        check_variant("kit-hidden-state")
    text = str(caught.value)
    assert text.splitlines()[0].endswith("check(s) failed:")
    assert "check_save_load_round_trip" in text


def test_parametrize_with_checks_makes_one_test_per_variant_and_check():
    mark = parametrize_with_checks(["alpha", "beta"])
    assert mark.args[0] == ("variant", "check")
    params = mark.args[1]
    assert len(params) == 2 * len(CHECKS)
    assert params[0].id == "alpha-check_registration"
    assert {p.values[0] for p in params} == {"alpha", "beta"}
    assert [p.values[1].name for p in params[:len(CHECKS)]] == [f.__name__ for f in CHECKS]


def test_importing_the_kit_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys, ganzoo.testing, ganzoo.testing.hook_docs; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_guide_hooks_section_matches_the_hookspec_docstrings():
    document = DOCS.read_text(encoding="utf-8")
    assert BEGIN in document and END in document
    assert splice(document) == document, (
        "docs/plugins.md's hooks section is out of date; run "
        "`python -m ganzoo.testing.hook_docs docs/plugins.md`")
    from ganzoo import hookspecs

    for name in ("register_variants", "register_losses", "register_datasets",
                 "register_metrics", "register_pretrained", "register_commands"):
        assert hasattr(hookspecs, name)
        assert f"### `{name}(" in render_hooks()


def test_hook_docs_command_rewrites_only_the_marked_section(tmp_path):
    import subprocess
    import sys

    page = tmp_path / "guide.md"
    page.write_text(f"# Intro\n\n{BEGIN}\nstale text\n{END}\n\n## After\n")
    done = subprocess.run([sys.executable, "-m", "ganzoo.testing.hook_docs", str(page)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = page.read_text()
    assert text.startswith("# Intro\n\n") and text.endswith(f"{END}\n\n## After\n")
    assert "stale text" not in text and render_hooks() in text
    with pytest.raises(ValueError, match="markers"):
        splice("no markers here")
