"""`noroom`: the command line over `builder` and `lrs_reporter`.

Thin by design: each command lives in `noroom/commands/<name>.py`, parses options, calls one core
function and prints. Heavy libraries (lxml, pandas, Playwright) are imported inside the commands so
`noroom --help` stays instant. Every `NoroomError` is printed here as one line; no traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from noroom.errors import NoroomError


class NoroomGroup(click.Group):
    """Turns a NoroomError raised anywhere below into one stderr line and its exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except NoroomError as exc:
            for line in str(exc).splitlines() or [exc.__class__.__name__]:
                click.echo(line, err=True)
            sys.exit(exc.exit_code)


@click.group(cls=NoroomGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="noroom")
def cli(verbose: int, quiet: bool) -> None:
    """Build the No Room for Sex Trafficking course and certify hotels.

    \b
    noroom build                      every language x format into dist/
    noroom check dist/no-room_nl_scorm12.zip
    noroom report --roster roster.csv --statements statements.ndjson
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _register() -> None:
    # One module per command; a missing one (work in progress) must not break the others.
    import importlib

    for name in ("build", "check", "lint", "xliff", "review", "report", "verify",
                 "sync", "export_parquet", "preview"):
        try:
            module = importlib.import_module(f"noroom.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"noroom.commands.{name}":
                raise
            continue
        cli.add_command(module.command)


_register()


if __name__ == "__main__":  # `python -m noroom.cli` (used by the crash tests)
    cli()
