"""Statements as partitioned Parquet, for data beyond one machine (issue 7).

    export_parquet(store, out_dir, hotel_extension)   one folder per month: month=YYYY-MM/
    read_parquet_facts(out_dir, engine="pandas"|"dask", scheduler=None) -> (facts, total)

Only the columns the rule needs are written, strings dictionary-encoded. Both engines read the
same files and hand the same facts (the statements that can count, and voids) to `certify()`, so
the certification is identical; Dask does the scan and the filter on its workers, the rule runs on
the reduced facts. A `_noroom.json` beside the data records the hotel extension it was made with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrs_reporter.facts import RELEVANT_VERBS, FactBuilder
from noroom.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["id_hi", "id_lo", "verb", "object", "ref", "actor", "time", "hotel", "source"]


def export_parquet(store_path: Path, out: Path, hotel_extension: str) -> int:
    """Write every statement of the store as Parquet partitioned by month; return the count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lrs_reporter.store import Store

    out.mkdir(parents=True, exist_ok=True)
    for old in out.rglob("*.parquet"):
        old.unlink()
    total = 0
    with Store.open(store_path, readonly=True) as store:
        for n, batch in enumerate(store.batches(None)):
            facts = FactBuilder(hotel_extension)
            for row in store.rows(batch, hotel_extension):
                facts.append(*row, 0)
            frame = facts.frame()
            frame["month"] = frame["time"].dt.strftime("%Y-%m")
            pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), out,
                                partition_cols=["month"],
                                basename_template=f"part-{n:05d}-{{i}}.parquet")
            total += len(frame)
    (out / "_noroom.json").write_text(json.dumps({"hotel_extension": hotel_extension,
                                                  "statements": total}, sort_keys=True))
    return total


def check_extension(folder: Path, hotel_extension: str) -> None:
    meta = folder / "_noroom.json"
    if not meta.exists():
        raise ConfigError("is not a statement export (no _noroom.json); make one with "
                          "`noroom export-parquet`", folder)
    made = json.loads(meta.read_text()).get("hotel_extension")
    if made != hotel_extension:
        raise ConfigError(f"was exported with hotel extension {made!r}, not {hotel_extension!r}; "
                          "export again with the same --hotel-extension", folder)


def read_parquet_facts(folder: Path, engine: str = "pandas", scheduler: str | None = None,
                       client: Any = None) -> tuple[pd.DataFrame, int]:
    import pandas as pd

    relevant = sorted(RELEVANT_VERBS)
    if engine == "dask":
        from contextlib import nullcontext

        import dask.dataframe as dd

        ddf = dd.read_parquet(str(folder), columns=COLUMNS)
        if client is None and scheduler:
            from distributed import Client

            try:
                connection: Any = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}; start it "
                                  "(dask scheduler) or check --scheduler") from exc
        else:
            connection = nullcontext()
        with connection:  # computed on the cluster's workers when a scheduler is given
            total = int(ddf.map_partitions(len).sum().compute())
            facts = ddf[ddf["verb"].astype(str).isin(relevant)].compute()
    else:
        facts = pd.read_parquet(folder, columns=COLUMNS)
        total = len(facts)
        facts = facts[facts["verb"].astype(str).isin(relevant)]
    # One order and one set of dtypes whatever read it: the rule's output depends on neither,
    # but this keeps ties (same time) resolved the same way.
    facts = facts.sort_values(["id_hi", "id_lo"], kind="stable").reset_index(drop=True)
    for column in ("verb", "object", "actor", "hotel"):
        facts[column] = facts[column].astype(object).where(facts[column].notna(), None)
        facts[column] = facts[column].astype("category")
    facts["ref"] = facts["ref"].astype(bool)
    facts["time"] = pd.to_datetime(facts["time"], utc=True)
    return facts, total
