"""`noroom lint`: what authors and translators should fix, and the reading time per path."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("lint")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("course_src"), show_default=True)
@click.option("--strict", is_flag=True, help="Warnings (stale translations, reading time) fail "
              "too.")
def command(source: Path, strict: bool) -> None:
    """Check every language: translations, placeholders, markup, limits, reading time.

    Exits 1 on errors (with --strict also on warnings).

    \b
    Example:
      noroom lint --source course_src
    """
    from builder.lint import lint

    report = lint(source)
    if report.reading:
        click.echo(f"{'lang':<5} {'role':<13} {'words':>6} {'questions':>9} {'minutes':>8}")
        for lang, role, words, questions, minutes in report.reading:
            click.echo(f"{lang:<5} {role:<13} {words:>6} {questions:>9} {minutes:>8.1f}")
    for finding in report.findings:
        click.echo(str(finding), err=True)
    click.echo(f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    if report.errors or (strict and report.warnings):
        sys.exit(1)
