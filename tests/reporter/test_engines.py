"""The same certification from the store, from Parquet read by pandas, and from Parquet read by
a Dask cluster (a 2-worker LocalCluster on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from lrs_reporter.store import Store, statement_row
from noroom.cli import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("engines")
    store = tmp / "store.sqlite"
    rows = []
    for line in (SAMPLES / "statements.ndjson").read_bytes().splitlines():
        try:
            row = statement_row(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
        if row:
            rows.append(row)
    with Store.open(store) as s:
        s.add_page(rows, {})
    result = CliRunner().invoke(cli, ["export-parquet", "--store", str(store), "--out",
                                      str(tmp / "parquet")])
    assert result.exit_code == 0, result.output
    return store, tmp / "parquet"


def report(tmp_path: Path, name: str, *source: str) -> bytes:
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["report", "--roster", str(SAMPLES / "roster.csv"),
                                      "--staff", str(SAMPLES / "staff.csv"), "--as-of",
                                      "2026-11-01", "--valid-months", "24", "--out", str(out),
                                      *source])
    assert result.exit_code == 0, result.output
    return (out / "certification.json").read_bytes()


def test_export_is_one_file_per_month_with_plain_dictionary_encoded_strings(exported):
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, parquet = exported
    months = sorted(p.name for p in parquet.iterdir() if p.is_dir())
    assert months[0] == "month=2025-01" and all(m.startswith("month=20") for m in months)
    for month in months:
        files = list((parquet / month).iterdir())
        assert [f.name for f in files] == ["part-0.parquet"]
        meta = pq.ParquetFile(files[0])
        schema = meta.schema_arrow
        # Plain strings in the schema (no Arrow categories repeated in every batch) ...
        assert all(schema.field(c).type == pa.string() for c in ("verb", "object", "actor"))
        verb = schema.get_field_index("verb")
        for g in range(meta.metadata.num_row_groups):
            chunk = meta.metadata.row_group(g).column(verb)
            assert "RLE_DICTIONARY" in chunk.encodings  # ... which Parquet encodes as dictionary
            # one verb per row group: its statistics let readers skip what cannot count
            assert chunk.statistics.min == chunk.statistics.max


# dask 2026.8 (dataframe/io/parquet/arrow.py, read_partition) still calls
# reset_index(inplace=True), deprecated in pandas 3.1; in this process only, not on the workers.
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index:"
                            "pandas.errors.Pandas4Warning")
def test_parquet_readers_load_only_the_statements_that_can_count(exported):
    from lrs_reporter.facts import RELEVANT_VERBS
    from lrs_reporter.parquet import read_parquet_facts

    store, parquet = exported
    with Store.open(store, readonly=True) as s:
        every = s.count()
        relevant = sum(len(b) for b in s.batches(RELEVANT_VERBS))
    for engine in ("pandas", "dask"):
        facts, total = read_parquet_facts(parquet, engine)
        assert total == every and len(facts) == relevant < every
        assert set(facts["verb"].astype(str)) <= RELEVANT_VERBS


def test_pandas_and_dask_engines_give_the_same_certification_as_the_store(exported, tmp_path):
    from distributed import LocalCluster

    store, parquet = exported
    default = report(tmp_path, "store", "--store", str(store))
    assert report(tmp_path, "pandas", "--parquet", str(parquet)) == default
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, processes=True) as cluster:
        dask = report(tmp_path, "dask", "--parquet", str(parquet), "--engine", "dask",
                      "--scheduler", cluster.scheduler_address)
        done = {name: prefix.state_counts["memory"]
                for name, prefix in cluster.scheduler.task_prefixes.items()}
    assert dask == default
    assert done.get("read_parquet", 0) >= 1  # the cluster's workers read the files
    assert b'"certified": true' in default


def test_export_made_with_another_hotel_extension_is_refused(exported, tmp_path):
    _, parquet = exported
    result = CliRunner().invoke(cli, ["report", "--roster", str(SAMPLES / "roster.csv"),
                                      "--parquet", str(parquet), "--hotel-extension",
                                      "https://other.example/hotel", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "was exported with hotel extension" in result.output


def test_an_unreachable_scheduler_is_one_clear_error(exported, tmp_path):
    from tests.support.lrs import free_port

    _, parquet = exported
    address = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(cli, ["report", "--roster", str(SAMPLES / "roster.csv"),
                                      "--parquet", str(parquet), "--engine", "dask",
                                      "--scheduler", address, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"cannot reach the Dask scheduler at {address}; start it "
                                     "(dask scheduler) or check --scheduler")
