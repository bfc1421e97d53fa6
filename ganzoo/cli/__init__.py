"""The ``ganzoo`` command line. Every command module keeps torch out of its top-level imports."""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import GanzooError


#: errno values and messages that mean "the output cannot be written there".
_WRITE_ERRNOS = {28: "no space left on the device", 27: "the file size limit was reached",
                 122: "the disk quota is exhausted", 30: "the file system is read-only",
                 13: "permission denied (a read-only folder?)",
                 1: "operation not permitted (a read-only or immutable folder?)"}
_WRITE_TEXTS = {"No space left on device": 28, "File too large": 27, "Disk quota exceeded": 122,
                "Read-only file system": 30, "Permission denied": 13,
                "Operation not permitted": 1}


def write_failure(exc: BaseException) -> str | None:
    """One line for a write that failed for lack of space or permission, else None.

    Writes go through temporary files renamed into place, so a failed write never replaced
    anything; the message says so. Some writers (safetensors) report the OS error as text.
    """
    code = getattr(exc, "errno", None)
    if code not in _WRITE_ERRNOS:
        code = next((c for text, c in _WRITE_TEXTS.items() if text in str(exc)), None)
    if code is None:
        return None
    where = getattr(exc, "filename", None)
    if where and os.path.basename(str(where)).startswith(".") and str(where).endswith(".tmp"):
        where = os.path.dirname(str(where))  # our atomic write's temporary file: name its folder
    fix = ("choose an output folder you can write to" if code in (1, 13, 30) else
           "free space (or choose another output folder)")
    return (f"cannot write{f' {where}' if where else ''}: {_WRITE_ERRNOS[code]}; {fix} and run "
            f"again — files that were there before are unchanged")


class GanzooGroup(click.Group):
    """Turns user errors into one line and a non-zero exit; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except GanzooError as exc:
            if ctx.meta.get("ganzoo.debug"):
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `ganzoo info NAME | head`: the reader left, nothing to say
            _silence_stdout()
            ctx.exit(_BROKEN_PIPE_EXIT)
        except Exception as exc:
            if ctx.meta.get("ganzoo.debug"):
                raise
            problem = write_failure(exc)
            if problem:
                raise click.ClickException(problem) from None
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
            ) from None


@click.group(cls=GanzooGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ganzoo")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """ganzoo: a plugin-based GAN zoo.

    List variants and pretrained models, sample from them, train your own, publish to the
    Hugging Face Hub. Variants come from plugins (`ganzoo plugins`).
    """
    ctx.meta["ganzoo.debug"] = debug


def _add_core_commands() -> None:
    from . import info, listing, plugins

    cli.add_command(listing.list_command)
    cli.add_command(info.info_command)
    cli.add_command(plugins.plugins_command)
    for module_name in CORE_COMMAND_MODULES:
        import importlib

        module = importlib.import_module(module_name)
        cli.add_command(module.command)


#: Core command modules beyond list/info/plugins; each defines ``command``.
CORE_COMMAND_MODULES: list[str] = [
    "ganzoo.cli.train",
    "ganzoo.cli.pull",
    "ganzoo.cli.convert",
    "ganzoo.cli.publish",
    "ganzoo.cli.new_plugin",
    "ganzoo.cli.sample",
    "ganzoo.cli.evaluate",
    "ganzoo.cli.export",
]


def _add_plugin_commands() -> None:
    from ..plugins import call_hook, get_catalog

    # One plugin's broken command must not break the CLI: call_hook isolates each plugin.
    call_hook(get_catalog(), "register_commands", lambda info: {"cli": cli})


#: What a process killed by SIGPIPE reports (128 + 13), as `git log | head` does.
_BROKEN_PIPE_EXIT = 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    from .garbage_collection import own_process

    own_process()
    try:
        _main()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(_BROKEN_PIPE_EXIT)
    finally:
        try:
            sys.stdout.flush()  # a pipe closed after the last write fails here, not earlier
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(_BROKEN_PIPE_EXIT)


def _main() -> None:
    from .garbage_collection import freeze_before_exit

    try:
        try:
            _add_core_commands()
            _add_plugin_commands()
        except GanzooError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        cli.main(prog_name="ganzoo")
    finally:
        freeze_before_exit()  # click exits through SystemExit: this runs on every path
