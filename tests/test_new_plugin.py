"""``ganzoo new-plugin``: names, files, refusal to overwrite, every task's scaffold passing the
conformance kit, and the real thing — pip-install a scaffold, list it, train it, run its tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

import ganzoo
import ganzoo.plugins as plugins
from ganzoo.cli import cli
from ganzoo.cli.new_plugin import SCAFFOLD_TASKS, check_name, command, names_for, scaffold
from ganzoo.errors import GanzooError
from ganzoo.testing import CHECKS, check_variant

BIN = Path(sys.executable).parent
cli.add_command(command)  # the real group: its error handling turns GanzooError into one line


@pytest.mark.parametrize("name", ["mygan", "style-gan2", "a", "x1-y2-z3"])
def test_valid_names(name):
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["MyGan", "my_gan", "2gan", "-gan", "gan-", "my--gan", "my gan",
                                  "", "g" * 41, "ganzoo-mygan", "gän"])
def test_invalid_names_state_the_rule(name):
    with pytest.raises(GanzooError) as caught:
        check_name(name)
    message = str(caught.value)
    assert ("lower-case letters, digits and single hyphens" in message
            or "without the prefix" in message)


def test_core_is_reserved_for_the_core_distribution():
    with pytest.raises(GanzooError, match="reserved.*ganzoo-core"):
        check_name("core")
    assert check_name("core-gan") == "core-gan"


def test_names_for_each_spelling():
    assert names_for("style-gan2") == {"name": "style-gan2", "dist": "ganzoo-style-gan2",
                                       "module": "ganzoo_style_gan2", "class_name": "StyleGan2"}


def test_scaffold_writes_a_complete_distribution(tmp_path):
    target = scaffold("my-gan", tmp_path)
    assert target == tmp_path / "ganzoo-my-gan"
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == ["LICENSE", "README.md", "ganzoo_my_gan/__init__.py",
                     "ganzoo_my_gan/variant.py", "pyproject.toml", "tests/test_ganzoo_my_gan.py"]
    pyproject = (target / "pyproject.toml").read_text()
    assert 'name = "ganzoo-my-gan"' in pyproject
    assert f'dependencies = ["ganzoo-core>={ganzoo.__version__}"]' in pyproject
    assert '[project.entry-points.ganzoo]\nmy-gan = "ganzoo_my_gan"' in pyproject
    init = (target / "ganzoo_my_gan" / "__init__.py").read_text()
    assert '"ganzoo_my_gan.variant:MyGan"' in init and "import torch" not in init
    assert "parametrize_with_checks([\"my-gan\"])" in (
        target / "tests" / "test_ganzoo_my_gan.py").read_text()
    for path in target.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(), path
    compile((target / "ganzoo_my_gan" / "variant.py").read_text(), "variant.py", "exec")


def test_every_template_file_ships_in_the_package():
    """pyproject's package-data globs must match every template, or a wheel install of ganzoo
    would scaffold nothing (editable installs hide this)."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["ganzoo"]
    package = root / "ganzoo"
    shipped = {p for pattern in globs for p in package.glob(pattern) if p.is_file()}
    templates = {p for p in (package / "templates" / "plugin").rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts}
    assert templates and templates <= shipped, sorted(map(str, templates - shipped))


def test_existing_directory_is_never_touched(tmp_path):
    existing = tmp_path / "ganzoo-mygan"
    existing.mkdir()
    (existing / "mine.txt").write_text("user data")
    result = CliRunner().invoke(cli, ["new-plugin", "mygan", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "already exists" in result.output and "Traceback" not in result.output
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]
    assert (existing / "mine.txt").read_text() == "user data"


def test_cli_rejects_bad_names_and_installed_variants(tmp_path):
    bad = CliRunner().invoke(cli, ["new-plugin", "Bad_Name", "--dir", str(tmp_path)])
    assert bad.exit_code != 0 and "lower-case letters" in bad.output
    taken = CliRunner().invoke(cli, ["new-plugin", "dcgan", "--dir", str(tmp_path)])
    assert taken.exit_code != 0 and "already installed" in taken.output
    assert not any(tmp_path.iterdir())


def test_cli_creates_the_plugin_and_prints_next_steps(tmp_path):
    result = CliRunner().invoke(cli, ["new-plugin", "fresh", "--dir", str(tmp_path),
                                      "--task", "conditional"])
    assert result.exit_code == 0, result.output
    assert "pip install -e" in result.output and "ganzoo train fresh --data digits" in result.output
    assert 'task="conditional"' in (tmp_path / "ganzoo-fresh" / "ganzoo_fresh" /
                                    "__init__.py").read_text()
    help_text = CliRunner().invoke(cli, ["new-plugin", "--help"]).output
    assert "--task" in help_text and "super-resolution" in help_text


@pytest.mark.slow
@pytest.mark.parametrize("task", SCAFFOLD_TASKS)
def test_every_task_scaffold_passes_the_conformance_kit(task, tmp_path, monkeypatch):
    name = f"kit-{task.split('-')[0]}"
    target = scaffold(name, tmp_path, task)
    monkeypatch.syspath_prepend(str(target))
    entry = metadata.EntryPoint(name=f"ganzoo-{name}", value=names_for(name)["module"],
                                group="ganzoo")
    monkeypatch.setattr(plugins, "_catalog",
                        plugins.build_catalog(entry_points=[*plugins._entry_points(), entry]))
    check_variant(name)
    if task in ("unconditional", "conditional"):  # image D steps report their verdicts
        from ganzoo.building import build_model
        from ganzoo.data.spec import load_dataset
        from ganzoo.train import TrainConfig, Trainer

        model = build_model(name, {"channels": 1, "image_size": 8}
                            if task == "unconditional" else {})
        trainer = Trainer(model, load_dataset("digits"),
                          TrainConfig(steps=4, batch_size=8, ema_decay=0, threads=1,
                                      sample_every=0, diffaugment="color,translation",
                                      ada_target=0.6))
        trainer.fit()  # refused after one iteration if the template reported no verdicts
        assert trainer.ada.seen_verdicts


def _run(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GANZOO_LOAD_PLUGINS", "GANZOO_STRICT_PLUGINS", "PYTHONPATH")}
    env["TQDM_DISABLE"] = "1"
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


@pytest.mark.slow
@pytest.mark.xdist_group("pip")
def test_scaffold_installs_with_pip_lists_trains_and_passes_its_tests(tmp_path):
    name = f"scaffold{uuid.uuid4().hex[:8]}"  # unique per run: never clashes with a leftover
    made = _run(str(BIN / "ganzoo"), "new-plugin", name, "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    folder = tmp_path / f"ganzoo-{name}"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    try:
        installed = _run(*pip, "install", "--no-deps", "--no-build-isolation", "--no-index",
                         "-e", str(folder))
        assert installed.returncode == 0, installed.stdout + installed.stderr

        listed = _run(str(BIN / "ganzoo"), "list", name)
        assert listed.returncode == 0, listed.stderr
        assert name in listed.stdout and f"ganzoo-{name} 0.1.0" in listed.stdout
        assert f"ganzoo-{name}" not in listed.stderr  # no load or registration warning

        out = tmp_path / "run"
        trained = _run(str(BIN / "ganzoo"), "train", name, "--data", "digits", "--steps", "2",
                       "--out", str(out))
        assert trained.returncode == 0, trained.stdout + trained.stderr
        assert (out / "config.json").is_file() and (out / "model.safetensors").is_file()
        loaded = _run(sys.executable, "-c",
                      f"import ganzoo; m = ganzoo.load({str(out)!r}); "
                      f"x = m.sample(4, seed=0); print(type(m).__name__, tuple(x.shape))")
        assert loaded.returncode == 0, loaded.stderr
        assert loaded.stdout.split() == [names_for(name)["class_name"], "(4,", "1,", "8,", "8)"]

        grid = tmp_path / "samples.png"
        sampled = _run(str(BIN / "ganzoo"), "sample", str(out), "--n", "16", "--out", str(grid))
        assert sampled.returncode == 0, sampled.stdout + sampled.stderr
        assert grid.stat().st_size > 0

        tests = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                     "-p", "no:xdist", str(folder / "tests"), cwd=folder)
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert f"{len(CHECKS)} passed" in tests.stdout, tests.stdout
    finally:
        removed = _run(*pip, "uninstall", "--yes", f"ganzoo-{name}")
    assert removed.returncode == 0, removed.stderr
    after = _run(str(BIN / "ganzoo"), "list", "--json")
    assert after.returncode == 0, after.stderr
    assert name not in {row["name"] for row in json.loads(after.stdout)}
