"""Issue 14: a bad input never costs the good report, and malformed or hostile files (statements,
CSV, stores) give one error line naming the file, never a traceback; outputs hold no control or
bidirectional-override characters and no certificate is named like a Windows device.

The hostile inputs also run in a child process limited to 1 GiB of address space and 60 s of CPU
(`test_each_hostile_input_stays_within_1_gib_and_60_s_of_cpu`): a limit, not a timing assert.
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lrs_reporter.certify import Options
from lrs_reporter.outputs.pdf import file_names
from lrs_reporter.report import Sources, run_report
from lrs_reporter.store import Store, statement_row
from noroom.cli import cli
from noroom.errors import ConfigError

from .conftest import COURSE, HOTEL_EXT, statement

HEADER = "hotel_id,name,chain,city,country,language,employees\n"
ROSTER = HEADER + "H,Hotel H,C,Town,NL,nl,2\nJ,Hotel J,C,Town,NL,en,1\n"
STAFF = "hotel_id,email,account_homepage,account_name,role\n"
GIB = 1 << 30
# What must never reach an output: C0 and C1 controls, DEL, line/paragraph separators, and the
# bidirectional embeddings, overrides and isolates (Unicode UAX #9, explicit formatting).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def ndjson(*statements: dict) -> str:
    return "".join(json.dumps(s) + "\n" for s in statements)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def report(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["report", "--as-of", "2026-11-01", "--out",
                                    str(tmp_path / "out"), *args])


def certified(tmp_path: Path) -> dict[str, int]:
    doc = json.loads((tmp_path / "out" / "certification.json").read_bytes())
    return {h["hotel_id"]: h["trained"] for h in doc["hotels"]}


def one_error_line(result, path: Path, message: str, exit_code: int = 2) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith(f"{path}") and message in result.output, result.output
    assert result.output.count("\n") == 1, result.output


@pytest.fixture
def programme(tmp_path: Path) -> tuple[Path, Path]:
    """A roster and statements that certify both hotels, already reported into tmp_path/out."""
    roster = write(tmp_path / "roster.csv", ROSTER)
    good = write(tmp_path / "good.ndjson", ndjson(statement("a@x.org", hotel="H"),
                                                 statement("b@x.org", hotel="H"),
                                                 statement("c@x.org", hotel="J")))
    result = report(tmp_path, "--roster", str(roster), "--statements", str(good))
    assert result.exit_code == 0 and "2 of 2 hotels certified" in result.output, result.output
    assert len(list((tmp_path / "out" / "certificates").glob("*.pdf"))) == 2
    return roster, good


# 1. A bad input destroys the good report ------------------------------------------------------

@pytest.mark.parametrize("content", [
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n</body></html>\n",
    "hotel_id,email,status\nH,a@x.org,completed\nH,b@x.org,completed\n",
    "",
    '{"error": "unauthorized"}\n',
    "[]",
], ids=["html", "csv", "empty", "json-error", "empty-array"])
def test_a_file_that_is_not_statements_stops_and_keeps_the_previous_report(tmp_path, programme,
                                                                           content):
    roster, _ = programme
    before = snapshot(tmp_path / "out")
    bad = write(tmp_path / "download.ndjson", content)
    result = report(tmp_path, "--roster", str(roster), "--statements", str(bad))
    one_error_line(result, bad, "statements")
    assert snapshot(tmp_path / "out") == before


def test_a_few_broken_lines_among_statements_are_still_skipped_not_fatal(tmp_path, programme):
    roster, good = programme
    mixed = write(tmp_path / "mixed.ndjson", good.read_text() + "<html>\n{broken\n")
    result = report(tmp_path, "--roster", str(roster), "--statements", str(mixed))
    assert result.exit_code == 0 and "5 statements read, 2 skipped" in result.output


def _no_bigger_files(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond it fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_writer_that_fails_leaves_the_previous_report_as_it_was(tmp_path, programme):
    """A full disk, simulated with the kernel's file size limit: the dashboard and the
    certificates are larger than 6 KB, the JSON and CSV smaller, so some outputs succeed first."""
    roster, good = programme
    before = snapshot(tmp_path / "out")
    more = write(tmp_path / "more.ndjson", good.read_text() + ndjson(statement("d@x.org",
                                                                                hotel="J")))
    run = subprocess.run([sys.executable, "-m", "noroom.cli", "report", "--as-of", "2026-11-01",
                          "--roster", str(roster), "--statements", str(more),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         preexec_fn=_no_bigger_files(6_000), timeout=300)
    assert run.returncode == 1, run.stderr
    assert "cannot write the reports (File too large)" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    assert snapshot(tmp_path / "out") == before
    assert [p.name for p in (tmp_path / "out").iterdir() if p.is_dir()] == ["certificates"]


def test_a_staging_folder_left_by_a_killed_run_is_removed_a_day_later(tmp_path, programme):
    import os
    import time

    roster, good = programme
    old, fresh = tmp_path / "out" / ".noroom-staging-old", tmp_path / "out" / ".noroom-staging-x"
    for stage in (old, fresh):
        (stage / "certificates").mkdir(parents=True)
    os.utime(old, (time.time() - 2 * 86_400,) * 2)
    result = report(tmp_path, "--roster", str(roster), "--statements", str(good))
    assert result.exit_code == 0, result.output
    assert not old.exists() and fresh.exists()  # a run writing right now keeps its folder


# 2. Input formats -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["ndjson", "array", "object"])
def test_a_byte_order_mark_is_dropped_and_every_statement_counts(tmp_path, shape):
    roster = write(tmp_path / "roster.csv", ROSTER)
    items = [statement("a@x.org", hotel="H"), statement("b@x.org", hotel="H")]
    text = {"ndjson": ndjson(*items), "array": json.dumps(items),
            "object": json.dumps({"statements": items}, indent=2)}[shape]
    path = write(tmp_path / "s.json", b"\xef\xbb\xbf" + text.encode())
    result = report(tmp_path, "--roster", str(roster), "--statements", str(path))
    assert "2 statements read, 0 skipped" in result.output, result.output
    assert certified(tmp_path) == {"H": 2, "J": 0}


def test_ndjson_whose_first_line_is_an_array_is_read_line_by_line(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER)
    text = "[1, 2]\n" + ndjson(statement("a@x.org", hotel="H"), statement("b@x.org", hotel="H"))
    path = write(tmp_path / "s.json", text)
    result = report(tmp_path, "--roster", str(roster), "--statements", str(path))
    assert result.exit_code == 0 and "3 statements read, 1 skipped" in result.output
    assert certified(tmp_path) == {"H": 2, "J": 0}
    assert (tmp_path / "out" / "warnings.txt").read_text() == \
        f"{path}:1: skipped: not a JSON object\n"


@pytest.mark.parametrize("first", ['{"id": "truncated', "[", '{"statements": ['])
def test_a_broken_first_line_is_one_skipped_line_of_ndjson(tmp_path, first):
    """Not a reason to read the whole file as one document (and into memory)."""
    roster = write(tmp_path / "roster.csv", ROSTER)
    text = first + "\n" + ndjson(statement("a@x.org", hotel="H"), statement("b@x.org", hotel="H"))
    path = write(tmp_path / "s.json", text)
    result = report(tmp_path, "--roster", str(roster), "--statements", str(path))
    assert result.exit_code == 0 and "3 statements read, 1 skipped" in result.output
    assert certified(tmp_path) == {"H": 2, "J": 0}


def test_an_unclosed_quote_in_an_lms_export_is_a_warning_naming_its_line(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER)
    export = write(tmp_path / "lms.csv", 'email,status,completed_at,hotel_id\n'
                   'a@x.org,completed,2026-01-02,H\n'
                   'b@x.org,"completed,2026-01-03,H\n'
                   'c@x.org,completed,2026-01-04,J\nd@x.org,completed,2026-01-04,J\n')
    result = report(tmp_path, "--roster", str(roster), "--completions", str(export))
    assert result.exit_code == 0, result.output
    warnings = (tmp_path / "out" / "warnings.txt").read_text().splitlines()
    assert f"{export}:3: a quoted field runs to line 5; check for a missing closing quote" \
        in warnings


BIG = "x" * 200_000  # over the csv module's 128 KB field limit


@pytest.mark.parametrize("which", ["roster", "staff"])
def test_a_csv_field_over_128_kb_stops_with_the_file_and_line(tmp_path, which):
    roster = write(tmp_path / "roster.csv", ROSTER + (f"K,{BIG},C,Town,NL,nl,1\n"
                                                     if which == "roster" else ""))
    staff = write(tmp_path / "staff.csv", STAFF + "H,a@x.org,,,bar\n"
                  + (f"H,b@x.org,,{BIG},bar\n" if which == "staff" else ""))
    statements = write(tmp_path / "s.ndjson", ndjson(statement("a@x.org", hotel="H")))
    result = report(tmp_path, "--roster", str(roster), "--staff", str(staff),
                    "--statements", str(statements))
    path = {"roster": roster, "staff": staff}[which]
    one_error_line(result, path, f"{path}:{3 if which == 'staff' else 4}: unreadable row "
                   "(field larger than field limit (131072))")


def test_an_lms_export_row_over_128_kb_is_skipped_and_named(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER)
    export = write(tmp_path / "lms.csv", "email,status,completed_at,hotel_id\n"
                   f"a@x.org,completed,2026-01-02,{BIG}\nb@x.org,completed,2026-01-02,H\n")
    result = report(tmp_path, "--roster", str(roster), "--completions", str(export))
    assert result.exit_code == 0, result.output
    assert certified(tmp_path)["H"] == 1
    assert (tmp_path / "out" / "warnings.txt").read_text() == (
        f"{export}:2: skipped: unreadable row (field larger than field limit (131072))\n")


@pytest.mark.parametrize("employees", ["9" * 4300, str(2**64), str(2**63), "1000001"],
                         ids=["4300-digits", "2^64", "2^63", "over-a-million"])
def test_an_impossible_headcount_stops_with_the_file_and_line(tmp_path, employees):
    roster = write(tmp_path / "roster.csv", HEADER + f"H,Hotel H,C,Town,NL,nl,{employees}\n")
    statements = write(tmp_path / "s.ndjson", ndjson(statement("a@x.org", hotel="H")))
    result = report(tmp_path, "--roster", str(roster), "--statements", str(statements))
    one_error_line(result, roster, f"{roster}:2: employees must be a whole number")
    assert len(result.output) < 300


@pytest.mark.parametrize("sep", [";", "\t"], ids=["semicolon", "tab"])
def test_csv_files_saved_by_a_dutch_excel_are_read(tmp_path, sep):
    def csv(text: str) -> str:
        return text.replace(",", sep)

    roster = write(tmp_path / "roster.csv", csv(ROSTER).replace("Hotel H", f'"Hotel H{sep} '
                                                               'Centrum, Amsterdam"'))
    staff = write(tmp_path / "staff.csv", csv(STAFF + "H,a@x.org,,,bar\nJ,c@x.org,,,bar\n"))
    export = write(tmp_path / "lms.csv", csv("email,status,completed_at\n"
                                             "a@x.org,completed,2026-01-02\n"
                                             "c@x.org,passed,2026-01-02\n"))
    result = report(tmp_path, "--roster", str(roster), "--staff", str(staff),
                    "--completions", str(export))
    assert result.exit_code == 0, result.output
    assert certified(tmp_path) == {"H": 1, "J": 1}
    assert "1 of 2 hotels certified" in result.output  # H has 2 employees, J 1
    doc = json.loads((tmp_path / "out" / "certification.json").read_bytes())
    name = f"Hotel H{sep} Centrum, Amsterdam".replace("\t", "\ufffd")  # outputs hold no tab
    assert doc["hotels"][0]["name"] == name


# 4. The store -----------------------------------------------------------------------------------

def make_store(path: Path, *statements: dict, skipped=()) -> Path:  # type: ignore[no-untyped-def]
    with Store.open(path) as store:
        store.add_page([statement_row(s) for s in statements], {"cursor": "2026-05-01"},
                       skipped)
    return path


def file_state(path: Path) -> tuple[str, list[str]]:
    """The file's digest and the names beside it (a -wal or -shm appearing is a change too)."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(),
            sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)))


def certify_store(tmp_path: Path, store: Path):  # type: ignore[no-untyped-def]
    roster = write(tmp_path / "roster.csv", ROSTER)
    return run_report(Sources(roster=roster, store=store, hotel_extension=HOTEL_EXT),
                      Options((COURSE,), date(2026, 11, 1)))


HOSTILE_SQL = {
    "view": "DROP TABLE statements; CREATE VIEW statements(id, verb, object, ref, actor, time, "
            "extensions, stored) AS SELECT 'x', 'http://adlnet.gov/expapi/verbs/completed', "
            "'c', 0, 'k', 0, NULL, NULL",
    "slow-view": "DROP TABLE statements; CREATE VIEW statements(id, verb, object, ref, actor, "
                 "time, extensions, stored) AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                 "SELECT i + 1 FROM n) SELECT printf('%d', i), 'http://adlnet.gov/expapi/verbs/"
                 "completed', 'c', 0, 'k', i, NULL, NULL FROM n",
    "trigger": "CREATE TRIGGER t AFTER INSERT ON meta BEGIN "
               "INSERT INTO skipped VALUES (new.key || 'x', 'fake'); END",
    "foreign-table": "CREATE TABLE people (name TEXT)",
    "extra-column": "ALTER TABLE skipped ADD COLUMN note TEXT DEFAULT 'x'",
    "foreign-index": "CREATE INDEX slow ON statements(length(actor))",
}


IN_PROCESS = [k for k in HOSTILE_SQL if k != "slow-view"]  # that one runs under a CPU limit


@pytest.mark.parametrize("sql", [HOSTILE_SQL[k] for k in IN_PROCESS], ids=IN_PROCESS)
def test_a_store_holding_foreign_sql_is_refused_and_left_as_it_was(tmp_path, sql):
    store = make_store(tmp_path / "s.sqlite", statement("a@x.org", hotel="H"))
    with closing(sqlite3.connect(store)) as db:
        db.executescript(sql)
        db.execute("PRAGMA journal_mode=DELETE")  # one file, so any change shows in its bytes
    before = file_state(store)
    with pytest.raises(ConfigError, match="is not a statement store"):
        certify_store(tmp_path, store)
    with pytest.raises(ConfigError, match="is not a statement store"):
        Store.open(store).close()  # what sync does first
    assert file_state(store) == before


def test_report_on_a_sqlite_file_that_is_not_a_store_refuses_and_changes_nothing(tmp_path):
    other = tmp_path / "crm.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.executescript("CREATE TABLE hotels (id TEXT, name TEXT); "
                         "INSERT INTO hotels VALUES ('H', 'Hotel H');")
    before = file_state(other)
    roster = write(tmp_path / "roster.csv", ROSTER)
    result = report(tmp_path, "--roster", str(roster), "--store", str(other))
    one_error_line(result, other, "is not a statement store: it holds the table 'hotels'")
    assert file_state(other) == before
    with closing(sqlite3.connect(other)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_reading_a_store_writes_nothing_and_the_first_layout_still_reports(tmp_path):
    store = make_store(tmp_path / "s.sqlite", statement("a@x.org", hotel="H"),
                       statement("b@x.org", "experienced", hotel="H"))
    with closing(sqlite3.connect(store)) as db:  # the layout of the first version: no `others`
        db.executescript("DROP TABLE others; DROP TABLE skipped; PRAGMA journal_mode=DELETE;")
    before = file_state(store)
    cert = certify_store(tmp_path, store)
    assert cert.data_quality["statements_read"] == 2 and cert.data_quality["invalid"] == 0
    assert file_state(store) == before


def test_malformed_store_rows_are_skipped_and_named(tmp_path):
    good = statement("a@x.org", hotel="H")
    bad = [statement(f"{n}@x.org", hotel="H", sid=f"0000000{n}-0000-4000-8000-000000000000")
           for n in range(5)]
    store = make_store(tmp_path / "s.sqlite", good, *bad)
    with closing(sqlite3.connect(store)) as db:
        for sql, n in [("UPDATE statements SET time = 'soon' WHERE id = ?", 0),
                       ("UPDATE statements SET extensions = '{broken' WHERE id = ?", 1),
                       ("UPDATE statements SET extensions = '[1]' WHERE id = ?", 2),
                       ("UPDATE statements SET ref = x'00' WHERE id = ?", 3),
                       ("UPDATE statements SET actor = x'00' WHERE id = ?", 4)]:
            db.execute(sql, (bad[n]["id"],))
        db.execute("UPDATE meta SET value = ? WHERE key = 'statements'", ("9" * 4300,))
        db.commit()
    roster = write(tmp_path / "roster.csv", ROSTER)
    result = report(tmp_path, "--roster", str(roster), "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "6 statements read, 5 skipped" in result.output
    warnings = (tmp_path / "out" / "warnings.txt").read_text().splitlines()
    assert warnings == [f"{store}: statement {b['id']!r}: skipped: malformed row in the store "
                        "(a column of the wrong type); sync into a new store" for b in bad]
    assert certified(tmp_path)["H"] == 1


# 5. Outputs -------------------------------------------------------------------------------------

def is_windows_device(name: str) -> bool:
    stem = name.split(".")[0].rstrip(" ").upper()
    return re.fullmatch(r"CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]|CONIN\$|CONOUT\$", stem) is not None


def test_no_certificate_is_named_like_a_windows_device():
    ids = ["CON", "nul", "Com1", "AUX.pdf", "lpt9.txt", "PRN.", "conout$", "NL-AMS-001", "CONSOLE"]
    names = file_names(ids)
    assert not [n for n in names.values() if is_windows_device(n)], names
    assert names["NL-AMS-001"] == "NL-AMS-001.pdf" and names["CONSOLE"] == "CONSOLE.pdf"
    assert len({n.lower() for n in names.values()}) == len(ids)


HOSTILE_NAME = "Hotel \x1b[31mRood\x1b[0m \u202egnp.exe \u2066x\u2069\x07\x00 \x85end"


def test_no_output_holds_control_or_bidi_override_characters(tmp_path):
    roster = write(tmp_path / "roster.csv", HEADER + f'"H\u202e",{json.dumps(HOSTILE_NAME)},'
                   f'"C\x1b",Town\u2028,NL,nl,1\n')
    statements = write(tmp_path / "s.ndjson", ndjson(statement("a@x.org", hotel="H\u202e")))
    store = make_store(tmp_path / "s.sqlite", skipped=[("\x1b]0;owned\x07\u202e", "no verb id")])
    result = report(tmp_path, "--roster", str(roster), "--statements", str(statements),
                    "--store", str(store), "--learners")
    assert result.exit_code == 0 and "1 of 1 hotels certified" in result.output, result.output
    out = tmp_path / "out"
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()
             if p.suffix in (".json", ".csv", ".html", ".txt")}
    sheets = load_workbook(out / "certification.xlsx")
    texts["xlsx"] = "\n".join(str(v) for ws in sheets for row in ws.values for v in row)
    assert set(texts) == {"certification.json", "certification.csv", "learners.csv",
                          "dashboard.html", "warnings.txt", "xlsx"}
    for name, text in texts.items():
        body = text.replace("\r\n", "").replace("\n", "")  # the files' own line breaks
        assert not UNSAFE.search(body), (name, UNSAFE.findall(body))
        assert "Rood" in body or name in ("learners.csv", "warnings.txt"), name
    assert "\ufffd]0;owned" in texts["warnings.txt"]


# Hostile inputs in a child process within 1 GiB and 60 s of CPU -------------------------------

def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


def _hostile_inputs(tmp_path: Path) -> dict[str, list[str]]:
    roster = write(tmp_path / "roster.csv", ROSTER)
    good = write(tmp_path / "good.ndjson", ndjson(statement("a@x.org", hotel="H")))
    slow = make_store(tmp_path / "slow.sqlite", statement("a@x.org", hotel="H"))
    with closing(sqlite3.connect(slow)) as db:
        db.executescript(HOSTILE_SQL["slow-view"])
    return {
        "html": ["--roster", str(roster), "--statements",
                 str(write(tmp_path / "h.ndjson", "<html>\n<body>502</body>\n</html>\n" * 5000))],
        "employees": ["--statements", str(good), "--roster",
                      str(write(tmp_path / "r.csv", HEADER + "H,H,C,T,NL,nl," + "9" * 4300))],
        "big-field": ["--statements", str(good), "--roster",
                      str(write(tmp_path / "b.csv", HEADER + f"H,{'x' * 50_000_000},C,T,NL,nl,1"))],
        "unclosed-quote": ["--roster", str(roster), "--completions",
                           str(write(tmp_path / "l.csv", 'email,status,completed_at\n"a@x.org,'
                                     + "b@x.org,completed,2026-01-02\n" * 200_000))],
        "slow-view": ["--roster", str(roster), "--store", str(slow)],
        "garbage-lines": ["--roster", str(roster), "--statements",
                          str(write(tmp_path / "g.ndjson", "{]\n" * 2_000_000))],
    }


HOSTILE = ["html", "employees", "big-field", "unclosed-quote", "slow-view", "garbage-lines"]


@pytest.mark.parametrize("case", HOSTILE)
def test_each_hostile_input_stays_within_1_gib_and_60_s_of_cpu(tmp_path, case):
    args = _hostile_inputs(tmp_path)[case]
    run = subprocess.run([sys.executable, "-m", "noroom.cli", "report", "--as-of", "2026-11-01",
                          "--out", str(tmp_path / "out"), *args], capture_output=True, text=True,
                         preexec_fn=_bounded, timeout=300)
    assert run.returncode in (0, 2), (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and run.stderr.count("\n") <= 1, run.stderr[-2000:]


# Fuzz: whatever a file holds, one error line or a report, never a traceback ----------------------

STATEMENT = json.dumps(statement("a@x.org", hotel="H"))
FRAGMENTS = st.sampled_from(['{"id": "x"}', "[", "]", "{", '"', ",", ";", "\t", "\n", "\r",
                             "\ufeff", "\x00", "<html>", "9" * 30, "9" * 4400, str(2**64),
                             '"verb": {"id": 1}', STATEMENT, "hotel_id", "é", "completed"])
# Each file starts as a good one and goes wrong after that, so the fuzzing reaches the rows.
PREFIX = {"statements": "", "roster": HEADER + "H,Hotel H,C,Town,NL,nl,",
          "staff": STAFF + "H,", "completions": "email,status,completed_at\n"}
CONTENT = st.one_of(st.binary(max_size=300),
                    st.lists(FRAGMENTS, max_size=30).map(lambda xs: "".join(xs).encode()))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(list(PREFIX)), content=CONTENT)
def test_any_bad_file_gives_one_error_line_and_leaves_the_report(tmp_path, programme, which,
                                                                  content):
    roster, good = programme
    before = snapshot(tmp_path / "out")
    content = PREFIX[which].encode() + content
    bad = write(tmp_path / f"fuzz.{which}", content)
    files = {"roster": roster, "statements": good, which: bad}
    args = ["--roster", str(files["roster"]), "--statements", str(files["statements"])]
    if which in ("staff", "completions"):
        args += [f"--{which}", str(bad)]
    result = report(tmp_path, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exc_info
    assert result.exit_code in (0, 2), result.output
    if which == "statements" and STATEMENT.encode() not in content:
        assert result.exit_code == 2, "a file without a statement gave a report"
    if result.exit_code:
        assert result.output.count("\n") == 1 and result.output.startswith(str(bad)), \
            result.output
        assert snapshot(tmp_path / "out") == before
    else:  # a report was written and replaced the previous one whole
        assert (tmp_path / "out" / "certification.json").exists()
        assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".noroom")]
