"""The files in --out: JSON, CSV and XLSX agree, names are escaped and neutralised, PDFs exist for
exactly the certified hotels, and no personal data leaves without --learners."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lrs_reporter.outputs import write_all

from .conftest import roster, run, staff, statement


def read_csv(path):  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def cert():  # type: ignore[no-untyped-def]
    hotels = roster(("A", 10), ("B", 10), ("C", 0))
    hotels.loc[0, "name"] = HOSTILE
    hotels.loc[1, "name"] = FORMULA
    hotels.loc[2, "name"] = "Hotel Főváros Łódź"
    hotels.loc[0, "language"] = "hu"
    people = [f"p{i}@example.org" for i in range(6)]
    sts = [statement(p, hotel="A", when=f"2026-0{i + 1}-10T09:00:00Z")
           for i, p in enumerate(people)]
    return run(sts + [statement("q@example.org", hotel="B")], hotels,
               staff(*(("A", p) for p in people)), valid_months=24)


def test_json_holds_every_hotel_and_the_documented_keys(cert, tmp_path):
    write_all(cert, tmp_path)
    doc = json.loads((tmp_path / "certification.json").read_text())
    assert set(doc) >= {"as_of", "threshold", "counting_activities", "hotels", "chains",
                        "data_quality"}
    assert doc["threshold"] == 0.6 and doc["as_of"] == "2026-11-01"
    a = next(h for h in doc["hotels"] if h["hotel_id"] == "A")
    assert {k: a[k] for k in ("trained", "trained_pct", "certified", "certified_on", "needed")} \
        == {"trained": 6, "trained_pct": 60.0, "certified": True,
            "certified_on": "2026-06-10", "needed": 0}
    c = next(h for h in doc["hotels"] if h["hotel_id"] == "C")
    assert c["trained_pct"] is None and c["needed"] is None


def test_csv_and_xlsx_hold_what_the_json_holds(cert, tmp_path):
    write_all(cert, tmp_path)
    doc = json.loads((tmp_path / "certification.json").read_text())
    rows = read_csv(tmp_path / "certification.csv")
    wb = load_workbook(tmp_path / "certification.xlsx")
    assert wb.sheetnames == ["Hotels", "Chains", "Data quality"]
    sheet = wb["Hotels"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    for h, row, xl in zip(doc["hotels"], rows, sheet.iter_rows(min_row=2, values_only=True),
                          strict=True):
        xrow = dict(zip(header, xl, strict=True))
        assert row["hotel_id"] == xrow["hotel_id"] == h["hotel_id"]
        assert int(row["trained"]) == xrow["trained"] == h["trained"]
        assert row["certified"] == str(h["certified"]) and xrow["certified"] == h["certified"]
        assert (row["certified_on"] or None) == xrow["certified_on"] == h["certified_on"]


def test_formulas_are_neutralised_in_csv_and_xlsx(cert, tmp_path):
    write_all(cert, tmp_path)
    rows = read_csv(tmp_path / "certification.csv")
    assert rows[1]["name"] == "'" + FORMULA
    cell = load_workbook(tmp_path / "certification.xlsx")["Hotels"]["B3"]
    assert cell.value == "'" + FORMULA and cell.data_type == "s"


def test_dashboard_escapes_a_hostile_hotel_name_and_is_self_contained(cert, tmp_path):
    write_all(cert, tmp_path)
    html = (tmp_path / "dashboard.html").read_text()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace("http://evil.example", "")
    assert "<link" not in html and "src=" not in html
    assert "needs 1 more" not in html or "B" in html


def test_pdfs_exist_for_exactly_the_certified_hotels_with_name_and_date(cert, tmp_path):
    write_all(cert, tmp_path)
    pdfs = sorted(p.name for p in (tmp_path / "certificates").glob("*.pdf"))
    assert pdfs == ["A.pdf"]
    text = PdfReader(tmp_path / "certificates" / "A.pdf").pages[0].extract_text()
    assert HOSTILE in text and "2026-06-10" in text and "2028-01-09" in text
    assert "Tanúsítvány" in text  # the hotel's roster language (hu)


def test_polish_and_hungarian_letters_survive_into_the_pdf(tmp_path):
    hotels = roster(("Z", 1), language="pl")
    hotels.loc[0, "name"] = "Hotel Főváros Łódź"
    write_all(run([statement("z@example.org", hotel="Z")], hotels), tmp_path)
    text = PdfReader(tmp_path / "certificates" / "Z.pdf").pages[0].extract_text()
    assert "Hotel Főváros Łódź" in text and "Certyfikat" in text


def test_a_hotel_that_loses_certification_loses_its_pdf(cert, tmp_path):
    (tmp_path / "certificates").mkdir()
    (tmp_path / "certificates" / "B.pdf").write_bytes(b"old")
    write_all(cert, tmp_path)
    assert not (tmp_path / "certificates" / "B.pdf").exists()


def test_no_personal_data_without_learners_and_present_with_it(cert, tmp_path):
    write_all(cert, tmp_path / "plain")
    blob = b"".join(p.read_bytes() for p in (tmp_path / "plain").rglob("*") if p.is_file())
    assert b"sha1:" not in blob and b"example.org" not in blob
    write_all(cert, tmp_path / "full", learners=True)
    doc = json.loads((tmp_path / "full" / "certification.json").read_text())
    assert len(doc["learners"]) == 7 and doc["learners"][0]["learner"].startswith("sha1:")
    assert "Learners" in load_workbook(tmp_path / "full" / "certification.xlsx").sheetnames
    assert (tmp_path / "full" / "learners.csv").exists()


def test_outputs_are_byte_identical_across_runs(cert, tmp_path):
    write_all(cert, tmp_path / "one")
    write_all(cert, tmp_path / "two")
    for name in ["certification.json", "certification.csv", "dashboard.html", "warnings.txt",
                 "certificates/A.pdf"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
