"""`noroom review`: record that translations were reviewed against the Dutch (issue #13)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("review", short_help="Record a second reader's review of critical keys.")
@click.option("--lang", required=True, help="Reviewed language, e.g. pl.")
@click.option("--reviewer", required=True, metavar="TEXT", help="Who reviewed: a name or role, "
              "as the reviewer wants it recorded (not the translator).")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="Day of the review; default today.")
@click.option("--all-critical", is_flag=True, help="Every safety-critical key of the language.")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("course_src"), show_default=True, help="Course source folder.")
@click.argument("keys", nargs=-1)
def command(lang: str, reviewer: str, on: str | None, all_critical: bool, source: Path,
            keys: tuple[str, ...]) -> None:
    """Record that REVIEWER read these keys' translations side by side with today's Dutch and
    found them right. A later change to either text ends the review.

    \b
    Example:
      noroom review --lang pl --reviewer "A. Jansen, reviewer Polish" pages.summary.body
      noroom review --lang pl --reviewer "A. Jansen, reviewer Polish" --all-critical
    """
    from builder.course import load_source
    from builder.review import critical_keys, record_review

    course = load_source(source)
    chosen = list(keys)
    if all_critical:
        dutch = course.texts[course.source_language].strings
        present = course.texts[lang].strings if lang in course.texts else {}
        chosen += [k for k in critical_keys(course.config, dutch) if present.get(k, "").strip()]
    if not chosen:
        raise click.UsageError("name the reviewed keys, or give --all-critical")
    n = record_review(course, lang, list(dict.fromkeys(chosen)), reviewer, on)
    click.echo(f"recorded {n} new reviews for {lang} ({len(set(chosen)) - n} already reviewed)")
