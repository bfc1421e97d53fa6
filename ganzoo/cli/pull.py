"""``ganzoo pull NAME``: download a model's files into the Hugging Face cache and verify them."""

from __future__ import annotations

import click


@click.command("pull")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--endpoint", envvar="HF_ENDPOINT", help="Hub or mirror URL (default: "
              "HF_ENDPOINT, else huggingface.co).")
@click.option("--force", is_flag=True, help="Download again even if the cache holds the files "
              "(e.g. after a mirror was fixed).")
def command(names: tuple[str, ...], endpoint: str | None, force: bool) -> None:
    """Prefetch pretrained models (registry names/aliases or hf://org/name[@rev]).

    Files go to the Hugging Face cache (HF_HUB_CACHE) at the registry's pinned revision and
    are checked against the pinned sha256; later `ganzoo sample` / `ganzoo.load` calls then
    work offline. `ganzoo list` shows pulled entries as "cached". A file that fails its
    sha256 is removed from the cache again, so the next pull downloads it afresh.
    """
    from ..hub import sha256_of
    from ..loading import resolve

    for name in names:
        resolved = resolve(name, endpoint=endpoint, force=force)
        status = "local"
        if resolved.origin != "local":
            status = "sha256 verified" + (", config.json too" if resolved.config_sha256 else "")
        if name.startswith("hf://"):
            status = f"sha256 {sha256_of(resolved.weights)} (not pinned)"
        where = f"@{resolved.revision}" if resolved.revision else ""
        click.echo(f"{name}: {resolved.origin}{where} {resolved.weights} ({status})")
