"""``ganzoo sample NAME``: images from any model, the way users expect.

Image models (image-to-image, super-resolution) translate ``--input`` files or folders: any
size, any common format (grayscale, RGBA, 16-bit, palette, EXIF-rotated), each written as
``<stem>_<model>.png`` beside its input or under ``--out``, never over an existing file without
``--force``; large images run in tiles. Noise models write one grid (or scatter plot) PNG.
Everything the model needs (channels, value range, defaults) comes from its ``config.json``;
conditioning (a class label, a translation direction, ...) is passed as ``--cond KEY=VALUE``,
checked against the keys the variant declares (`ganzoo.GANModel.conditioning`).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from ..catalog import IMAGE_TASKS
from ..errors import GanzooError
from ..precision import INFERENCE_PRECISIONS
from ..thread_choice import choose_threads

#: Default grid width for models that offer ``sample_grid`` (class-by-row, traversals).
GRID_COLUMNS = 10
DEFAULT_SAMPLES = 16


def model_label(source: str) -> str:
    """A file-name-safe name for outputs: ``hf://org/horse2zebra@v1`` → ``horse2zebra``,
    ``runs/my-model/`` → ``my-model``, ``cyclegan`` → ``cyclegan``."""
    text = str(source)
    if text.startswith("hf://"):
        text = text[len("hf://"):].split("@", 1)[0]
    path = Path(text.rstrip("/"))
    name = (path.parent.name if path.suffix == ".safetensors"
            else path.stem if path.suffix == ".onnx" else path.name)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "model"


#: Longest file name (in bytes) common file systems accept.
_NAME_MAX = 255


def collect_inputs(paths: tuple[str, ...], label: str) -> list[tuple[Path, Path]]:
    """``(file, path relative to its input root)`` for every image named or under a folder.

    Files this command wrote earlier (``*_<label>.*``) are skipped inside folders, so running
    it twice on a folder does not translate its own outputs.
    """
    from ..data.image_folder import IMAGE_SUFFIXES, list_images

    found: list[tuple[Path, Path]] = []
    for text in paths:
        path = Path(text).expanduser()
        if path.is_dir():
            images = [f for f in list_images(path) if not f.stem.endswith(f"_{label}")]
            if not images:
                raise GanzooError(f"no images in folder {path} (looked for "
                                  f"{', '.join(IMAGE_SUFFIXES)})")
            found += [(f, f.relative_to(path)) for f in images]
        elif path.is_file():
            found.append((path, Path(path.name)))
        elif path.exists():  # reading a named pipe or device would block or never end
            raise GanzooError(f"--input {text}: not a regular file (a named pipe, socket or "
                              f"device); pass an image file or a folder")
        else:
            raise GanzooError(f"--input {text}: no such file or folder")
    return found


def plan_outputs(inputs: list[tuple[Path, Path]], out: str | None, label: str,
                 force: bool) -> list[tuple[Path, Path]]:
    """Pair each input with its output path; refuse clashes and, without ``force``, existing
    files — all before any work is done."""
    from ..imageio import image_format_for

    single_file_out = (out is not None and len(inputs) == 1 and Path(out).suffix != ""
                       and not Path(out).is_dir())
    plans = []
    for source, relative in inputs:
        name = f"{relative.stem}_{label}.png"
        if single_file_out:
            target = Path(out).expanduser()
            image_format_for(target)  # an unknown suffix fails now, not after the model ran
        elif out is not None:
            target = Path(out).expanduser() / relative.parent / name
        else:
            target = source.parent / name
        if len(os.fsencode(target.name)) > _NAME_MAX:
            raise GanzooError(f"the output name for {source} would be {len(target.name)} "
                              f"characters, more than file systems allow; rename the input or "
                              f"pass --out FILE")
        plans.append((source, target))
    targets = [t.resolve() for _, t in plans]
    if len(set(targets)) != len(targets):
        seen: set[Path] = set()
        clash = next(t for t in targets if t in seen or seen.add(t))
        raise GanzooError(f"two inputs would both be written to {clash} (same name, different "
                          f"suffix?); rename one or sample them separately")
    for (source, target), resolved in zip(plans, targets):
        if resolved == source.resolve():
            raise GanzooError(f"the output for {source} would replace the input itself; choose "
                              f"another --out")
        if target.exists() and not force:
            raise GanzooError(f"{target} already exists; pass --force to overwrite it or choose "
                              f"another --out")
    return plans


def translate_files(model, plans: list[tuple[Path, Path]], *, conditioning: dict[str, Any],
                    tile: int | None, force: bool, precision: str = "auto") -> None:
    """Read, translate and write each planned file, with a progress bar.

    An input that cannot be read (truncated, corrupt, too large) is skipped with a warning when
    there are several, and the others are still written; the command then ends with an error
    naming how many were skipped. A single unreadable input is simply an error.
    """
    import torch
    from tqdm.auto import tqdm

    from ..imageio import read_image_with_alpha, write_image

    options: dict[str, Any] = {"precision": precision, **conditioning}
    if tile is not None:
        options["tile"] = tile
    with tqdm(total=len(plans), unit="image", desc="sample", disable=len(plans) < 2) as bar:
        skipped = []
        for source, target in plans:
            try:
                image, alpha = read_image_with_alpha(source, "RGB")
            except GanzooError as exc:
                if len(plans) == 1:
                    raise
                # through tqdm, so the line is not glued to the progress bar
                tqdm.write(f"ganzoo: warning: skipped {exc}", file=sys.stderr)
                skipped.append(source)
                bar.update(1)
                continue
            if alpha is not None:
                image = torch.cat([image, alpha])  # models pass an alpha channel through
            with tqdm(unit="tile", desc=source.name, leave=False, disable=None) as tiles:
                output = model.translate(image[None], progress=tiles.update, **options)[0]
            if output.shape[0] == 4 or (output.shape[0] == 2 and alpha is not None):
                output, alpha = output[:-1], output[-1:]
            else:
                alpha = None
            write_image(output, target, overwrite=force, alpha=alpha)
            bar.update(1)
            bar.set_postfix_str(target.name)
    if skipped:
        raise GanzooError(f"{len(skipped)} of {len(plans)} inputs could not be read and were "
                          f"skipped (warnings above); the other {len(plans) - len(skipped)} "
                          f"were written")


def default_count(model) -> int:
    """How many samples a noise model draws when ``--n`` is not given.

    Toy 2-D models draw a scatter plot of as many points as the mode-coverage metric scores,
    so every mode shows (16 points cannot show 25 modes).
    """
    if model.preprocessing().get("output") == "points":
        from ..metrics.modes import DEFAULT_SAMPLES as METRIC_POINTS  # torch: a model is loaded

        return METRIC_POINTS
    return DEFAULT_SAMPLES


def sample_noise(model, label: str, *, n: int | None, seed: int, conditioning: dict[str, Any],
                 out: str | None, force: bool) -> Path:
    """Draw samples (or the model's default grid) and write one PNG."""
    target = Path(out).expanduser() if out else Path(f"{label}_samples.png")
    if target.is_dir():
        target = target / f"{label}_samples.png"
    if target.exists() and not force:
        raise GanzooError(f"{target} already exists; pass --force to overwrite it or choose "
                          f"another --out")
    if target.suffix.lower() != ".png":
        raise GanzooError(f"--out {target}: sample grids are written as PNG; use a .png name")
    nrow, samples = None, None
    if n is None and not conditioning:
        samples = model.sample_grid(GRID_COLUMNS, seed=seed)
        nrow = GRID_COLUMNS if samples is not None else None
    if samples is None:
        samples = model.sample(n or default_count(model), seed=seed, **conditioning)
    if samples.dim() == 2:  # toy data: points, drawn as a scatter plot
        from ..train.plots import save_preview

        return save_preview(samples, target)
    from ..grid import save_grid

    upscale = max(1, 64 // max(samples.shape[-2:]))  # keep 8x8 digits legible
    return save_grid(samples, target, nrow=nrow, upscale=upscale, overwrite=force)


@click.command("sample")
@click.argument("name")
@click.option("--input", "-i", "inputs", multiple=True, metavar="PATH",
              help="Image file or folder to translate (repeatable; folders are searched "
                   "recursively). Required for image-to-image and super-resolution models.")
@click.option("--cond", "conds", multiple=True, metavar="KEY=VALUE",
              help="Conditioning the model declares (repeatable), e.g. a class label or a "
                   "translation direction; `ganzoo info NAME` lists the keys.")
@click.option("--out", "-o", metavar="PATH",
              help="Output folder (or file, for one input / a noise grid). Default: beside "
                   "each input as <stem>_<model>.png; <model>_samples.png for noise models.")
@click.option("--tile", type=click.IntRange(min=1), metavar="N",
              help="Translate in N-pixel tiles with blended overlaps (bounded memory). "
                   "Default: the model's setting (images up to 1024 px run whole).")
@click.option("--device", default="auto", show_default=True,
              help="cpu, cuda, cuda:1, mps, or auto (CUDA when available).")
@click.option("--threads", type=click.IntRange(min=1), metavar="N",
              help="CPU threads (default: the idle cores; fewer on a busy machine).")
@click.option("--precision", type=click.Choice(INFERENCE_PRECISIONS), default="auto",
              show_default=True,
              help="Image models: auto runs bf16 (or mixed: bf16 but the upsampling layers) only "
                   "where the CPU/GPU has native bf16 and a probe shows this model's output "
                   "within 2/255 of fp32; fp32 is full precision.")
@click.option("--engine", type=click.Choice(("torch", "onnxruntime")), default="torch",
              show_default=True,
              help="onnxruntime: NAME is an .onnx file from `ganzoo export`, run on the CPU "
                   "with the same image IO and tiling (needs ganzoo-core[onnx]).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("--n", "n", type=click.IntRange(min=1),
              help=f"Noise models: how many samples (default {DEFAULT_SAMPLES}, or the model's "
                   f"default grid; toy 2-D models: as many points as the mode-coverage "
                   f"metric scores).")
@click.option("--seed", type=int, default=0, show_default=True, help="Noise models: seed.")
def command(name, inputs, conds, out, tile, device, threads, precision, engine, force, n,
            seed) -> None:
    """Sample from a model: translate images, or draw a grid of samples.

    NAME is a registry name or alias (`ganzoo list`), hf://org/name[@rev], or a local folder.

    \b
    Examples:
      ganzoo sample cyclegan --input photo.png          # -> photo_cyclegan.png
      ganzoo sample runs/h2z --input photos/ --out out/ --cond direction=BtoA
      ganzoo sample cgan --cond label=3 --n 16 --out threes.png
      ganzoo sample cyclegan.onnx --engine onnxruntime --input photo.png
    """
    from .garbage_collection import startup_without_collection

    label_text = model_label(name)
    with startup_without_collection():
        import torch

        from .. import load
        from ..conditioning import parse_conditioning
        from ..device import resolve_device

        if engine == "onnxruntime":
            from ..onnx_model import OnnxModel

            model = OnnxModel(name, threads=threads)
        else:
            chosen = resolve_device(device)
            if chosen.type == "cpu" or threads:
                torch.set_num_threads(choose_threads(threads))
            model = load(name, device=chosen)
    # The instance's keys: an OnnxModel reads them from its file.
    conditioning = parse_conditioning(model.conditioning, conds, name)
    task = model.task
    if task in IMAGE_TASKS:
        if not inputs:
            raise GanzooError(f"{name} is an {task} model: pass --input PATH (an image or a "
                              f"folder)")
        plans = plan_outputs(collect_inputs(inputs, label_text), out, label_text, force)
        translate_files(model, plans, conditioning=conditioning, tile=tile, force=force,
                        precision=precision)
        where = plans[0][1] if len(plans) == 1 else (Path(out) if out else "beside the inputs")
        click.echo(f"wrote {len(plans)} image{'s' if len(plans) != 1 else ''}: {where}")
        return
    if inputs:
        raise GanzooError(f"{name} generates from noise ({task}); drop --input and use "
                          f"--n/--seed")
    path = sample_noise(model, label_text, n=n, seed=seed, conditioning=conditioning,
                        out=out, force=force)
    click.echo(f"wrote {path}")
