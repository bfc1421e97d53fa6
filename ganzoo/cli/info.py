"""``ganzoo info NAME``: everything known about a variant or a pretrained model."""

from __future__ import annotations

import json
import re

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
@click.option("--settings", "with_settings", is_flag=True,
              help="Also list every setting `ganzoo train --set KEY=VALUE` takes, with its "
                   "default and note, and the variant's per-dataset recipes (imports the "
                   "plugin and torch, so it is slower).")
def info_command(name: str, as_json: bool, variant_only: bool, with_settings: bool) -> None:
    """Show a variant or pretrained model: plugin, task, weights pin, card summary, metrics.

    A model name or alias wins over a variant of the same name (use --variant). For a
    pretrained model it says which registry file the entry came from. With --settings, the
    settings of its variant, e.g. `ganzoo info --variant infogan --settings`.
    """
    data = describe(name, variant_only)
    data.update(declarations(data["variant"] if data["kind"] == "model" else data["name"]))
    settings = variant_settings(data["variant"] if data["kind"] == "model" else data["name"]) \
        if with_settings else None
    if as_json:
        click.echo(json.dumps({**data, **(settings or {})}, indent=2, default=list))
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
    if settings:
        print_settings(settings)


def declarations(variant: str) -> dict:
    """What the variant class declares for users: conditioning keys and the data it trains on.

    Imports the variant's module (and torch); a variant whose plugin is missing or broken
    yields nothing here (`ganzoo plugins` reports why)."""
    from ..building import variant_class
    from ..errors import GanzooError

    try:
        _, cls = variant_class(variant)
    except GanzooError:
        return {}
    keys = {key.signature(): key.help for key in cls.conditioning}
    return {"conditioning (--cond KEY=VALUE)": keys,
            "trains on (--data)": list(cls.data_kinds) or "any data kind"}


def variant_settings(variant: str) -> dict:
    """The variant's model settings, the training settings and its per-dataset recipes."""
    from ..building import variant_class
    from ..settings_doc import describe_settings
    from ..train import TrainConfig

    _, cls = variant_class(variant)
    return {"settings": describe_settings(cls.Config),
            "training_settings": describe_settings(TrainConfig),
            "recipes": {kind: dict(values) for kind, values in cls.recipes.items()},
            "presets": {name: dict(values) for name, values in cls.presets.items()}}


def print_settings(settings: dict) -> None:
    """``name = default  # note`` per setting (defaults as `--set` reads them: YAML/JSON)."""
    for title, key in (("settings (--set KEY=VALUE)", "settings"),
                       ("training settings (--set KEY=VALUE)", "training_settings")):
        click.echo(f"{title}:")
        texts = [f"{row['name']} = {as_set_value(row['default'])}" for row in settings[key]]
        width = max(map(len, texts))
        for text, row in zip(texts, settings[key]):
            note = first_sentence(row["note"])
            click.echo(f"  {text:<{width}}  # {note}" if note else f"  {text}")
    for key, title in (("recipes", "recipes (used when --data is that dataset; flags and --set "
                                   "win):"),
                       ("presets", "presets (--preset NAME; after the recipe, before flags):")):
        if settings.get(key):
            click.echo(title)
            for name, values in settings[key].items():
                shown = ", ".join(f"{k}={as_set_value(v)}" for k, v in values.items())
                click.echo(f"  {name}: {shown}")


def as_set_value(value) -> str:
    """A default spelled as `--set` reads it (JSON is YAML: tuples as lists, None as null)."""
    return json.dumps(value, default=list)


def first_sentence(note: str, limit: int = 90) -> str:
    """A note's first sentence, cut to ``limit`` characters (the JSON keeps the whole note)."""
    head = re.split(r"(?<!e\.g)(?<!i\.e)\.\s", note.replace("``", ""))[0].rstrip(".")
    return head if len(head) <= limit else head[:limit - 1].rstrip() + "…"
