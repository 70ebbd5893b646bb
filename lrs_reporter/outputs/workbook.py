"""certification.xlsx as a programme officer reads it (issue 17 §2).

A "Report" sheet first (as-of, threshold, validity, sources, counts), then Hotels, Chains, Data
quality (and Learners with --learners). Plain headers (the code names stay in
certification.json and the CSV); dates are date cells, shares percentage cells, certified is
Yes/No, an independent hotel's chain reads "(independent)". Conditional formatting marks the
certified, the close (needing at most 3 more learners) and the lapsing (certified until within
90 days) hotels, with the as-of date written into the rule so the file means the same whenever
it is opened. Text cells are neutralised and cleaned (tables.sheet_cell).
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from lrs_reporter.model import CHAIN_COLUMNS, LEARNER_COLUMNS
from lrs_reporter.outputs.html import CLOSE, LAPSING_DAYS, lapsing
from lrs_reporter.outputs.quality import measures, warnings
from lrs_reporter.outputs.tables import JSON_HOTEL_KEYS, plain, records, sheet_cell

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from lrs_reporter.model import Certification

HEADERS = {
    "hotel_id": "Hotel code", "name": "Hotel", "chain": "Chain", "city": "City",
    "country": "Country", "language": "Language", "employees": "Employees",
    "trained": "Trained", "trained_pct": "Share trained", "certified": "Certified",
    "certified_on": "Certified on", "valid_until": "Valid until",
    "needed": "More learners needed to certify", "to_extend": "More learners needed by valid until",
    "certificate_number": "Certificate number", "hotels": "Hotels",
    "certified_hotels": "Certified hotels", "learner": "Learner", "trained_on": "Trained on",
    "source": "Source", "measure": "Measure", "value": "Value",
}
DATES = {"certified_on", "valid_until", "trained_on"}
PERCENT, DATE = "0.0%", "yyyy-mm-dd"
PURPLE, WHITE = "5B2A86", "FFFFFF"
GREEN, AMBER, ORANGE = "D7EFDD", "FFF1C2", "FAD4C0"  # fills behind dark text: contrast kept
HOTEL_KEYS = [*JSON_HOTEL_KEYS, "certificate_number"]


def cell(key: str, value: Any) -> Any:
    """The value of a workbook cell for the column `key`."""
    value = plain(value)
    if value is None:
        return None
    if key in DATES:
        return date.fromisoformat(value)
    if key == "trained_pct":
        return value / 100
    if key == "certified":
        return "Yes" if value else "No"
    return sheet_cell(value)


def table(wb: Any, title: str, keys: list[str], rows: list[dict]) -> Worksheet:
    """A sheet of `rows` under plain headers: bold white on purple, frozen, filtered, sized."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([HEADERS.get(k, k) for k in keys])
    for c in ws[1]:
        c.font, c.fill = Font(bold=True, color=WHITE), PatternFill("solid", fgColor=PURPLE)
    for row in rows:
        ws.append([cell(k, row.get(k)) for k in keys])
    for i, key in enumerate(keys, 1):
        letter = get_column_letter(i)
        fmt = DATE if key in DATES else PERCENT if key == "trained_pct" else None
        if fmt:
            for (c,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                c.number_format = fmt
        width = max([len(HEADERS.get(key, key))]
                    + [len(str(r.get(key) or "")) for r in rows[:500]])
        ws.column_dimensions[letter].width = min(60, max(width, 10) + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{max(1, len(rows) + 1)}"
    return ws


def highlight(ws: Worksheet, keys: list[str], n: int, as_of: date) -> None:
    """Certified rows' Certified cell green; Needed 1-3 amber (close); Valid until within
    LAPSING_DAYS orange (lapsing)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    col = {k: get_column_letter(keys.index(k) + 1) for k in keys}
    last = as_of + timedelta(days=LAPSING_DAYS)
    rules = [("certified", f'${col["certified"]}2="Yes"', GREEN),
             ("needed", f'AND(${col["needed"]}2>=1,${col["needed"]}2<={CLOSE})', AMBER),
             ("valid_until", f'AND(${col["valid_until"]}2<>"",${col["valid_until"]}2<='
              f'DATE({last.year},{last.month},{last.day}))', ORANGE)]
    for key, formula, colour in rules:
        ws.conditional_formatting.add(
            f"{col[key]}2:{col[key]}{n + 1}",
            FormulaRule(formula=[formula], fill=PatternFill("solid", bgColor=colour)))


def report_sheet(wb: Any, cert: Certification, hotels: list[dict]) -> None:
    """Label / value pairs: what the report is about and what it found."""
    from openpyxl.styles import Font

    ws = wb.create_sheet("Report", 0)
    dq = cert.data_quality
    rows: list[tuple[str, Any, str | None]] = [
        ("Report date (as of)", cert.as_of, DATE),
        ("Threshold: share of employees trained", float(cert.threshold), PERCENT),
        ("Training valid for", f"{cert.valid_months} months" if cert.valid_months
         else "never expires (no validity set)", None),
        ("Counting activities", "; ".join(cert.counting_activities), None),
        ("Sources", "; ".join(cert.sources) or "(not recorded)", None),
        ("Hotels on the roster", len(hotels), None),
        ("Certified hotels", sum(h["certified"] for h in hotels), None),
        (f"Certified hotels lapsing within {LAPSING_DAYS} days",
         len(lapsing(hotels, cert.as_of)), None),
        ("Registered employees", sum(h["employees"] for h in hotels), None),
        ("Trained employees in roster hotels", sum(h["trained"] for h in hotels), None),
        ("Statements and export rows read", dq.get("statements_read", 0)
         + dq.get("lms_export_rows", 0), None),
        ("Skipped as unusable (see Data quality)", dq.get("invalid", 0), None),
        ("Certificate numbers", "made with the programme's key"
         if cert.certificate_numbers is not None else "none: no certificate key", None),
    ]
    for label, value, fmt in rows:
        ws.append([label, sheet_cell(value)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        if fmt:
            ws.cell(ws.max_row, 2).number_format = fmt
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 42, 70


def workbook(cert: Certification, learners: bool) -> bytes:
    """The workbook's bytes; the same certification gives the same bytes."""
    from openpyxl import Workbook

    numbers = cert.certificate_numbers or {}
    hotels = [{**h, "certificate_number": numbers.get(h["hotel_id"]),
               "chain": h["chain"] or "(independent)"}
              for h in records(cert.hotels, [k for k in HOTEL_KEYS
                                             if k != "certificate_number"], False)]
    wb = Workbook()
    wb.remove(wb.active)
    report_sheet(wb, cert, hotels)
    ws = table(wb, "Hotels", HOTEL_KEYS, hotels)
    highlight(ws, HOTEL_KEYS, len(hotels), cert.as_of)
    chains = [{**c, "chain": c["chain"] or "(independent)"}
              for c in records(cert.chains, CHAIN_COLUMNS, False)]
    table(wb, "Chains", CHAIN_COLUMNS, chains)
    quality = [{"measure": "To do", "value": w} for w in warnings(cert)]
    quality += [{"measure": label, "value": v} for label, v in measures(cert)]
    table(wb, "Data quality", ["measure", "value"], quality)
    if learners:
        table(wb, "Learners", LEARNER_COLUMNS, records(cert.learners, LEARNER_COLUMNS, False))
    wb.properties.created = wb.properties.modified = datetime.combine(cert.as_of, time())
    buffer = io.BytesIO()  # in memory first: openpyxl leaves its zip open when a write fails
    wb.save(buffer)
    return dated(buffer.getvalue(), cert.as_of)


def dated(xlsx: bytes, as_of: date) -> bytes:
    """`xlsx` with the clock taken out: openpyxl stamps the save time into docProps/core.xml
    (dcterms:modified, whatever was set before) and into every zip entry, so two runs a
    second apart differed. Both become the as-of day, like the certificates' dates."""
    import re
    import zipfile

    stamp = f"{as_of.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            entry = zipfile.ZipInfo(item.filename, (as_of.year, as_of.month, as_of.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(entry, data)
    return out.getvalue()
