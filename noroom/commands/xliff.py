"""`noroom xliff`: the translators' round trip in XLIFF 2.0."""

from __future__ import annotations

from pathlib import Path

import click

SOURCE = click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
                      default=Path("course_src"), show_default=True, help="Course source folder.")


@click.group("xliff", short_help="Export and import translations as XLIFF 2.0.")
def command() -> None:
    """Export strings for translators and import their work (XLIFF 2.0).

    \b
    Example:
      noroom xliff export --lang pl --out pl.xlf
      noroom xliff import pl.xlf
    """


@command.command("export")
@click.option("--lang", required=True, help="Target language, e.g. pl.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; default <course>_<lang>.xlf.")
@click.option("--critical-only", is_flag=True, help="Only the safety-critical keys, for a "
              "reviewer.")
@SOURCE
def export_command(lang: str, out: Path | None, critical_only: bool, source: Path) -> None:
    """Write every translatable string: Dutch source, current translation, state.

    \b
    Example: noroom xliff export --lang pl --out pl.xlf
             noroom xliff export --lang pl --critical-only --out pl-review.xlf
    """
    from builder.course import load_source
    from builder.xliff import export_xliff

    course = load_source(source)
    out = out or Path(f"{course.id}_{lang}.xlf")
    out.write_bytes(export_xliff(course, lang, critical_only))
    click.echo(f"wrote {out}")


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", metavar="TEXT", help="Who reviewed the segments this file marks "
              "reviewed (a name or role, as the reviewer wants it recorded).")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Date of that review; default today.")
@SOURCE
def import_command(file: Path, reviewer: str | None, on: str | None, source: Path) -> None:
    """Apply a translator's XLIFF file to course_src/ (only what changed; all or nothing).
    Segments newly set to state="reviewed" are recorded as reviewed by --reviewer.

    \b
    Example: noroom xliff import pl.xlf
             noroom xliff import pl-reviewed.xlf --reviewer "A. Jansen, reviewer Polish"
    """
    from builder.course import load_source
    from builder.review import review_signature
    from builder.xliff import import_xliff

    review = review_signature(reviewer, on) if reviewer else None
    result = import_xliff(load_source(source), file, review)
    changed = result.changed
    click.echo(f"{len(changed)} translations changed" + (": " + ", ".join(changed[:10])
                                                        if changed else ""))
    if result.reviewed:
        click.echo(f"{len(result.reviewed)} reviews recorded ({review[0]}, {review[1]})")
    if result.outdated:
        click.echo(f"{len(result.outdated)} segments marked reviewed were read against an older "
                   f"Dutch text and are not recorded as reviewed ({result.outdated[0]} first); "
                   "export again and review them against today's Dutch", err=True)


@command.command("mark-current")
@click.option("--lang", required=True)
@SOURCE
def mark_command(lang: str, source: Path) -> None:
    """Record that every present translation matches today's Dutch text (after translating
    outside XLIFF), so later changes to the Dutch mark segments needs-review.

    Example: noroom xliff mark-current --lang pl
    """
    from builder.course import load_source
    from builder.xliff import mark_current

    n = mark_current(load_source(source), lang)
    click.echo(f"recorded {n} segments for {lang}")
