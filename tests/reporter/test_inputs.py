"""Files as programme staff really have them: bad rosters stop with one line (exit 2), bad
statements are skipped and counted, LMS exports count only completed/passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from noroom.cli import cli

from .conftest import statement

ROSTER = "hotel_id,name,chain,city,country,language,employees\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def report(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["report", "--as-of", "2026-11-01", "--out",
                                    str(tmp_path / "out"), *args])


@pytest.fixture
def statements(tmp_path: Path) -> Path:
    return write(tmp_path / "s.ndjson", json.dumps(statement("a@x.org", hotel="H")) + "\n")


@pytest.mark.parametrize(("roster", "line", "message"), [
    ("hotel_id,name,city\nH,x,y\n", 1, "missing column 'chain'"),
    (ROSTER + "H,Hotel,C,Town,NL,nl,ten\n", 2, "employees must be a whole number"),
    (ROSTER + "H,Hotel,C,Town,NL,nl,-3\n", 2, "employees must be a whole number"),
    (ROSTER + "H,Hotel,C,Town,NL,nl,3\nJ,Hotel,C,Town,NL,nl,\u00b2\n", 3,
     "employees must be a whole number"),
    (ROSTER + "H,Hotel,C,Town,NL,nl,\u0663\n", 2, "employees must be a whole number"),
    (ROSTER + "H,Hotel,C,Town,NL,nl,3\nH,Again,C,Town,NL,nl,4\n", 3, "duplicate hotel_id 'H'"),
])
def test_bad_roster_stops_with_file_line_and_exit_2(tmp_path, statements, roster, line, message):
    path = write(tmp_path / "roster.csv", roster)
    result = report(tmp_path, "--roster", str(path), "--statements", str(statements))
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:{line}: {message}")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_roster_in_another_encoding_is_refused_clearly(tmp_path, statements):
    path = tmp_path / "roster.csv"
    path.write_bytes((ROSTER + "H,Hôtel,C,Town,NL,nl,3\n").encode("latin-1"))
    result = report(tmp_path, "--roster", str(path), "--statements", str(statements))
    assert result.exit_code == 2 and "not UTF-8 text" in result.output


def test_staff_row_for_a_hotel_not_on_the_roster(tmp_path, statements):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,3\n")
    staff = write(tmp_path / "staff.csv", "hotel_id,email,account_homepage,account_name,role\n"
                  "Q,a@x.org,,,bar\n")
    result = report(tmp_path, "--roster", str(roster), "--staff", str(staff),
                    "--statements", str(statements))
    assert result.exit_code == 2
    assert f"{staff}:2: hotel_id 'Q' is not on the roster" in result.output


@pytest.mark.parametrize(("row", "message"), [
    ("H,ann.example.org,https://lms.example,E1,bar", "email 'ann.example.org' is not an email "
     "address"),
    ("H,,,,bar", "row names nobody"),
])
def test_a_staff_row_that_names_nobody_clearly_stops(tmp_path, statements, row, message):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,3\n")
    staff = write(tmp_path / "staff.csv", "hotel_id,email,account_homepage,account_name,role\n"
                  f"H,a@x.org,,,bar\n{row}\n")
    result = report(tmp_path, "--roster", str(roster), "--staff", str(staff),
                    "--statements", str(statements))
    assert result.exit_code == 2
    assert result.output.startswith(f"{staff}:3: {message}")


def test_malformed_statements_are_skipped_counted_and_listed(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,1\n")
    good = json.dumps(statement("a@x.org", hotel="H"))
    no_actor = statement("b@x.org", hotel="H")
    del no_actor["actor"]
    path = write(tmp_path / "s.ndjson", f'{good}\n{{"broken\n{json.dumps(no_actor)}\n\n')
    result = report(tmp_path, "--roster", str(roster), "--statements", str(path))
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "certification.json").read_text())
    assert doc["data_quality"]["invalid"] == 2 and doc["data_quality"]["statements_read"] == 3
    assert doc["hotels"][0]["trained"] == 1
    warnings = (tmp_path / "out" / "warnings.txt").read_text().splitlines()
    assert warnings == [f"{path}:2: skipped: not valid JSON",
                        f"{path}:3: skipped: no usable actor (mbox, mbox_sha1sum, account or "
                        "openid)"]


@pytest.mark.parametrize("shape", ["array", "object"])
def test_json_array_and_statements_object_files(tmp_path, shape):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,1\n")
    items = [statement("a@x.org", hotel="H")]
    doc = items if shape == "array" else {"statements": items}
    path = write(tmp_path / "s.json", json.dumps(doc))
    result = report(tmp_path, "--roster", str(roster), "--statements", str(path))
    assert result.exit_code == 0, result.output
    assert "1 of 1 hotels certified" in result.output


def test_lms_export_counts_only_completed_or_passed(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,10\n")
    export = write(tmp_path / "lms.csv", "email,status,completed_at,hotel_id\n"
                   "a@x.org,completed,2026-01-02,H\nb@x.org,Passed,2026-01-03,H\n"
                   "c@x.org,incomplete,2026-01-04,H\nd@x.org,failed,2026-01-04,H\n"
                   "e@x.org,not attempted,,H\nf@x.org,browsed,2026-01-04,H\n"
                   "A@X.org,completed,2026-01-05,H\n")
    result = report(tmp_path, "--roster", str(roster), "--completions", str(export))
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "certification.json").read_text())
    assert doc["hotels"][0]["trained"] == 2
    assert doc["data_quality"]["lms_export_not_completed"] == 4


@pytest.mark.parametrize(("value", "message"), [
    ("60%", "is not a number like 0.6"), ("0", "must be more than 0 and at most 1"),
    ("1.5", "must be more than 0 and at most 1"), ("-0.1", "must be more than 0 and at most 1"),
])
def test_threshold_must_be_a_share_above_zero(tmp_path, statements, value, message):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,1\n")
    result = report(tmp_path, "--roster", str(roster), "--statements", str(statements),
                    "--threshold", value)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_threshold_of_one_needs_everyone(tmp_path, statements):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,1\n")
    result = report(tmp_path, "--roster", str(roster), "--statements", str(statements),
                    "--threshold", "1")
    assert result.exit_code == 0, result.output
    assert "1 of 1 hotels certified" in result.output


def test_two_lms_exports_with_the_same_file_name_both_count(tmp_path):
    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,10\n")
    header = "email,status,completed_at,hotel_id\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write(tmp_path / "a" / "lms.csv", header + "a@x.org,completed,2026-01-02,H\n")
    b = write(tmp_path / "b" / "lms.csv", header + "b@x.org,completed,2026-01-03,H\n")
    result = report(tmp_path, "--roster", str(roster), "--completions", str(a),
                    "--completions", str(b), "--completions", str(a))
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "certification.json").read_text())
    assert doc["hotels"][0]["trained"] == 2
    # The same file given twice is the same rows: duplicates, not new learners.
    assert doc["data_quality"]["duplicates"] == 1


def test_progress_is_shown_on_a_terminal_and_not_in_ci(tmp_path, statements):
    import os
    import pty
    import subprocess
    import sys

    roster = write(tmp_path / "roster.csv", ROSTER + "H,Hotel,C,Town,NL,nl,1\n")
    args = ["--roster", str(roster), "--statements", str(statements), "--statements",
            str(statements)]
    quiet = CliRunner().invoke(cli, ["report", "--as-of", "2026-11-01", "--out",
                                     str(tmp_path / "ci"), *args])
    assert quiet.exit_code == 0 and "\r" not in quiet.output
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "noroom.cli", "report", "--as-of",
                               "2026-11-01", "--out", str(tmp_path / "tty"), *args],
                              stderr=terminal, stdout=subprocess.PIPE, timeout=120, check=False)
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    assert proc.returncode == 0, proc.stdout
    assert b"\r1 statements read" in seen and b"\r2 statements read" in seen
    assert b"\r" not in proc.stdout
