"""`noroom check`: validate course packages (ours or another tool's) before an LMS sees them."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("check", short_help="Check package zips before an LMS imports them.")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def command(packages: tuple[Path, ...]) -> None:
    """Check zips: manifest against the schemas, files listed and present, safe entries.

    Treats every zip as hostile: refuses links, devices, encrypted members, methods other than
    stored and deflate, duplicate or control-character names and scripts in SVGs. Prints one
    line per problem (names escaped) and exits 1 when any package has one; every package given
    is checked.

    \b
    Example:
      noroom check dist/no-room_nl_scorm12.zip dist/no-room_en_cmi5.zip
    """
    from builder.check import check_package, printable
    from noroom.errors import NoroomError

    failed = False
    for path in packages:
        name = printable(str(path))
        try:
            report = check_package(path)
        except NoroomError as exc:  # no such file: say so and check the next one
            click.echo(f"{name}: {exc}", err=True)
            failed = True
            continue
        for warning in report.warnings:
            click.echo(f"{name}: warning: {warning}", err=True)
        if report.ok:
            click.echo(f"{name}: ok ({report.format})")
            continue
        failed = True
        for problem in report.problems:
            click.echo(f"{name}: {problem}".rstrip(": "), err=True)
    if failed:
        sys.exit(1)
