"""``ganzoo plugins``: installed plugin distributions, their hooks and load errors."""

from __future__ import annotations

import json

import click


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--strict", is_flag=True, help="Also import every registered target; exit with "
              "status 1 if any plugin has errors.")
def plugins_command(as_json: bool, strict: bool) -> None:
    """List plugin distributions (entry-point group 'ganzoo'), their hooks and any errors.

    A plugin that fails to import or register is shown here with its error; the others keep
    working. GANZOO_LOAD_PLUGINS=a,b loads only those distributions ('' loads none).
    """
    from ..plugins import get_catalog

    catalog = get_catalog()
    if strict:  # import every registered target, so a dangling import path is reported too
        from ..errors import PluginError

        for items in catalog.items.values():
            for registered in items.values():
                try:
                    registered.load()
                except PluginError as exc:
                    owner = next((p for p in catalog.plugins if p.name == registered.plugin),
                                 None)
                    if owner is not None:
                        owner.errors.append(str(exc))
    rows = []
    for p in catalog.plugins:
        provides = sorted(f"{r.kind}:{r.name}" for items in catalog.items.values()
                          for r in items.values() if r.plugin == p.name)
        rows.append({"name": p.name, "version": p.version, "module": p.module,
                     "hooks": p.hooks, "provides": provides, "errors": p.errors})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            status = "ERROR" if r["errors"] else "ok"
            click.echo(f"{r['name']} {r['version']} [{status}]  ({r['module']})")
            if r["provides"]:
                click.echo(f"  provides: {', '.join(r['provides'])}")
            for error in r["errors"]:
                click.echo(f"  error: {error}")
    if strict and any(r["errors"] for r in rows):
        raise click.exceptions.Exit(1)
