"""A cmi5 LMS gives the AU its own activity id: the course IRI (the AU's publisher id) is only in
context.contextActivities.grouping (cmi5 9.6.2.2). Such completions count from every source (file,
store, LRS, Parquet by pandas and Dask); module, question and non-cmi5 statements never do
(issue 12, item 6)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from lrs_reporter.certify import Options
from lrs_reporter.facts import CMI5_CATEGORY
from lrs_reporter.parquet import export_parquet, read_parquet_facts
from lrs_reporter.report import Sources, run_report
from lrs_reporter.store import Store, statement_row
from lrs_reporter.sync import sync_store
from tests.support.lrs import AUTH

from .conftest import COURSE, HOTEL_EXT, hotel, roster, run, statement, void

AU = "https://lms.example/course/7f3a/au/0"  # the LMS's id for our AU, as CATAPULT makes them
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"


def cmi5(who: str, verb: str = "completed", obj: str = AU, grouping: Any = None,
         categories: tuple[str, ...] = (CMI5_CATEGORY, MOVEON), hotel: str = "H",
         when: str = "2026-05-01T10:00:00Z") -> dict[str, Any]:
    """A statement as our AU sends it under a cmi5 LMS: the context template's grouping (the
    publisher id) and session, the cmi5 (and moveOn) categories on cmi5-defined verbs."""
    st = statement(f"{who}@example.org", verb, when=when, obj=obj)
    activities: dict[str, Any] = {"grouping": [{"id": COURSE}] if grouping is None else grouping}
    if categories:
        activities["category"] = [{"id": c} for c in categories]
    st["context"] = {"registration": "2f6b1e52-2d1b-4a53-9b7e-0c1a5d6f4e21",
                     "contextActivities": activities,
                     "extensions": {HOTEL_EXT: hotel,
                                    "https://w3id.org/xapi/cmi5/context/extensions/sessionid":
                                    "s-1"}}
    return st


def mixed() -> list[dict[str, Any]]:
    """Two cmi5 completions that count (completed; passed with a one-object grouping), one voided,
    and five that must not: a module and a question (with the cmi5 category, which they should
    not carry), a cmi5-allowed statement (no category) with the course in its grouping, a
    completion grouped under another course, a cmi5 category without a grouping."""
    gone = cmi5("c")
    return [cmi5("a"), cmi5("b", "passed", grouping={"id": COURSE}), gone, void(gone),
            cmi5("d", obj=f"{COURSE}/module/signals"),
            cmi5("e", "passed", obj=f"{COURSE}/question/q1"),
            cmi5("f", categories=()),
            cmi5("g", grouping=[{"id": "https://other.example/course"}]),
            cmi5("h", grouping=[])]


def test_cmi5_completions_count_through_the_grouping_and_nothing_else_does():
    cert = run(mixed(), roster(("H", 10)))
    assert hotel(cert, "H")["trained"] == 2
    assert cert.data_quality["voided"] == 1
    assert cert.data_quality["other_activities"] == 5


def test_a_non_cmi5_statement_with_the_course_in_its_grouping_does_not_count():
    # An xAPI statement about a module names the course as parent or grouping: never trained.
    st = statement("a@example.org", obj=AU)
    st["context"] = {"contextActivities": {"grouping": [{"id": COURSE}]},
                     "extensions": {HOTEL_EXT: "H"}}
    assert hotel(run([st], roster(("H", 1))), "H")["trained"] == 0


ROSTER = "hotel_id,name,chain,city,country,language,employees\nH,Hotel H,C,Town,NL,nl,3\n"


def certification(tmp_path: Path, **source: Any) -> dict[str, Any]:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    cert = run_report(Sources(roster=path, hotel_extension=HOTEL_EXT, **source),
                      Options((COURSE,), date(2026, 11, 1)))
    return {"trained": int(cert.hotels.loc[0, "trained"]),
            "certified": bool(cert.hotels.loc[0, "certified"]),
            "other_activities": cert.data_quality["other_activities"],
            "voided": cert.data_quality["voided"]}


EXPECTED = {"trained": 2, "certified": True, "other_activities": 5, "voided": 1}


def test_from_an_ndjson_file(tmp_path):
    path = tmp_path / "s.ndjson"
    path.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in mixed()))
    assert certification(tmp_path, statements=[path]) == EXPECTED


# dask 2026.8 calls reset_index(inplace=True), deprecated in pandas 3.1 (see test_engines.py).
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index:"
                            "pandas.errors.Pandas4Warning")
def test_from_the_store_and_its_parquet_export_by_pandas_and_dask(tmp_path):
    store = tmp_path / "s.sqlite"
    with Store.open(store) as s:
        s.add_page([statement_row(st) for st in mixed()], {})
    assert certification(tmp_path, store=store) == EXPECTED
    export_parquet(store, tmp_path / "parquet", HOTEL_EXT)
    assert certification(tmp_path, parquet=tmp_path / "parquet") == EXPECTED
    by_pandas, _ = read_parquet_facts(tmp_path / "parquet", "pandas")
    by_dask, _ = read_parquet_facts(tmp_path / "parquet", "dask")
    assert by_dask.equals(by_pandas)
    assert json.dumps([COURSE], separators=(",", ":")) in set(by_pandas["grouping"].astype(str))


@pytest.mark.lrs
def test_from_a_real_lrs(lrs, tmp_path):
    lrs.post(mixed())
    store = tmp_path / "s.sqlite"
    # The LRS applies the void itself: it serves the void, never the voided completion.
    assert sync_store(store, lrs.endpoint, *AUTH).new == len(mixed()) - 1
    assert certification(tmp_path, store=store) == {**EXPECTED, "voided": 0}


def test_a_store_made_before_the_grouping_column_still_reports_and_syncs(tmp_path):
    """Its rows have no grouping (README: sync into a new store to count its cmi5 completions);
    read-only it is read as it is, a sync adds the column and stores new ones whole."""
    store = tmp_path / "old.sqlite"
    with Store.open(store) as s:
        s.add_page([statement_row(statement("z@example.org", hotel="H"))], {})
    with closing(sqlite3.connect(store)) as db:  # the layout of the previous release
        db.execute("ALTER TABLE statements DROP COLUMN grouping")
    assert certification(tmp_path, store=store)["trained"] == 1
    with Store.open(store) as s:
        s.add_page([statement_row(st) for st in mixed()], {})
    assert certification(tmp_path, store=store)["trained"] == 3
