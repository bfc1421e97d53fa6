"""``ganzoo new-plugin NAME``: scaffold a pip-installable plugin with one small, real variant.

The files come from ``ganzoo/templates/plugin/``: ``common/`` for every task (pyproject, README,
LICENSE placeholder, the hookimpl module, a pytest file that runs ``ganzoo.testing``) and one
``<task>/variant.py.tmpl`` per task. Placeholders are ``{{key}}``; rendering fails loudly if one
is left over, so a template and this module cannot drift apart silently.
"""

from __future__ import annotations

import keyword
import re
from importlib import resources
from pathlib import Path

import click

from ..errors import GanzooError

SCAFFOLD_TASKS = ("unconditional", "conditional", "image-to-image", "super-resolution")
# Per task: the summary `ganzoo list` shows, the data it trains on, how to sample it.
_TASK_TEXT = {
    "unconditional": ("small convolutional GAN (R1-regularised) generating images from noise",
                      "digits", "ganzoo sample runs/{name} --n 16 --out samples.png"),
    "conditional": ("small class-conditional GAN with a projection discriminator",
                    "digits", "ganzoo sample runs/{name} --cond label=3 --n 16 --out threes.png"),
    "image-to-image": ("small pix2pix-style U-Net GAN that learns to colorize gray photos",
                       "folder:PATH", "ganzoo sample runs/{name} --input gray.png"),
    "super-resolution": ("small residual x4 super-resolution GAN (SRGAN-style, sub-pixel "
                         "upsampling)", "sr:PATH", "ganzoo sample runs/{name} --input small.png"),
}
# Per task: plugins the scaffold builds on. The image-to-image scaffold reuses the U-Net and the
# any-size inference of the pix2pix plugin, the way a third-party plugin builds on another one.
_TASK_DEPENDENCIES = {"image-to-image": ("ganzoo-pix2pix>=0.1",)}
NAME_RULE = ("lower-case letters, digits and single hyphens, starting with a letter, at most "
             "40 characters (e.g. mygan, style-gan2)")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# ganzoo-NAME must not collide with the core's own distribution, ganzoo-core.
_RESERVED = {"core": "the core's distribution is ganzoo-core"}
# Where each rendered file goes, relative to PATH/ganzoo-NAME/.
_COMMON_FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "LICENSE.tmpl": "LICENSE",
    "__init__.py.tmpl": "{module}/__init__.py",
    "test_conformance.py.tmpl": "tests/test_{module}.py",
}


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid variant name, else raise a GanzooError stating the rule."""
    if name.startswith("ganzoo-") or name.startswith("ganzoo_"):
        raise GanzooError(f"give the variant name without the prefix: `ganzoo new-plugin "
                          f"{name[7:] or 'NAME'}` creates the distribution ganzoo-{name[7:] or 'NAME'}")
    if len(name) > 40 or not _NAME.match(name):
        raise GanzooError(f"invalid plugin name {name!r}: use {NAME_RULE}")
    if name in _RESERVED:
        raise GanzooError(f"the plugin name {name!r} is reserved ({_RESERVED[name]}); "
                          f"pick another, e.g. {name}-gan")
    return name


def names_for(name: str) -> dict[str, str]:
    """Every spelling the templates need: distribution, module, class, variant."""
    module = "ganzoo_" + name.replace("-", "_")
    class_name = "".join(part.capitalize() for part in name.split("-"))
    if keyword.iskeyword(class_name) or not class_name.isidentifier():  # never, but be explicit
        raise GanzooError(f"invalid plugin name {name!r}: use {NAME_RULE}")
    return {"name": name, "dist": f"ganzoo-{name}", "module": module, "class_name": class_name}


def render(text: str, values: dict[str, str], source: str) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.search(r"\{\{\s*(\w+)\s*\}\}", text)
    if left:
        raise GanzooError(f"template {source} uses unknown placeholder {left.group(0)}; "
                          f"this is a bug in ganzoo, please report it")
    return text


def scaffold(name: str, directory: Path, task: str = "unconditional") -> Path:
    """Create ``directory/ganzoo-NAME/`` and return its path; never touches an existing folder."""
    from .. import __version__

    check_name(name)
    if task not in SCAFFOLD_TASKS:
        raise GanzooError(f"unknown task {task!r}; choose one of {', '.join(SCAFFOLD_TASKS)}")
    values = names_for(name)
    summary, default_data, sample_command = _TASK_TEXT[task]
    extra = "".join(f', "{d}"' for d in _TASK_DEPENDENCIES.get(task, ()))
    values.update(task=task, ganzoo_version=__version__, summary=summary,
                  extra_dependencies=extra,
                  default_data=default_data, sample_command=sample_command.format(name=name))
    target = Path(directory) / values["dist"]
    if target.exists():
        raise GanzooError(f"{target} already exists; remove it or choose another --dir or NAME")

    templates = resources.files("ganzoo") / "templates" / "plugin"
    files = {f"common/{src}": dst.format(**values) for src, dst in _COMMON_FILES.items()}
    files[f"{task}/variant.py.tmpl"] = f"{values['module']}/variant.py"
    rendered = {dst: render((templates / src).read_text(encoding="utf-8"), values, src)
                for src, dst in files.items()}
    # Write into a sibling temp folder and rename: a failure never leaves half a plugin behind.
    staging = target.with_name(f".{target.name}.partial")
    if staging.exists():
        raise GanzooError(f"{staging} exists (left by an interrupted run); remove it and retry")
    try:
        for dst, text in rendered.items():
            path = staging / dst
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        staging.rename(target)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


@click.command("new-plugin")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True,
              help="Folder in which to create ganzoo-NAME/.")
@click.option("--task", type=click.Choice(SCAFFOLD_TASKS), default="unconditional",
              show_default=True, help="What the scaffolded variant does.")
def command(name: str, directory: Path, task: str) -> None:
    """Create ganzoo-NAME/, a pip-installable plugin registering one working variant NAME.

    The variant is small but real: it trains (unconditional and conditional on
    `--data digits`, image-to-image as a colorizer on `--data folder:PATH`, super-resolution
    on `--data sr:PATH`) and passes the conformance kit (`pytest ganzoo-NAME/tests`). The
    next steps are printed at the end. Never overwrites: an existing ganzoo-NAME/ is an error.

    NAME: lower-case letters, digits and single hyphens, starting with a letter.
    """
    from ..plugins import get_catalog

    check_name(name)
    existing = get_catalog().items["variant"].get(name)
    if existing is not None:
        raise GanzooError(f"a variant named '{name}' is already installed (from "
                          f"{existing.plugin}); choose another NAME")
    target = scaffold(name, directory, task)
    click.echo(f"Created {target}/ ({task} variant '{name}'). Next:")
    click.echo(f"  pip install -e {target}")
    click.echo(f"  ganzoo list {name}")
    click.echo(f"  ganzoo train {name} --data {_TASK_TEXT[task][1]} --steps 200 --out runs/{name}")
    click.echo(f"  pytest {target / 'tests'}")
