"""The bundled sample programme is what samples/generate.py writes, and the demo report on it
shows the cases it was built for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from noroom.cli import cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FILES = ["roster.csv", "staff.csv", "statements.ndjson", "lms_export.csv"]


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                   check=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_sample_statements_are_valid_xapi_except_the_deliberately_broken_ones():
    from tincan import Statement

    not_json, no_actor = 0, 0
    for line in (SAMPLES / "statements.ndjson").read_text(encoding="utf-8").splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            not_json += 1
            continue
        statement = Statement(doc)  # raises on a bad id, verb, object, time ...
        no_actor += statement.actor is None  # tincan allows it; xAPI does not
    assert (not_json, no_actor) == (1, 1)


def test_demo_report_on_the_samples(tmp_path):
    args = ["report", "--roster", str(SAMPLES / "roster.csv"), "--staff",
            str(SAMPLES / "staff.csv"), "--statements", str(SAMPLES / "statements.ndjson"),
            "--completions", str(SAMPLES / "lms_export.csv"), "--as-of", "2026-11-01",
            "--valid-months", "24", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "certification.json").read_text())
    hotels = {h["hotel_id"]: h for h in doc["hotels"]}
    # 6 of 10, two of them listed with an email and an account and completing under both.
    assert hotels["NL-AMS-001"]["trained_pct"] == 60.0 and hotels["NL-AMS-001"]["certified"]
    assert hotels["NL-AMS-002"]["needed"] == 1
    dq = doc["data_quality"]
    assert dq["voided"] == 2 and dq["duplicates"] > 0 and dq["invalid"] == 2
    assert dq["unknown_hotel_ids"] == ["NL-XXX-999"] and dq["hotels_over_100pct"] == 1
