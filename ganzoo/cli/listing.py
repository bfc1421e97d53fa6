"""``ganzoo list``: installed variants and pretrained models. Never imports torch."""

from __future__ import annotations

import json

import click


def collect(pattern: str | None) -> list[dict]:
    """Rows for variants and registry models matching ``pattern`` (fnmatch)."""
    from ..hub import weights_status
    from ..plugins import get_catalog
    from ..registry import load_registry

    catalog = get_catalog()
    rows = [{
        "name": v.name, "kind": "variant", "task": v.task, "plugin": v.plugin,
        "plugin_version": v.plugin_version, "weights": None, "summary": v.summary,
    } for v in catalog.find("variant", pattern)]
    def skip(error) -> None:  # a bad user registry file must not hide everything else
        click.echo(f"ganzoo: warning: {error} (skipped that file)", err=True)

    registry = load_registry(catalog.pretrained_files, on_error=skip)
    for entry in registry.find(pattern):
        provider = catalog.items["variant"].get(entry.variant)
        rows.append({
            "name": entry.name, "kind": "model", "task": entry.task,
            "variant": entry.variant, "aliases": list(entry.aliases),
            "plugin": provider.plugin if provider else registry.plugins.get(entry.variant),
            "plugin_version": provider.plugin_version if provider else None,
            "installed": provider is not None,
            "weights": weights_status(entry), "size": entry.weights.size,
            "summary": entry.summary,
        })
    return rows


def format_table(rows: list[dict]) -> str:
    header = ("NAME", "KIND", "TASK", "PLUGIN", "WEIGHTS", "SUMMARY")
    lines = [header]
    for r in rows:
        plugin = r["plugin"] or "?"
        if r.get("plugin_version"):
            plugin += f" {r['plugin_version']}"
        elif r["kind"] == "model" and not r.get("installed"):
            plugin += " (not installed)"
        weights = r["weights"] or "-"
        if r.get("size"):
            weights += f" {r['size'] / 1e6:.1f} MB"
        name = r["name"] + (f" ({', '.join(r['aliases'])})" if r.get("aliases") else "")
        lines.append((name, r["kind"], r["task"], plugin, weights, r["summary"]))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line[:-1], widths)) + "  " + line[-1]
        for line in lines
    ).rstrip()


def collect_datasets(pattern: str | None) -> list[dict]:
    """Rows for the data kinds ``--data KIND[:ARG]`` accepts, with their layout and example."""
    from ..plugins import get_catalog

    return [{"name": d.name, "kind": "dataset", "plugin": d.plugin,
             "plugin_version": d.plugin_version, "summary": d.summary,
             "layout": d.metadata.get("layout"), "example": d.metadata.get("example")}
            for d in get_catalog().find("dataset", pattern)]


def format_datasets(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        lines.append(f"{r['name']}  ({r['plugin']} {r['plugin_version']})  {r['summary']}")
        if r.get("layout"):
            lines.append(f"    layout:  {r['layout']}")
        if r.get("example"):
            lines.append(f"    example: {r['example']}")
    return "\n".join(lines)


@click.command("list")
@click.argument("pattern", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--datasets", is_flag=True,
              help="List the data kinds `ganzoo train --data KIND[:ARG]` accepts, with the "
                   "folder layout each expects and an example.")
def list_command(pattern: str | None, as_json: bool, datasets: bool) -> None:
    """List variants and pretrained models, optionally matching PATTERN (e.g. '*gan*').

    WEIGHTS says where a model's weights are: cached (in the Hugging Face cache), shipped
    (inside its plugin) or hub (downloaded on first use). With --datasets, the data kinds.
    """
    if datasets:
        rows = collect_datasets(pattern)
        click.echo(json.dumps(rows, indent=2) if as_json else
                   format_datasets(rows) or f"no data kind matches {pattern!r}")
        return
    rows = collect(pattern)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(f"nothing matches {pattern!r}" if pattern else
                   "no variants or models; install a plugin, e.g. pip install ganzoo-gan")
    else:
        click.echo(format_table(rows))
