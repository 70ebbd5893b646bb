"""`noroom check`: validate course packages (ours or another tool's) before an LMS sees them."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("check")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def command(packages: tuple[Path, ...]) -> None:
    """Check zips: manifest against the official schemas, files listed and present, safe paths.

    Prints one line per problem and exits 1 when any package has one.

    \b
    Example:
      noroom check dist/no-room_nl_scorm12.zip dist/no-room_en_cmi5.zip
    """
    from builder.check import check_package

    failed = False
    for path in packages:
        report = check_package(path)
        for warning in report.warnings:
            click.echo(f"{path}: warning: {warning}", err=True)
        if report.ok:
            click.echo(f"{path}: ok ({report.format})")
            continue
        failed = True
        for problem in report.problems:
            click.echo(f"{path}: {problem}".rstrip(": "), err=True)
    if failed:
        sys.exit(1)
