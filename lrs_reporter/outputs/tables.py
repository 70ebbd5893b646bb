"""certification.json, certification.csv, certification.xlsx and warnings.txt.

Spreadsheet cells that start with = + - @ tab or CR are prefixed with an apostrophe, so a hotel
or learner name from an untrusted source cannot become a formula (CSV/formula injection). In the
workbook, characters XML cannot hold (NUL and other C0 controls, say in an account name an LRS
returned) become U+FFFD instead of failing the whole report.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from lrs_reporter.model import CHAIN_COLUMNS, HOTEL_COLUMNS, LEARNER_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from lrs_reporter.model import Certification

JSON_HOTEL_KEYS = ["hotel_id", "name", "chain", "city", "country", "language", "employees",
                   "trained", "trained_pct", "certified", "certified_on", "valid_until", "needed"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: plain(v) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False, name=None)]


def document(cert: Certification, learners: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "as_of": cert.as_of.isoformat(),
        "threshold": float(cert.threshold),
        "valid_months": cert.valid_months,
        "counting_activities": list(cert.counting_activities),
        "hotels": records(cert.hotels, JSON_HOTEL_KEYS),
        "chains": records(cert.chains, CHAIN_COLUMNS),
        "data_quality": {k: plain(v) if not isinstance(v, list) else v
                         for k, v in sorted(cert.data_quality.items())},
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
        for row in records(frame, columns):
            w.writerow(["" if v is None else neutralise(v) for v in row.values()])
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return path


class XlsxOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        from datetime import datetime, time

        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        wb = Workbook()
        sheets = [("Hotels", records(cert.hotels, HOTEL_COLUMNS), HOTEL_COLUMNS),
                  ("Chains", records(cert.chains, CHAIN_COLUMNS), CHAIN_COLUMNS),
                  ("Data quality", [{"measure": k, "value": ", ".join(map(str, v))
                                     if isinstance(v, list) else plain(v)}
                                    for k, v in sorted(cert.data_quality.items())],
                   ["measure", "value"])]
        if learners:
            sheets.append(("Learners", records(cert.learners, LEARNER_COLUMNS), LEARNER_COLUMNS))
        wb.remove(wb.active)
        header_font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="5B2A86")
        for title, rows, columns in sheets:
            ws = wb.create_sheet(title)
            ws.append(columns)
            for cell in ws[1]:
                cell.font, cell.fill = header_font, fill
            for row in rows:
                ws.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
                                      if isinstance(v := row[c], str) else v)
                           for c in columns])
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
            for i, c in enumerate(columns, 1):
                width = max([len(str(c))] + [len(str(r[c] or "")) for r in rows[:500]])
                ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
        stamp = datetime.combine(cert.as_of, time())
        wb.properties.created = wb.properties.modified = stamp
        path = out / "certification.xlsx"
        wb.save(path)
        return [path]


class WarningsOutput:
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        path = out / "warnings.txt"
        path.write_text("".join(f"{w}\n" for w in cert.warnings), encoding="utf-8")
        return [path]
