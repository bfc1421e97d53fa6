"""``ganzoo convert CKPT --variant V --out DIR``: import a foreign checkpoint, safely."""

from __future__ import annotations

import click


@click.command("convert")
@click.argument("checkpoint", type=click.Path(dir_okay=False))
@click.option("--variant", required=True, help="Registered variant the weights belong to "
              "(see `ganzoo list`).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Variant config value the checkpoint was trained with (repeatable), "
                   "e.g. --set arch=msrresnet. Values the file itself tells (a reference "
                   "CycleGAN generator's direction, ngf) are filled in; --set wins.")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder to write (config.json, model.safetensors, README.md).")
@click.option("--force", is_flag=True, help="Replace files already in --out.")
def command(checkpoint: str, variant: str, settings: tuple[str, ...], out: str,
            force: bool) -> None:
    """Convert CHECKPOINT (.pth/.pt/.bin, or a foreign .safetensors) to a ganzoo model folder.

    Pickles are read with torch.load(weights_only=True), which refuses anything but tensors:
    no code in the file can run. Keys are mapped by the variant's convert_checkpoint hook when
    it has one (official CycleGAN/pix2pix latest_net_G.pth, BasicSR SRResNet ...); otherwise
    the checkpoint must hold the variant's own state dict. The result loads with
    `ganzoo.load(OUT)` and publishes with `ganzoo publish OUT --repo org/name`.
    """
    from ..config import parse_set_options
    from ..convert import convert_checkpoint

    values = parse_set_options(settings)
    set_text = "".join(f" --set {s}" for s in settings)
    folder = convert_checkpoint(checkpoint, variant, out, values=values, overwrite=force, card={
        "recipe": f"ganzoo convert {checkpoint} --variant {variant}{set_text} --out {out}"})
    click.echo(f"wrote {folder}/config.json, model.safetensors, README.md; load it with "
               f"ganzoo.load({str(folder)!r})")
