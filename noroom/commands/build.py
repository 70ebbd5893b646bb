"""`noroom build`: course_src/ -> dist/<course>_<lang>_<format>.zip."""

from __future__ import annotations

from pathlib import Path

import click

FORMAT_NAMES = ["scorm12", "scorm2004", "xapi", "cmi5", "web"]


@click.command("build")
@click.option("--lang", "languages", multiple=True, metavar="LANG",
              help="Language to build (repeatable); default: every language in course.yaml.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
              help="Package format (repeatable); default: every format.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder for the zips.")
@click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("course_src"), show_default=True, help="Course source folder.")
@click.option("--country", metavar="CC", help="Contact details to use (course.yaml contacts); "
              "default: default_country.")
@click.option("--brand", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chain branding file (brand.yaml: name, logo, colours).")
@click.option("--strict", is_flag=True, help="Treat source warnings (unknown keys) as errors.")
def command(languages: tuple[str, ...], formats: tuple[str, ...], out: Path, source: Path,
            country: str | None, brand: Path | None, strict: bool) -> None:
    """Build one package per language and format.

    \b
    Example:
      noroom build --lang nl --lang en --format scorm12 --out dist
    """
    from builder.build import build
    from builder.formats import FORMATS, BuildOptions

    missing = [f for f in formats if f not in FORMATS]
    if missing:
        raise click.UsageError(f"format {missing[0]} is not available in this version")
    options = BuildOptions(brand=_load_brand(brand))
    built = build(source, out, languages, formats, options, country, strict=strict)
    width = max((len(str(b.path)) for b in built), default=4)
    click.echo(f"{'file':<{width}}  {'format':<9}  lang  {'size':>8}")
    for b in built:
        click.echo(f"{str(b.path):<{width}}  {b.format:<9}  {b.language:<4}  "
                   f"{b.size / 1024:>6.1f} KB")
    click.echo(f"{len(built)} packages in {out}/")


def _load_brand(path: Path | None):  # type: ignore[no-untyped-def]
    if path is None:
        return None
    from builder.brand import load_brand

    return load_brand(path)
