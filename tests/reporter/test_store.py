"""The store's layout (issue 7): the statements whose verb can never count keep only their id and
time, the store still judges every statement as the NDJSON reader does, and a store written with
the earlier layout (every statement as a whole row) still reports and syncs correctly."""

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
from lrs_reporter.facts import RELEVANT_VERBS, parse_time
from lrs_reporter.identity import actor_key
from lrs_reporter.lrs import LRSClient
from lrs_reporter.model import Certification
from lrs_reporter.outputs.tables import JsonOutput
from lrs_reporter.parquet import export_parquet
from lrs_reporter.report import Sources, run_report
from lrs_reporter.store import Store
from lrs_reporter.sync import sync_store
from tests.support.fault_proxy import Fault
from tests.support.lrs import AUTH

from .conftest import COURSE, HOTEL_EXT, VERB, statement, void

pytestmark = pytest.mark.lrs
ROSTER = ("hotel_id,name,chain,city,country,language,employees\n"
          "A,Hotel A,C,Town,NL,nl,3\nB,Hotel B,C,Town,NL,en,4\n")
GROUP = {"objectType": "Group", "member": [{"mbox": "mailto:admin@example.org"}]}


def report(tmp_path: Path, **source: Any) -> Certification:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    return run_report(Sources(roster=roster, hotel_extension=HOTEL_EXT, **source),
                      Options((COURSE,), date(2026, 11, 1)))


def certification_json(tmp_path: Path, name: str, **source: Any) -> bytes:
    out = tmp_path / name
    out.mkdir()
    return JsonOutput().write(report(tmp_path, **source), out, False)[0].read_bytes()


def tables(store: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(store)) as db:
        return {"statements": db.execute("SELECT id, verb, actor FROM statements").fetchall(),
                "others": db.execute("SELECT id, time FROM others").fetchall()}


def test_statements_that_cannot_count_keep_only_their_id_and_time(lrs, tmp_path):
    done = statement("a1@example.org", hotel="A")
    passed = statement("a1@example.org", "passed", hotel="A")
    seen = statement("a1@example.org", "experienced", hotel="A", when="2026-05-02T10:00:00Z")
    lrs.post([done, passed, seen])
    store = tmp_path / "s.sqlite"
    assert sync_store(store, lrs.endpoint, *AUTH).new == 3
    kept = tables(store)
    assert sorted(kept["statements"]) == sorted(
        (st["id"], st["verb"]["id"], actor_key(st["actor"])) for st in (done, passed))
    assert kept["others"] == [(seen["id"], parse_time("2026-05-02T10:00:00Z"))]
    with Store.open(store, readonly=True) as s:
        assert s.count() == 3 and s.ids() == sorted(st["id"] for st in (done, passed, seen))


# Shapes on which a check could differ from FactBuilder.add; the LRS would refuse most of them,
# so the proxy adds them to its pages. Injected statements carry no `stored`.
SHAPES = {
    "other verb, anonymous group": {"actor": GROUP, "verb": {"id": VERB + "experienced"}},
    "other verb, no time at all": {"verb": {"id": VERB + "experienced"}, "timestamp": None},
    "other verb, no actor": {"verb": {"id": VERB + "experienced"}, "actor": None},
    "completion, anonymous group": {"actor": GROUP},
    "completion, no time at all": {"timestamp": None},
    "no object id": {"object": {"objectType": "Activity"}},
    "no verb id": {"verb": {"display": {"en": "did"}}},
}


def shaped(changes: dict[str, Any]) -> dict[str, Any]:
    st = statement("s@example.org", hotel="A")
    st.update(changes)
    return {k: v for k, v in st.items() if v is not None}


def test_the_store_finds_the_same_statements_unusable_as_the_ndjson_reader(lrs, fault_proxy,
                                                                          tmp_path):
    sts = [statement(f"a{i}@example.org", hotel="A") for i in range(3)]
    sts += [statement(f"b{i}@example.org", "experienced", hotel="B") for i in range(6)]
    lrs.post(sts)  # 9 pages of 1: one injected statement on each of the first 8
    injected = [shaped(change) for change in SHAPES.values()]
    timeless_group_void = {k: v for k, v in {**void(sts[0]), "actor": GROUP}.items()
                           if k != "timestamp"}
    injected.append(timeless_group_void)
    fault_proxy.script = {n: Fault("inject", value=json.dumps(st))
                          for n, st in enumerate(injected, 1)}
    store = tmp_path / "s.sqlite"
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s", page_size=1))
    ndjson = tmp_path / "s.ndjson"
    ndjson.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in lrs.all() + injected))
    from_store, from_file = report(tmp_path, store=store), report(tmp_path, statements=[ndjson])
    assert from_store.data_quality == from_file.data_quality
    assert from_store.data_quality["invalid"] == 5  # 3 of the shapes are usable, and the void
    assert from_store.hotels.equals(from_file.hotels)
    assert list(from_store.hotels["trained"]) == [2, 0]  # voided by the group


OLD_SCHEMA = """
CREATE TABLE statements (
  id TEXT PRIMARY KEY, verb TEXT NOT NULL, object TEXT NOT NULL, ref INTEGER NOT NULL,
  actor TEXT NOT NULL, time INTEGER NOT NULL, extensions TEXT, stored TEXT
);
CREATE TABLE skipped (key TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def old_row(st: dict[str, Any]) -> tuple:
    """A statement as the earlier layout stored it: a whole row, whatever its verb."""
    ext = (st.get("context") or {}).get("extensions")
    return (st["id"], st["verb"]["id"], st["object"]["id"],
            int(st["object"].get("objectType") == "StatementRef"), actor_key(st["actor"]),
            parse_time(st.get("timestamp")) or parse_time(st["stored"]),
            json.dumps(ext) if ext else None, st["stored"])


def write_old_store(path: Path, served: list[dict[str, Any]]) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(OLD_SCHEMA)
        relevant = ",".join(f"'{v}'" for v in sorted(RELEVANT_VERBS))
        db.execute("CREATE INDEX relevant_statements ON statements(id, verb, object, ref, actor, "
                   f"time, extensions) WHERE verb IN ({relevant})")
        db.executemany("INSERT INTO statements VALUES (?,?,?,?,?,?,?,?)", map(old_row, served))
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("cursor", max(s["stored"] for s in served)),
                        ("statements", str(len(served)))])
        db.commit()


def test_a_store_of_the_earlier_layout_reports_and_syncs_each_statement_once(lrs, tmp_path):
    first = [statement(f"a{i}@example.org", hotel="A") for i in range(2)]
    first += [statement(f"a{i}@example.org", "experienced", hotel="A") for i in range(3)]
    lrs.post(first)
    old = tmp_path / "old.sqlite"
    write_old_store(old, lrs.all())
    assert report(tmp_path, store=old).data_quality["statements_read"] == 5
    later = [statement("a2@example.org", hotel="A"),
             statement("a3@example.org", "experienced", hotel="A")]
    lrs.post(later)
    # The overlap fetches the first statements again: those stored as whole rows stay the only
    # copy, the others table gets only what is new.
    assert sync_store(old, lrs.endpoint, *AUTH).new == 2
    assert {k: len(v) for k, v in tables(old).items()} == {"statements": 6, "others": 1}
    clean = tmp_path / "clean.sqlite"
    sync_store(clean, lrs.endpoint, *AUTH)
    with Store.open(old, readonly=True) as a, Store.open(clean, readonly=True) as b:
        assert a.count() == b.count() == 7
        assert a.ids() == b.ids()
    expected = certification_json(tmp_path, "clean", store=clean)
    assert certification_json(tmp_path, "old", store=old) == expected
    export_parquet(old, tmp_path / "parquet", HOTEL_EXT)
    assert certification_json(tmp_path, "from-parquet", parquet=tmp_path / "parquet") == expected


def test_a_statement_stored_in_one_table_is_not_stored_again_in_the_other(tmp_path):
    from lrs_reporter.store import statement_row

    done = statement("a1@example.org", hotel="A")
    same_id = {**statement("a1@example.org", "experienced", hotel="A"), "id": done["id"]}
    with Store.open(tmp_path / "s.sqlite") as s:
        assert s.add_page([statement_row(done)], {}) == 1
        assert s.add_page([statement_row(same_id)], {}) == 0  # a conflicting re-send
        assert s.count() == 1 and s.ids() == [done["id"]]
    with Store.open(tmp_path / "t.sqlite") as s:
        assert s.add_page([statement_row(same_id)], {}) == 1
        assert s.add_page([statement_row(done)], {}) == 0
        assert s.count() == 1


def test_the_cursor_also_covers_the_unusable_statements_of_the_page(lrs, fault_proxy, tmp_path):
    from datetime import datetime, timedelta

    lrs.post([statement("a1@example.org", hotel="A")])
    newest = max(datetime.fromisoformat(s["stored"]) for s in lrs.all())
    later = (newest + timedelta(milliseconds=1)).isoformat(timespec="milliseconds")
    no_actor = {**statement("x@example.org"), "actor": None, "stored": later}
    fault_proxy.script = {1: Fault("inject", value=json.dumps(no_actor))}
    store = tmp_path / "s.sqlite"
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    with Store.open(store, readonly=True) as s:
        assert s.invalid_count() == 1 and s.get("cursor") == later
