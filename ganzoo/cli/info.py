"""``ganzoo info NAME``: everything known about a variant or a pretrained model."""

from __future__ import annotations

import json

import click


def describe(name: str, variant_only: bool = False) -> dict:
    """A model entry (name or alias) or, failing that or with ``variant_only``, a variant."""
    from ..errors import UnknownNameError
    from ..hub import weights_status
    from ..plugins import get_catalog
    from ..registry import load_registry

    catalog = get_catalog()
    registry = load_registry(catalog.pretrained_files)
    entry = None
    if not variant_only:
        try:
            entry = registry.get(name)
        except UnknownNameError:
            pass
    if entry is not None:
        provider = catalog.items["variant"].get(entry.variant)
        return {
            "name": entry.name, "kind": "model", "aliases": list(entry.aliases),
            "variant": entry.variant, "task": entry.task, "summary": entry.summary,
            "registry_file": entry.source,
            "plugin": provider.plugin if provider else registry.plugins.get(entry.variant),
            "installed": provider is not None,
            "weights": {k: v for k, v in vars(entry.weights).items() if v is not None},
            "weights_status": weights_status(entry), "config": entry.config,
            "license": entry.license, "dataset": entry.dataset, "recipe": entry.recipe,
            "metrics": entry.metrics,
            # An alias such as `dcgan` hides the variant of the same name: say how to see it.
            "note": (f"'{name}' is also a variant: `ganzoo info --variant {name}`"
                     if name in catalog.items["variant"] else None),
        }
    variant = catalog.items["variant"].get(name)
    if variant is None:
        if ("variant", name) in catalog.conflicts:
            catalog.get("variant", name)  # raises the error naming both plugins
        what = "variant" if variant_only else "variant or pretrained model"
        raise UnknownNameError(f"no {what} named '{name}'; run `ganzoo list` to see what is "
                               f"installed")
    return {
        "name": variant.name, "kind": "variant", "task": variant.task,
        "summary": variant.summary, "plugin": variant.plugin,
        "plugin_version": variant.plugin_version, "target": variant.target,
        **{k: v for k, v in variant.metadata.items()},
        "pretrained": [e.name for e in registry.find() if e.variant == variant.name],
    }


@click.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--variant", "variant_only", is_flag=True,
              help="Describe the variant NAME even where a pretrained model has NAME as an "
                   "alias (e.g. `dcgan`).")
def info_command(name: str, as_json: bool, variant_only: bool) -> None:
    """Show a variant or pretrained model: plugin, task, weights pin, card summary, metrics.

    A model name or alias wins over a variant of the same name (use --variant). For a
    pretrained model it says which registry file the entry came from.
    """
    data = describe(name, variant_only)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for k, v in value.items():
                click.echo(f"  {k}: {v}")
        elif isinstance(value, list):
            click.echo(f"{key}: {', '.join(map(str, value))}")
        else:
            click.echo(f"{key}: {value}")
