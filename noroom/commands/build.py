"""`noroom build`: course_src/ -> dist/<course>_<lang>_<format>.zip."""

from __future__ import annotations

from pathlib import Path

import click

FORMAT_NAMES = ["scorm12", "scorm2004", "xapi", "cmi5", "web"]


@click.command("build", short_help="Build every course package (SCORM, xAPI, cmi5, web).")
@click.option("--lang", "languages", multiple=True, metavar="LANG",
              help="Language to build (repeatable); default: every language in course.yaml.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
              help="Package format (repeatable); default: every format.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder for the zips.")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("course_src"), show_default=True, help="Course source folder.")
@click.option("--country", metavar="CC", help="Contact details to use (course.yaml contacts); "
              "text naming a contact the country has no value for is left out; default: "
              "default_country.")
@click.option("--brand", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chain branding file (brand.yaml: name, logo, colours).")
@click.option("--strict", is_flag=True, help="Treat source warnings (unknown keys) as errors.")
@click.option("--release", is_flag=True, help="Refuse (and build nothing) while a language has "
              "a safety-critical key not reviewed against today's Dutch (noroom review).")
@click.option("--lrs-endpoint", metavar="URL", help="SCORM packages also send xAPI statements "
              "to this LRS (dual tracking).")
@click.option("--lrs-key", metavar="KEY", help="Write-only LRS key for dual tracking.")
@click.option("--lrs-secret", metavar="SECRET",
              help="Its secret; better set NOROOM_LRS_SECRET, so it stays out of the shell "
                   "history and the process list. It is readable inside the package: use a "
                   "write-only key and rotate it.")
@click.option("--lms-homepage", metavar="URL", help="The LMS's URL, the homePage of learners' "
              "xAPI accounts (required with --lrs-endpoint).")
@click.option("--hotel-from", default="ask", show_default=True, metavar="student_id|ask|ID",
              help="Where dual tracking finds the hotel: the hotel code at the start of the LMS "
              "student id, the learner types it, or one fixed hotel id.")
@click.option("--hotels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Roster (roster.csv, as for noroom report): a learner who types a hotel code "
              "must type one of its hotels and confirms it by name.")
def command(languages: tuple[str, ...], formats: tuple[str, ...], out: Path, source: Path,
            country: str | None, brand: Path | None, strict: bool, release: bool,
            lrs_endpoint: str | None,
            lrs_key: str | None, lrs_secret: str | None, lms_homepage: str | None,
            hotel_from: str, hotels: Path | None) -> None:
    """Build one package per language and format (cmi5 also one with every language).

    \b
    Example:
      noroom build --lang nl --lang en --format scorm12 --out dist
      noroom build --release --out dist     # only with every critical key reviewed
      noroom build --hotels roster.csv      # learners confirm their hotel by name
      export NOROOM_LRS_SECRET=...   # the secret never on the command line
      noroom build --format scorm12 --lrs-endpoint https://lrs.example/xAPI/ \\
        --lrs-key KEY --lms-homepage https://lms.example --hotel-from student_id
    """
    from builder.build import build
    from builder.formats import FORMATS, BuildOptions

    missing = [f for f in formats if f not in FORMATS]
    if missing:
        raise click.UsageError(f"format {missing[0]} is not available in this version")
    options = BuildOptions(brand=_load_brand(brand),
                           tracking=_dual_tracking(lrs_endpoint, lrs_key, lrs_secret,
                                                   lms_homepage, hotel_from),
                           hotels=_known_hotels(hotels, source))
    built = build(source, out, languages, formats, options, country, strict=strict,
                  release=release)
    width = max((len(str(b.path)) for b in built), default=4)
    click.echo(f"{'file':<{width}}  {'format':<9}  lang  {'size':>8}")
    for b in built:
        click.echo(f"{str(b.path):<{width}}  {b.format:<9}  {b.language:<4}  "
                   f"{b.size / 1024:>6.1f} KB")
    click.echo(f"{len(built)} packages in {out}/")


def _known_hotels(roster: Path | None, source: Path) -> tuple[tuple[str, str], ...]:
    """--hotels: the roster's (code, name) pairs, checked against the course's code pattern."""
    if roster is None:
        return ()
    from builder.course import load_source
    from builder.hotels import load_hotels

    return load_hotels(roster, load_source(source).config["hotel_code"]["pattern"])


def _dual_tracking(endpoint: str | None, key: str | None, secret: str | None,
                   homepage: str | None, hotel_from: str) -> dict:
    """The runtime's `lrs` settings, or {} without --lrs-endpoint; click usage errors (exit 2)."""
    import base64
    import os

    if not endpoint:
        return {}
    secret = secret or os.environ.get("NOROOM_LRS_SECRET")
    if not key or not secret:
        raise click.UsageError("--lrs-endpoint needs --lrs-key and --lrs-secret "
                               "(or NOROOM_LRS_SECRET)")
    # The account homePage identifies the LMS's learners in the LRS for good: no guessing it
    # from the LRS's address, which would file every chain's learners under one system.
    if not homepage:
        raise click.UsageError("--lrs-endpoint needs --lms-homepage, the LMS's URL (e.g. "
                               "https://lms.chain.example): it names whose learners the "
                               "student ids are")
    _http_url(endpoint, "--lrs-endpoint")
    _http_url(homepage, "--lms-homepage")
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"lrs": {"endpoint": endpoint, "auth": "Basic " + token, "hotelFrom": hotel_from,
                    "homePage": homepage}}


def _http_url(value: str, option: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter("must be an http(s) URL", param_hint=option)


def _load_brand(path: Path | None):  # type: ignore[no-untyped-def]
    if path is None:
        return None
    from builder.brand import load_brand

    return load_brand(path)
