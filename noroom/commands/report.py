"""`noroom report`: statements + roster (+ staff list) -> per-hotel certification in reports/."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import click

from noroom.commands.sync import lrs_options, lrs_settings, sync_progress

VALID_MONTHS = 24  # the programme's validity of training (issue 17 §1): stated, not implied


def parse_threshold(ctx: click.Context, param: click.Parameter, value: str) -> Fraction:
    try:
        fraction = Fraction(value)  # exact: "0.6" is 3/5, never 0.59999...
    except (ValueError, ZeroDivisionError) as exc:
        raise click.BadParameter(f"{value!r} is not a number like 0.6") from exc
    if not 0 < fraction <= 1:
        # 0 would certify a hotel where nobody trained: a certificate must mean something.
        raise click.BadParameter("must be more than 0 and at most 1, like 0.6")
    return fraction


def materials_output(draft: bool):  # type: ignore[no-untyped-def]
    """The communication pack's writer over course_src (loaded, and so validated, now)."""
    from builder.course import load_source
    from lrs_reporter.outputs.materials import MaterialsOutput
    from noroom.vocabulary import PROJECT_ROOT

    return MaterialsOutput(load_source(PROJECT_ROOT / "course_src"), draft)


def progress_callback():  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return None
    return lambda n: click.echo(f"\r{n:,} statements read", err=True, nl=False)


def uncovered_countries(roster_countries: list[str], course_countries: tuple[str, ...],
                        ) -> str | None:
    """One warning line when roster hotels are in countries the course has no contacts for
    (issue #13): their staff could only get a course with another country's numbers."""
    counts = Counter(c.strip().upper() for c in roster_countries if c and c.strip())
    missing = sorted(c for c in counts if c not in course_countries)
    if not missing:
        return None
    listed = ", ".join(f"{c} ({counts[c]})" for c in missing)
    return (f"warning: no course country covers the roster's hotels in {listed}; their staff "
            f"would get a course with another country's contacts (course.yaml has "
            f"{', '.join(course_countries) or 'none'})")


@click.command("report", short_help="Certify hotels from statements, roster and staff list.")
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="roster.csv with the columns hotel_id, name, chain, city, "
              "country, language, employees, optionally second_language (a second language "
              "of the hotel's staff: certificate and pack in it too), separated by commas, "
              "semicolons or tabs.")
@click.option("--staff", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="staff.csv with the columns hotel_id, email, account_homepage, "
              "account_name, role.")
@click.option("--statements", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="NDJSON or JSON statement file (repeatable); a file "
              "that is mostly not statements stops the report.")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
              help="Local statement store made by `noroom sync`.")
@click.option("--parquet", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A Parquet export made by `noroom export-parquet` (for data beyond one "
              "machine).")
@click.option("--engine", type=click.Choice(["pandas", "dask"]), default="pandas",
              show_default=True, help="Who reads --parquet: this process, or a Dask cluster.")
@click.option("--scheduler", metavar="URL", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 "
              "(default: Dask's local scheduler).")
@click.option("--completions", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="LMS completion export CSV (repeatable).")
@lrs_options
@click.option("--activity", "activities", multiple=True, metavar="IRI",
              help="Counting activity (repeatable); default: the course IRI in course.yaml.")
@click.option("--hotel-extension", metavar="IRI", help="Hotel context extension; default: "
              "course.yaml.")
@click.option("--threshold", default="0.6", show_default=True, callback=parse_threshold,
              help="Share of employees that must be trained, more than 0 and at most 1.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Report date (UTC); default "
              "today.")
@click.option("--valid-months", type=click.IntRange(0, 600), default=VALID_MONTHS,
              show_default=True, help="Training counts this many calendar months (done on 15 "
              "Mar, with 12: through 14 Mar next year); the certificate is valid until the "
              "hotel's count would drop below the threshold. 0: training never expires and "
              "certificates have no valid-until date.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Report folder; replaced only when the whole report "
              "was written.")
@click.option("--cert-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the programme's key that numbers the certificates (chmod "
              "600); $NOROOM_CERT_KEY, when set, is used instead. Without a key the "
              "certificates carry no number.")
@click.option("--learners", is_flag=True, help="Also write personal data: one row per trained "
              "learner.")
@click.option("--materials", is_flag=True, help="Also write the communication pack of each "
              "certified hotel into materials/<hotel>/<language>/: A4 and A3 posters, an A5 "
              "flyer, a door hanger, intranet images; in the hotel's language(s), with its "
              "country's contacts; only reviewed course text.")
@click.option("--draft", is_flag=True, help="With --materials: also print languages whose "
              "text is not reviewed yet, marked DRAFT (folder <language>-DRAFT).")
def command(roster: Path, staff: Path | None, statements: tuple[Path, ...], store: Path | None,
            parquet: Path | None, engine: str, scheduler: str | None,
            completions: tuple[Path, ...], lrs: str | None, lrs_user: str | None,
            lrs_password: str | None, lrs_password_env: str | None, lrs_config: Path | None,
            page_size: int,
            activities: tuple[str, ...],
            hotel_extension: str | None, threshold: Fraction, as_of: datetime | None,
            valid_months: int, out: Path, cert_key_file: Path | None,
            learners: bool, materials: bool, draft: bool) -> None:
    """Certify hotels: who is trained, per hotel, against the threshold.

    \b
    Example:
      noroom report --roster samples/roster.csv --staff samples/staff.csv \\
        --statements samples/statements.ndjson --as-of 2026-11-01 --out reports
      noroom report --roster roster.csv --lrs https://lrs.example/xAPI/ --lrs-user KEY
      noroom report --roster roster.csv --statements s.ndjson --materials
    """
    from lrs_reporter.certify import Options
    from lrs_reporter.numbers import KEY_ENV, load_key, numbered
    from lrs_reporter.outputs import write_all
    from lrs_reporter.report import Sources, run_report
    from noroom.vocabulary import load_course_countries, load_vocabulary

    lrs, lrs_user, password = lrs_settings(lrs, lrs_user, lrs_password, lrs_password_env,
                                           lrs_config)
    if not (statements or store or lrs or completions or parquet):
        raise click.UsageError("give --statements, --store, --parquet, --lrs or --completions")
    if engine == "dask" and not parquet:
        raise click.UsageError("--engine dask reads a Parquet export: give --parquet DIR")
    if draft and not materials:
        raise click.UsageError("--draft goes with --materials")
    key = load_key(cert_key_file)  # before any work: a bad key file stops the report at once
    extra = [materials_output(draft)] if materials else []  # course text checked before work
    vocabulary = load_vocabulary()
    if lrs:
        from lrs_reporter.sync import sync_store

        store = store or Path(".noroom") / "store.sqlite"
        result = sync_store(store, lrs, lrs_user, password, page_size, progress=sync_progress())
        click.echo(f"synced {result.new} new statements from the LRS into {store}", err=True)
    options = Options(activities=activities or (vocabulary.course_iri,),
                      as_of=as_of.date() if as_of else datetime.now(UTC).date(),
                      threshold=threshold, valid_months=valid_months or None)
    sources = Sources(roster=roster, staff=staff, statements=statements, completions=completions,
                      store=store, parquet=parquet, engine=engine, scheduler=scheduler,
                      hotel_extension=hotel_extension or vocabulary.hotel_extension)
    progress = progress_callback()
    cert = numbered(run_report(sources, options, progress), key)
    if progress:
        click.echo(err=True)  # end the progress line
    write_all(cert, out, learners=learners, extra=extra)
    warning = uncovered_countries(list(cert.hotels["country"]), load_course_countries())
    if warning:
        click.echo(warning, err=True)
    certified = int(cert.hotels["certified"].sum())
    click.echo(f"{certified} of {len(cert.hotels)} hotels certified as of {options.as_of}; "
               f"{cert.data_quality['statements_read']:,} statements read, "
               f"{cert.data_quality['invalid']} skipped")
    click.echo(f"dashboard: {out / 'dashboard.html'}")
    if key is None and certified:
        click.echo(f"certificates carry no number: no certificate key (set {KEY_ENV} or give "
                   "--cert-key-file)")


