"""Statements as partitioned Parquet, for data beyond one machine (issue 7).

    export_parquet(store, out_dir, hotel_extension)   one folder per month: month=YYYY-MM/
    read_parquet_facts(out_dir, engine="pandas"|"dask", scheduler=None) -> (facts, total)

Layout: one file per month (one writer each, `part-0.parquet`), only the columns the rule needs,
plain strings that Parquet dictionary-encodes itself (per row group, not every category in every
batch), zstd, each row group one verb of one month (up to ROW_GROUP rows), so the row-group
statistics let a reader skip every group whose verb cannot count. Both engines read with the filter
verb IN RELEVANT_VERBS pushed down and only the rule's columns, so memory grows with the
statements that can count, not with all of them; the rule runs on those reduced facts and the
certification is identical. A `_noroom.json` beside the data records the hotel extension it was
made with and the number of statements (the `statements_read` count, without reading them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrs_reporter.facts import COLUMNS, RELEVANT_VERBS, split_id
from noroom.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ROW_GROUP = 128_000


def require(module: str, extra: str) -> None:
    """Raise ConfigError naming the pip extra when an optional dependency is not installed.

    pyarrow and Dask are extras (issue 18: building packages and reporting from files need neither),
    so a missing one is a set-up step to name, not a traceback."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"{module} is not installed: Parquet and Dask are optional; "
                          f"install them with  pip install 'noroom[{extra}]'  (make test does)")
STRINGS = ("verb", "object", "actor", "hotel")


def export_parquet(store_path: Path, out: Path, hotel_extension: str) -> int:
    """Write every statement of the store as Parquet partitioned by month; return the count.

    Replaces an earlier export in `out`. Memory: at most about 8 x ROW_GROUP rows are held
    before they are written, however large the store."""
    require("pyarrow", "parquet")
    from lrs_reporter.store import Store

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("month=*"):
        shutil.rmtree(old)
    months = _MonthWriters(out)
    total = 0
    with Store.open(store_path, readonly=True) as store:
        for batch in store.batches(None):
            table = _table(list(store.rows(batch, hotel_extension)))
            months.add(table)
            total += table.num_rows
    months.close()
    (out / "_noroom.json").write_text(json.dumps({"hotel_extension": hotel_extension,
                                                  "statements": total, "columns": COLUMNS},
                                                 sort_keys=True))
    return total


def _schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([("id_hi", pa.int64()), ("id_lo", pa.int64()), ("verb", pa.string()),
                      ("object", pa.string()), ("ref", pa.bool_()), ("actor", pa.string()),
                      ("time", pa.timestamp("us", tz="UTC")), ("hotel", pa.string()),
                      ("source", pa.int8()), ("grouping", pa.string())])


def _table(rows: list[tuple]) -> pa.Table:
    """Store rows (id, verb, object, ref, actor, time, hotel, grouping) as an Arrow table of
    COLUMNS."""
    import pyarrow as pa

    sid, verb, obj, ref, actor, t, hotel, grouping = zip(*rows, strict=True) if rows else ([],) * 8
    hi, lo = zip(*map(split_id, sid), strict=True) if rows else ([], [])
    return pa.Table.from_arrays(
        [pa.array(hi, pa.int64()), pa.array(lo, pa.int64()), pa.array(verb, pa.string()),
         pa.array(obj, pa.string()), pa.array(ref, pa.bool_()), pa.array(actor, pa.string()),
         pa.array(t, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
         pa.array(hotel, pa.string()), pa.array([0] * len(rows), pa.int8()),
         pa.array(grouping, pa.string())], schema=_schema())


class _MonthWriters:
    """One ParquetWriter per month; rows are buffered per month and written as row groups."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers: dict[str, Any] = {}
        self.buffers: dict[tuple[str, str], list[pa.Table]] = {}

    def add(self, table: pa.Table) -> None:
        import pyarrow.compute as pc

        months = pc.strftime(table["time"], "%Y-%m")
        groups = table.append_column("month", months).group_by(["month", "verb"]).aggregate([])
        for month, verb in zip(groups["month"].to_pylist(), groups["verb"].to_pylist(),
                               strict=True):
            rows = pc.and_(pc.equal(months, month), pc.equal(table["verb"], verb))
            self.buffers.setdefault((month, verb), []).append(table.filter(rows))
            if self.buffered((month, verb)) >= ROW_GROUP:
                self.flush((month, verb))
        while sum(map(self.buffered, self.buffers)) > 8 * ROW_GROUP:  # memory stays bounded
            self.flush(max(self.buffers, key=self.buffered))

    def buffered(self, key: tuple[str, str]) -> int:
        return sum(t.num_rows for t in self.buffers.get(key, []))

    def flush(self, key: tuple[str, str]) -> None:
        """Write one month's rows of one verb as one row group: its statistics (min = max =
        the verb) let readers skip it unless the verb can count."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self.buffers.pop(key, [])
        if not parts:
            return
        month = key[0]
        table = pa.concat_tables(parts)
        if month not in self.writers:
            folder = self.out / f"month={month}"
            folder.mkdir()
            self.writers[month] = pq.ParquetWriter(folder / "part-0.parquet", _schema(),
                                                   compression="zstd", use_dictionary=True)
        self.writers[month].write_table(table, row_group_size=ROW_GROUP)

    def close(self) -> None:
        for key in sorted(self.buffers):
            self.flush(key)
        for writer in self.writers.values():
            writer.close()


def _meta(folder: Path) -> dict[str, Any]:
    meta = folder / "_noroom.json"
    if not meta.exists():
        raise ConfigError("is not a statement export (no _noroom.json); make one with "
                          "`noroom export-parquet`", folder)
    return dict(json.loads(meta.read_text()))


def check_extension(folder: Path, hotel_extension: str) -> None:
    """ConfigError unless `folder` is an export made with this hotel extension."""
    made = _meta(folder).get("hotel_extension")
    if made != hotel_extension:
        raise ConfigError(f"was exported with hotel extension {made!r}, not {hotel_extension!r}; "
                          "export again with the same --hotel-extension", folder)


def read_parquet_facts(folder: Path, engine: str = "pandas", scheduler: str | None = None,
                       ) -> tuple[pd.DataFrame, int]:
    """(the facts that can count, the number of statements exported); the same frame whichever
    engine reads. With engine="dask" and a scheduler address the scan runs on that cluster."""
    require("pyarrow", "parquet")
    if engine == "dask":
        require("dask", "dask")
    import pyarrow as pa

    filters = [("verb", "in", sorted(RELEVANT_VERBS))]
    meta = _meta(folder)
    # Exports made before the grouping column (issue 12, item 6) have every other column; their
    # cmi5 statements cannot be judged again (README: export again from a store synced anew).
    columns = [c for c in COLUMNS if c in meta.get("columns", COLUMNS[:-1])]
    schema = pa.schema([_schema().field(c) for c in columns])
    if engine == "dask":
        frame = _read_with_dask(folder, columns, filters, scheduler)
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(folder, columns=columns, filters=filters, schema=schema)
    if "grouping" not in columns:
        table = table.append_column("grouping", pa.nulls(table.num_rows, pa.string()))
    table = table.select(COLUMNS).cast(_schema())
    return _facts_frame(table), int(meta.get("statements", 0))


def _facts_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow facts -> the DataFrame FactBuilder.frame() makes (same dtypes, categoricals over
    object strings, time in UTC). Sorted by id in Arrow, so ties (same time) resolve the same way
    whichever engine read; all in Arrow and numpy, never row by row."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    table = table.sort_by([("id_hi", "ascending"), ("id_lo", "ascending")])

    def numbers(name: str, dtype: type) -> np.ndarray:
        return table[name].combine_chunks().to_numpy(zero_copy_only=False).astype(dtype)

    def strings(name: str) -> pd.Categorical:
        encoded = table[name].combine_chunks().dictionary_encode()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        return pd.Categorical.from_codes(codes, categories=pd.Index(
            encoded.dictionary.to_pylist(), dtype=object))

    return pd.DataFrame({
        "id_hi": numbers("id_hi", np.int64), "id_lo": numbers("id_lo", np.int64),
        "verb": strings("verb"), "object": strings("object"),
        "ref": numbers("ref", bool), "actor": strings("actor"),
        "time": pd.to_datetime(table["time"].cast(pa.int64()).combine_chunks()
                               .to_numpy(zero_copy_only=False), unit="us", utc=True),
        "hotel": strings("hotel"), "source": numbers("source", np.int8),
        "grouping": strings("grouping"),
    })


def _read_with_dask(folder: Path, columns: list[str], filters: list, scheduler: str | None,
                    ) -> pd.DataFrame:
    from contextlib import nullcontext

    import dask.dataframe as dd

    connection: Any = nullcontext()
    if scheduler:
        from distributed import Client

        try:
            connection = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}; start it "
                              "(dask scheduler) or check --scheduler") from exc
    with connection:  # computed on the cluster's workers when a scheduler is given
        ddf = dd.read_parquet(str(folder), columns=columns, filters=filters)
        return ddf.compute()
