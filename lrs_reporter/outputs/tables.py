"""certification.json, certification.csv, certification.xlsx and warnings.txt.

Spreadsheet cells that start with = + - @ tab or CR are prefixed with an apostrophe, so a hotel
or learner name from an untrusted source cannot become a formula (CSV/formula injection). In every
text output (these, the dashboard) control characters (NUL, ESC, tab, line breaks, C1) and the
bidirectional embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069) become
U+FFFD: an ESC sequence could drive the terminal that shows a file, a right-to-left override
could make "exe.pdf" read as "fdp.exe" or reorder a row (issue 14); U+FFFD shows that something
was there instead of silently joining what stood around it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from lrs_reporter.model import CHAIN_COLUMNS, HOTEL_COLUMNS, LEARNER_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from lrs_reporter.model import Certification

JSON_HOTEL_KEYS = ["hotel_id", "name", "chain", "city", "country", "language", "employees",
                   "trained", "trained_pct", "certified", "certified_on", "valid_until", "needed",
                  "to_extend"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(value: Any) -> Any:
    """A string with its control and bidirectional-override characters replaced by U+FFFD;
    anything else as it is."""
    return UNSAFE.sub("\ufffd", value) if isinstance(value, str) else value


def sheet_cell(value: Any) -> Any:
    """A spreadsheet cell: neutralised (on the original text, so a leading tab still counts),
    then cleaned."""
    return clean(neutralise(value))


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def plain(value: Any) -> Any:
    """Python scalars for output: None for NaN, ISO strings for dates, ints for whole floats."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    return value


def records(frame: pd.DataFrame, columns: list[str], cleaned: bool = True,
            ) -> list[dict[str, Any]]:
    """The rows of `frame` as plain dicts, strings cleaned (see `clean`) unless `cleaned` is
    False (the spreadsheets clean after neutralising; the certificates print their own way)."""
    fix = clean if cleaned else (lambda v: v)
    return [{c: fix(plain(v)) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False, name=None)]


def document(cert: Certification, learners: bool) -> dict[str, Any]:
    numbers = cert.certificate_numbers or {}  # hotel ids are cleaned: look up by the cleaned id
    numbers = {clean(h): n for h, n in numbers.items()}
    doc: dict[str, Any] = {
        "as_of": cert.as_of.isoformat(),
        "threshold": float(cert.threshold),
        "valid_months": cert.valid_months,
        "counting_activities": [clean(a) for a in cert.counting_activities],
        "hotels": [{**h, "certificate_number": numbers.get(h["hotel_id"])}
                   for h in records(cert.hotels, JSON_HOTEL_KEYS)],
        "chains": records(cert.chains, CHAIN_COLUMNS),
        "data_quality": {k: [clean(plain(x)) for x in v] if isinstance(v, list)
                         else clean(plain(v)) for k, v in sorted(cert.data_quality.items())},
    }
    if learners:
        doc["learners"] = records(cert.learners, LEARNER_COLUMNS)
    return doc


class JsonOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        path = out / "certification.json"
        path.write_bytes(orjson.dumps(document(cert, learners),
                                      option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
        return [path]


class CsvOutput:
    """certification.csv (and learners.csv): the code names as headers, "true"/"false", whole
    numbers without ".0" (a share of 60.0 % is "60"), empty for none (issue 17 §2)."""

    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        written = [self._table(out / "certification.csv", cert.hotels, HOTEL_COLUMNS)]
        if learners:
            written.append(self._table(out / "learners.csv", cert.learners, LEARNER_COLUMNS))
        return written

    @staticmethod
    def _table(path: Path, frame: pd.DataFrame, columns: list[str]) -> Path:
        buf = io.StringIO()
        # CRLF as RFC 4180 says; it also makes the writer quote a field holding a bare CR,
        # which with "\n" it would leave unquoted, splitting the row in Excel.
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(columns)
        for row in records(frame, columns, cleaned=False):
            w.writerow([csv_field(v) for v in row.values()])
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return path


def csv_field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return sheet_cell(value)


class XlsxOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        from lrs_reporter.outputs.workbook import workbook

        path = out / "certification.xlsx"
        path.write_bytes(workbook(cert, learners))
        return [path]


class WarningsOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        path = out / "warnings.txt"
        path.write_text("".join(f"{clean(w)}\n" for w in cert.warnings), encoding="utf-8")
        return [path]
