"""`noroom lint`: what authors and translators should fix, and the reading time per path."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("lint", short_help="Check translations, markup, limits and reviews.")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("course_src"), show_default=True)
@click.option("--strict", is_flag=True, help="Warnings (stale translations, reading time) fail "
              "too.")
def command(source: Path, strict: bool) -> None:
    """Check every language: translations, placeholders, markup, links, limits, reading time,
    what is reviewed against the Dutch (lapsed: reviewed, but a text changed since), and what
    each country's builds leave out for want of a verified contact.

    Exits 1 on errors (with --strict also on warnings).

    \b
    Example:
      noroom lint --source course_src
    """
    from builder.lint import lint

    report = lint(source)
    if report.reading:
        slow = f"{f'at_{report.slow_wpm}wpm':>10}" if report.slow_wpm else ""
        click.echo(f"{'lang':<5} {'role':<13} {'words':>6} {'questions':>9} {'minutes':>8}{slow}")
        for lang, role, words, questions, minutes, slow_minutes in report.reading:
            at_slow = f"{slow_minutes:>10.1f}" if slow_minutes is not None else ""
            click.echo(f"{lang:<5} {role:<13} {words:>6} {questions:>9} {minutes:>8.1f}{at_slow}")
    if report.review:
        click.echo(f"{'lang':<5} {'keys':>5} {'reviewed':>8} {'lapsed':>6} {'critical':>8} "
                   f"{'not reviewed':>12}")
        for r in report.review:
            click.echo(f"{r.language:<5} {r.keys:>5} {r.reviewed:>8} {r.lapsed:>6} "
                       f"{r.critical:>8} {len(r.unreviewed_critical):>12}")
        for r in report.review:
            if r.unreviewed_critical:
                names = ", ".join(key for key, _ in r.unreviewed_critical)
                click.echo(f"{r.path}: critical keys not reviewed (noroom build --release "
                           f"refuses {r.language}): {names}")
    _print_left_out(report)
    for finding in report.findings:
        click.echo(str(finding), err=True)
    click.echo(f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    if report.errors or (strict and report.warnings):
        sys.exit(1)


def _print_left_out(report) -> None:  # type: ignore[no-untyped-def]
    """Per country, each Markdown block its builds leave out (issue #13), one line each."""
    countries: dict[str, list] = {}
    for item in report.left_out:
        countries.setdefault(item.country, []).append(item)
    for country, items in countries.items():
        click.echo(f"left out of {country} builds (no verified "
                   f"{', '.join(items[0].unverified)}):")
        for item in items:
            block = " ".join(item.block.split())
            shown = block if len(block) <= 90 else block[:89] + "…"
            click.echo(f"  {item.language} {item.key}: {shown}")
