"""`noroom export-parquet`: the local store as Parquet partitioned by month, for Dask."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("export-parquet", short_help="Export the local store as Parquet for Dask.")
@click.option("--store", required=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Store made by `noroom sync`.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--hotel-extension", metavar="IRI", help="Default: course.yaml.")
def command(store: Path, out: Path, hotel_extension: str | None) -> None:
    """Export the statements of a store as Parquet, one folder per month.

    \b
    Example:
      noroom export-parquet --store .noroom/store.sqlite --out statements.parquet
      noroom report --roster roster.csv --parquet statements.parquet --engine dask \\
        --scheduler tcp://scheduler:8786
    """
    from lrs_reporter.parquet import export_parquet
    from noroom.vocabulary import load_vocabulary

    n = export_parquet(store, out, hotel_extension or load_vocabulary().hotel_extension)
    click.echo(f"exported {n:,} statements to {out}/")
