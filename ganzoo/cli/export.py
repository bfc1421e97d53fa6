"""``ganzoo export MODEL --format onnx --out FILE``: a generator for deployment without ganzoo.

The variant says what to export (`ganzoo.GANModel.export_module`); the file records its
preprocessing in its metadata (`ganzoo.onnx_export`). ``ganzoo sample FILE --engine
onnxruntime`` runs it back through ganzoo's image IO and tiling.
"""

from __future__ import annotations

import click

from ..errors import GanzooError

FORMATS = ("onnx",)


@click.command("export")
@click.argument("name")
@click.option("--format", "format_", type=click.Choice(FORMATS), default="onnx",
              show_default=True, help="File format.")
@click.option("--out", "-o", required=True, metavar="FILE", help="Where to write, e.g. model.onnx.")
@click.option("--cond", "conds", multiple=True, metavar="KEY=VALUE",
              help="Conditioning fixed at export where the variant takes it that way (e.g. "
                   "the direction of a two-way translator); `ganzoo info NAME` lists the keys.")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
def command(name, format_, out, conds, force) -> None:
    """Export a model's generator, e.g. to ONNX (fp32, dynamic batch and image size).

    NAME is a registry name or alias (`ganzoo list`), hf://org/name[@rev], or a local folder.

    \b
    Examples:
      ganzoo export cyclegan --out cyclegan.onnx
      ganzoo export runs/h2z --cond direction=BtoA --out h2z-BtoA.onnx
      ganzoo sample cyclegan.onnx --engine onnxruntime --input photo.png
    """
    from pathlib import Path

    target = Path(out).expanduser()
    if target.suffix.lower() != ".onnx":
        raise GanzooError(f"--out {target}: name the file *.onnx")
    if target.exists() and not force:
        raise GanzooError(f"{target} already exists; pass --force to overwrite it or choose "
                          f"another --out")
    from ..onnx_export import export_onnx, require_onnx

    require_onnx()  # before the model loads: a missing extra is the first thing to say
    from .. import load
    from ..conditioning import parse_conditioning

    model = load(name)
    conditioning = parse_conditioning(type(model).conditioning, conds, name)
    path = export_onnx(model, target, conditioning=conditioning, overwrite=force)
    click.echo(f"wrote {path} (ONNX, {path.stat().st_size / 1e6:.1f} MB); run it with "
               f"`ganzoo sample {path} --engine onnxruntime` or any ONNX runtime")
