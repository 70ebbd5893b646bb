"""A large NDJSON file is read by every core (issue 14, item 6) and gives exactly what one process
reading it gives: the same facts in the same order, warnings with the real line numbers, counts,
and the same report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import lrs_reporter.parallel as parallel
from lrs_reporter.certify import Options
from lrs_reporter.facts import FactBuilder
from lrs_reporter.files import ReadLog, read_statement_file
from lrs_reporter.outputs.tables import JsonOutput
from lrs_reporter.report import Sources, run_report

from .conftest import COURSE, HOTEL_EXT, statement, void

ROSTER = "hotel_id,name,chain,city,country,language,employees\nA,A,C,T,NL,nl,40\nB,B,C,T,NL,en,9\n"


def programme(tmp_path: Path) -> Path:
    """400 lines: completions, other verbs, bad lines, statements without an id (named per
    reader), a duplicate and a void whose targets are in the other half of the file."""
    sts = [statement(f"p{i}@example.org", "completed" if i % 3 else "experienced",
                     hotel="AB"[i % 2], when=f"2026-03-{1 + i % 28:02d}T10:00:00Z")
           for i in range(390)]
    lines = [json.dumps(s) for s in sts]
    lines[10] = "not json"
    lines[300] = '{"verb": 1}'
    for n in (5, 205, 350):
        lines[n] = json.dumps({k: v for k, v in sts[n].items() if k != "id"})
    lines[380] = json.dumps(sts[4])  # a duplicate of a statement in the first half
    lines.append(json.dumps(void(sts[7])))
    lines += ["", "   "]  # blank lines are not statements
    path = tmp_path / "s.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return path


def read(path: Path) -> tuple[FactBuilder, ReadLog]:
    facts, log = FactBuilder(HOTEL_EXT), ReadLog()
    read_statement_file(path, facts, log)
    return facts, log


@pytest.mark.parametrize("parts", [2, 3])
def test_reading_in_parts_gives_what_one_process_reads(tmp_path, monkeypatch, parts):
    path = programme(tmp_path)
    one, one_log = read(path)
    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: parts)
    assert parallel.parts_for(path) == parts
    many, many_log = read(path)
    assert many_log == one_log
    assert any(w.startswith(f"{path}:301: ") for w in many_log.warnings)  # in a later part
    a, b = one.frame(), many.frame()
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    same = [c for c in a.columns if c not in ("id_hi", "id_lo")]
    assert a[same].astype(str).equals(b[same].astype(str))  # the same facts, in file order
    # Ids too, but for the statements without one: each part names its own, never alike.
    named = a["id_hi"].eq(b["id_hi"]) & a["id_lo"].eq(b["id_lo"])
    assert (~named).sum() <= 2
    assert a.duplicated(["id_hi", "id_lo"]).sum() == b.duplicated(["id_hi", "id_lo"]).sum() == 1


def test_the_report_is_the_same_read_in_parts(tmp_path, monkeypatch):
    path = programme(tmp_path)
    (tmp_path / "roster.csv").write_text(ROSTER)

    def certification(name: str) -> bytes:
        cert = run_report(Sources(roster=tmp_path / "roster.csv", statements=[path],
                                  hotel_extension=HOTEL_EXT), Options((COURSE,), date(2026, 11, 1)))
        (tmp_path / name).mkdir()
        return JsonOutput().write(cert, tmp_path / name, False)[0].read_bytes()

    one = certification("one")
    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert certification("two") == one
    doc = json.loads(one)
    assert doc["data_quality"]["duplicates"] == 1 and doc["data_quality"]["voided"] == 1


def test_a_bad_roster_stops_at_once_and_ends_the_readers(tmp_path, monkeypatch):
    import multiprocessing

    from noroom.errors import ConfigError

    path = programme(tmp_path)
    (tmp_path / "roster.csv").write_text("hotel_id,name\nA,A\n")
    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    with pytest.raises(ConfigError, match="missing column"):
        run_report(Sources(roster=tmp_path / "roster.csv", statements=[path],
                           hotel_extension=HOTEL_EXT), Options((COURSE,), date(2026, 11, 1)))
    assert multiprocessing.active_children() == []
