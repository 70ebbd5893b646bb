"""The files in --out: JSON, CSV and XLSX agree, names are escaped and neutralised, PDFs exist for
exactly the certified hotels, and no personal data leaves without --learners."""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lrs_reporter.outputs import write_all
from lrs_reporter.outputs.local import long_date
from lrs_reporter.outputs.pdf import TEXT

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


ISSUE_HOTEL_KEYS = {"hotel_id", "name", "chain", "city", "country", "employees", "trained",
                    "trained_pct", "certified", "certified_on", "needed"}
ISSUE_QUALITY_KEYS = {"statements_read", "duplicates", "voided", "invalid", "other_activities",
                      "unmatched_learners", "unknown_hotels", "hotels_over_100pct"}
# Our documented extras (README, "certification.json").
EXTRA_TOP_KEYS = {"valid_months"}
EXTRA_HOTEL_KEYS = {"language", "valid_until", "certificate_number", "to_extend"}
EXTRA_QUALITY_KEYS = {"conflicting_duplicates", "hotels_over_100pct_ids", "lms_export_rows",
                      "lms_export_not_completed", "qualifying_statements", "trained_learners",
                      "unknown_hotel_ids"}


def test_json_has_exactly_the_issues_keys_and_the_documented_extras(tmp_path):
    from click.testing import CliRunner

    from noroom.cli import cli

    (tmp_path / "roster.csv").write_text(
        "hotel_id,name,chain,city,country,language,employees\nH,Hotel,C,Town,NL,nl,1\n",
        encoding="utf-8")
    (tmp_path / "s.ndjson").write_text(json.dumps(statement("a@x.org", hotel="H")) + "\n",
                                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--statements", str(tmp_path / "s.ndjson"), "--as-of",
                                      "2026-11-01", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "certification.json").read_text())
    assert set(doc) == {"as_of", "threshold", "counting_activities", "hotels", "chains",
                        "data_quality"} | EXTRA_TOP_KEYS
    (hotel,) = doc["hotels"]
    assert set(hotel) == ISSUE_HOTEL_KEYS | EXTRA_HOTEL_KEYS
    (chain,) = doc["chains"]
    assert set(chain) == {"chain", "hotels", "certified_hotels", "employees", "trained"}
    assert set(doc["data_quality"]) == ISSUE_QUALITY_KEYS | EXTRA_QUALITY_KEYS
    # The programme's validity applies unless another is given (issue 17 §1).
    assert hotel["valid_until"] == "2028-04-30" and doc["valid_months"] == 24
    assert hotel["to_extend"] == 1
    assert doc["data_quality"]["statements_read"] == 1
    never = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                     "--statements", str(tmp_path / "s.ndjson"), "--as-of",
                                     "2026-11-01", "--valid-months", "0", "--out",
                                     str(tmp_path / "never")])
    assert never.exit_code == 0, never.output
    doc = json.loads((tmp_path / "never" / "certification.json").read_text())
    assert doc["valid_months"] is None and doc["hotels"][0]["valid_until"] is None
    assert "training never expires" in (tmp_path / "never" / "dashboard.html").read_text()


def test_json_holds_every_hotel_with_its_figures(cert, tmp_path):
    write_all(cert, tmp_path)
    doc = json.loads((tmp_path / "certification.json").read_text())
    assert doc["threshold"] == 0.6 and doc["as_of"] == "2026-11-01"
    assert doc["valid_months"] == 24 and [h["hotel_id"] for h in doc["hotels"]] == ["A", "B", "C"]
    a = next(h for h in doc["hotels"] if h["hotel_id"] == "A")
    assert {k: a[k] for k in ("trained", "trained_pct", "certified", "certified_on", "needed",
                              "valid_until", "language")} \
        == {"trained": 6, "trained_pct": 60.0, "certified": True,
            "certified_on": "2026-06-10", "needed": 0, "valid_until": "2028-01-09",
            "language": "hu"}
    c = next(h for h in doc["hotels"] if h["hotel_id"] == "C")
    assert c["trained_pct"] is None and c["needed"] is None


def test_csv_and_xlsx_hold_what_the_json_holds(cert, tmp_path):
    write_all(cert, tmp_path)
    doc = json.loads((tmp_path / "certification.json").read_text())
    rows = read_csv(tmp_path / "certification.csv")
    wb = load_workbook(tmp_path / "certification.xlsx")
    assert wb.sheetnames == ["Report", "Hotels", "Chains", "Data quality"]
    sheet = wb["Hotels"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    for h, row, xl in zip(doc["hotels"], rows, sheet.iter_rows(min_row=2, values_only=True),
                          strict=True):
        xrow = dict(zip(header, xl, strict=True))
        assert row["hotel_id"] == xrow["Hotel code"] == h["hotel_id"]
        assert int(row["trained"]) == xrow["Trained"] == h["trained"]
        assert row["certified"] == str(h["certified"]).lower()
        assert xrow["Certified"] == ("Yes" if h["certified"] else "No")
        day = xrow["Certified on"]
        assert (row["certified_on"] or None) == (day and day.date().isoformat()) \
            == h["certified_on"]


FORMULA_NAMES = {"eq": '=HYPERLINK("http://evil.example","x")', "plus": "+1+cmd|' /C calc'!A0",
                 "minus": "-2+3", "at": "@SUM(A1:A9)", "tab": "\t=1+1", "cr": "\r=1+1"}


def test_every_formula_start_is_neutralised_in_csv_and_xlsx(tmp_path):
    hotels = roster(*((k, 1) for k in FORMULA_NAMES), chain="=chain()")
    for i, name in enumerate(FORMULA_NAMES.values()):
        hotels.loc[i, "name"] = name
    write_all(run([], hotels), tmp_path)
    rows = {r["hotel_id"]: r for r in read_csv(tmp_path / "certification.csv")}
    sheet = load_workbook(tmp_path / "certification.xlsx")["Hotels"]
    header = [c.value for c in sheet[1]]
    cells = {row[0].value: dict(zip(header, row, strict=True))
             for row in sheet.iter_rows(min_row=2)}
    for key, raw in FORMULA_NAMES.items():
        name = raw.replace("\t", "\ufffd").replace("\r", "\ufffd")  # neutralised, then cleaned
        assert rows[key]["name"] == "'" + name, key
        assert rows[key]["chain"] == "'=chain()"
        assert cells[key]["Hotel"].value == "'" + name and cells[key]["Hotel"].data_type == "s"
    chains = load_workbook(tmp_path / "certification.xlsx")["Chains"]
    assert chains["A2"].value == "'=chain()" and chains["A2"].data_type == "s"


def test_plain_names_and_numbers_are_left_alone(cert, tmp_path):
    write_all(cert, tmp_path)
    rows = read_csv(tmp_path / "certification.csv")
    assert rows[2]["name"] == "Hotel Főváros Łódź" and rows[0]["trained"] == "6"
    sheet = load_workbook(tmp_path / "certification.xlsx")["Hotels"]
    assert sheet["B4"].value == "Hotel Főváros Łódź"


def dashboard_cert():  # type: ignore[no-untyped-def]
    """A: 6 of 10 certified; B: 4 of 10, needs 2; D: 2 of 5, needs 1; E: 0 of 10, needs 6;
    O: 3 of 2 (old roster). Two chains; one unmatched learner, one unknown hotel."""
    hotels = roster(("A", 10), ("B", 10), ("D", 5), ("E", 10), ("O", 2))
    hotels["chain"] = ["Blue", "Blue", "Green", "Green", "Green"]
    hotels.loc[0, "name"] = HOSTILE
    sts = []
    for hotel_id, n in (("A", 6), ("B", 4), ("D", 2), ("O", 3)):
        sts += [statement(f"{hotel_id}{i}@example.org", hotel=hotel_id,
                          when=f"2026-0{i + 1}-01T10:00:00Z") for i in range(n)]
    sts += [statement("walk.in@example.org", hotel="NOPE", when="2026-09-01T10:00:00Z")]
    return run(sts, hotels)


def test_dashboard_shows_what_a_programme_manager_needs(tmp_path):
    from lxml import html as lxml_html

    write_all(dashboard_cert(), tmp_path)
    page = (tmp_path / "dashboard.html").read_text()
    doc = lxml_html.fromstring(page)

    def texts(xpath: str) -> list[str]:
        return [" ".join(" ".join(e.itertext()).split()) for e in doc.xpath(xpath)]

    cards = texts('//div[@class="card"]')
    assert cards[0] == "2 of 5 hotels certified"  # A and O
    assert cards[1] == "15 employees trained in roster hotels"
    close = [[td for td in texts(f'(//section[@aria-labelledby="h-close"]//tbody/tr)[{i}]/td')]
             for i in (1, 2)]
    assert close == [["Hotel D", "Green", "2", "5", "needs 1 more"],
                     ["Hotel B", "Blue", "4", "10", "needs 2 more"]]
    assert len(doc.xpath('//section[@aria-labelledby="h-close"]//tbody/tr')) == 2
    chains = [texts(f'(//section[@aria-labelledby="h-chains"]//tbody/tr)[{i}]/td')
              for i in (1, 2)]
    assert chains == [["Blue", "2", "1", "20", "10"], ["Green", "3", "1", "17", "5"]]
    # The trend: cumulative trained learners per day, 15 on the last day.
    trend = texts('//section[@aria-labelledby="h-trend"]//*[local-name()="title"]')
    assert trend == ["Trained learners rose from 4 on 2026-01-01 to 15 on 2026-06-01"]
    points = doc.xpath('//section[@aria-labelledby="h-trend"]//*[local-name()="polyline"]/@points')
    xy = [tuple(map(float, p.split(","))) for p in points[0].split()]
    assert len(xy) == 6  # one point per day with new learners, placed by date
    days = [0, 31, 59, 90, 120, 151]  # 1 Jan .. 1 Jun 2026
    for (x, _), day in zip(xy, days, strict=True):
        assert abs((x - xy[0][0]) / (xy[-1][0] - xy[0][0]) - day / 151) < 0.005
    assert [y for _, y in xy] == sorted((y for _, y in xy), reverse=True)  # rising
    # The hotels table says how many each hotel still needs.
    needs = texts('//section[@aria-labelledby="h-hotels"]//tbody/tr/td[@data-label="Needs"]')
    assert needs == ["", "2", "1", "6", ""]
    warnings = texts('//p[@class="warn"]')
    assert warnings == [
        "1 trained learner belongs to no hotel on the roster. Add them to the staff list, or "
        "check the hotel code in their course link.",
        "Statements name 1 hotel code that is not on the roster: NOPE. Add the hotel to the "
        "roster, or correct the code in the course link.",
        "1 hotel has more trained learners than registered employees: Hotel O (O). Update "
        "their number of employees in the roster."]


def test_dashboard_escapes_a_hostile_hotel_name_and_fetches_nothing(tmp_path):
    from lxml import html as lxml_html

    from lrs_reporter.outputs.html import script

    write_all(dashboard_cert(), tmp_path)
    page = (tmp_path / "dashboard.html").read_text()
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    doc = lxml_html.fromstring(page)
    # One script: the table's own, from the package, holding no data; the page's CSP lets
    # only that one run and fetches nothing.
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and scripts[0].text == script()[0]
    csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert csp.startswith("default-src 'none';") and script()[1] in csp
    assert not doc.xpath("//link | //iframe | //img | //object | //embed")
    assert not doc.xpath("//@src | //@href | //@srcset | //@action")
    # url() only for the chart's own hatch pattern, within the page.
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#hatch"} and "@import" not in page
    assert "http://" not in page and "https://" not in page


def test_pdfs_exist_for_exactly_the_certified_hotels_with_name_and_date(cert, tmp_path):
    write_all(cert, tmp_path)
    pdfs = sorted(p.name for p in (tmp_path / "certificates").glob("*.pdf"))
    assert pdfs == ["A.pdf"]
    text = PdfReader(tmp_path / "certificates" / "A.pdf").pages[0].extract_text()
    assert HOSTILE in text and "2026. június 10." in text  # in the roster language
    assert "Tanúsítvány" in text and "Érvényes eddig: 2028. január 9." in text


def test_hotel_ids_that_would_collide_get_distinct_safe_file_names(tmp_path):
    ids = ["A/B", "A_B", "../x", "Q", "q"]
    hotels = roster(*((i, 1) for i in ids))
    for n in range(len(ids)):
        hotels.loc[n, "name"] = f"Hotel number {n}"
    cert = run([statement(f"p{n}@example.org", hotel=i) for n, i in enumerate(ids)], hotels)
    paths = write_all(cert, tmp_path)
    pdfs = sorted(p for p in paths if p.suffix == ".pdf")
    assert len({p.name.lower() for p in pdfs}) == 5
    assert all(p.parent == tmp_path / "certificates" for p in pdfs)
    assert (tmp_path / "certificates" / "A_B.pdf").exists()
    names = set()
    for p in pdfs:
        text = PdfReader(p).pages[0].extract_text()
        names |= {f"Hotel number {n}" for n in range(5) if f"Hotel number {n}" in text}
    assert names == {f"Hotel number {n}" for n in range(5)}


def lines_of(pdf_path):  # type: ignore[no-untyped-def]
    """(x, y, font size, text) of every text run on the first page, in drawing order."""
    out = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            out.append((cm[4] + tm[4], cm[5] + tm[5], size, text.strip()))

    PdfReader(pdf_path).pages[0].extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("language", ["nl", "en", "pl", "fr", "hu", "pt", "es"])
def test_a_very_long_hotel_name_stays_inside_the_frame(tmp_path, language):
    hotels = roster(("L", 1), language=language)
    hotels.loc[0, "name"] = "Hotel Łazienki Królewskie Centrum Konferencyjne i Spa " * 4
    write_all(run([statement("l@example.org", hotel="L")], hotels, valid_months=12), tmp_path)
    lines = lines_of(tmp_path / "certificates" / "L.pdf")
    frame_low, frame_high = 10 / 25.4 * 72, 200 / 25.4 * 72  # the frame, in points
    ys = [y for _, y, _, _ in lines]
    assert all(frame_low + 20 < y < frame_high - 20 for y in ys)
    assert all(x > 10 / 25.4 * 72 for x, _, _, _ in lines)
    for (_, y1, size1, t1), (_, y2, _, t2) in zip(lines, lines[1:], strict=False):
        assert y1 - y2 >= size1 * 0.9, (t1, t2)  # each line below the last, none overlap
    texts = [t for _, _, _, t in lines]  # the dates are there, written out (issue 17 §3)
    on, until = (long_date(d, language) for d in ("2026-05-01", "2027-04-30"))
    assert [t for t in texts if t.endswith((on, until))] == [
        TEXT[language][2].format(date=on), TEXT[language][3].format(date=until)]


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


def test_conflicting_duplicates_are_a_dashboard_warning_and_a_data_quality_row(tmp_path):
    first = statement("a@example.org", hotel="A", obj="https://other.example/x")
    again = {**statement("a@example.org", hotel="A"), "id": first["id"]}
    write_all(run([first, again], roster(("A", 1))), tmp_path)
    page = (tmp_path / "dashboard.html").read_text()
    assert "1 statement was sent again with different content; the first copy read " \
        "counts." in page
    sheet = load_workbook(tmp_path / "certification.xlsx")["Data quality"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Statements sent again with different content"] == 1
    assert rows["Statements sent more than once (counted once)"] == 1
    assert rows["To do"].startswith("1 statement was sent again with different content")


def test_data_quality_speaks_plainly_names_hotels_and_codes_and_lists_skipped_lines(tmp_path):
    """Issue 17 §1: plain sentences with what to do, a hotel with 0 employees and one over
    100 % named, unknown codes named, and the skipped lines inside the dashboard itself."""
    from dataclasses import replace

    from lxml import html as lxml_html

    hotels = roster(("FULL", 1), ("ZERO", 0), ("OK", 1))
    sts = [statement(f"p{i}@example.org", hotel="FULL") for i in range(2)]
    sts += [statement(f"x{i}@example.org", hotel=f"GHOST-{i}") for i in range(12)]
    cert = replace(run(sts, hotels), warnings=("s.ndjson:7: skipped: not valid JSON",))
    write_all(cert, tmp_path)
    doc = lxml_html.fromstring((tmp_path / "dashboard.html").read_text())
    section = doc.xpath('//section[@aria-labelledby="h-quality"]')[0]
    warns = [" ".join(p.text_content().split()) for p in section.xpath('p[@class="warn"]')]
    ghosts = ", ".join(f"GHOST-{i}" for i in (0, 1, 10, 11, 2, 3, 4, 5, 6, 7))
    assert warns == [
        "12 trained learners belong to no hotel on the roster. Add them to the staff list, or "
        "check the hotel code in their course link.",
        f"Statements name 12 hotel codes that are not on the roster: {ghosts} and 2 more. Add "
        "the hotel to the roster, or correct the code in the course link.",
        "1 hotel has more trained learners than registered employees: Hotel FULL (FULL). "
        "Update their number of employees in the roster.",
        "1 hotel has 0 employees in the roster and cannot be certified: Hotel ZERO (ZERO). "
        "Enter their number of employees in the roster."]
    labels = section.xpath(".//th/text()")
    assert "Statements voided" in labels and not any("_" in label for label in labels)
    assert section.xpath('.//ul[@class="skipped"]/li/text()') == [
        "s.ndjson:7: skipped: not valid JSON"]
    alert = doc.xpath('//p[@class="warn alert"]')[0].text_content()
    assert alert.startswith("4 data problems need attention")


def test_a_certificate_prints_what_it_cannot_show_as_a_question_mark_and_drops_controls(
        tmp_path):
    hotels = roster(("Q", 1))
    hotels.loc[0, "name"] = "Hôtel\x00 東京\u202e Łódź\tCentrum"
    write_all(run([statement("q@example.org", hotel="Q")], hotels), tmp_path)
    text = PdfReader(tmp_path / "certificates" / "Q.pdf").pages[0].extract_text()
    assert "Hôtel ?? Łódź Centrum" in text  # no glyph: "?", never silently left out
    assert "\x00" not in text and "\u202e" not in text


def test_every_font_a_certificate_uses_is_embedded(cert, tmp_path):
    write_all(cert, tmp_path)
    page = PdfReader(tmp_path / "certificates" / "A.pdf").pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts, "no fonts on the page"
    for ref in fonts.values():
        descriptor = ref.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, ref.get_object()["/BaseFont"]


def test_an_account_name_with_control_characters_still_gives_a_workbook(tmp_path):
    hotels = roster(("W", 1))
    who = {"account": {"homePage": "https://lms.example", "name": "anna\x01\x0b"}}
    write_all(run([statement(who, hotel="W")], hotels), tmp_path, learners=True)
    rows = list(load_workbook(tmp_path / "certification.xlsx")["Learners"].values)
    assert any("anna\ufffd\ufffd" in str(v) for row in rows[1:] for v in row), rows


@pytest.mark.parametrize("name", ["W" * 20_000, "", "\x00\x01"])
def test_a_hostile_or_empty_name_still_gives_a_certificate_inside_the_frame(tmp_path, name):
    hotels = roster(("NL-9", 1))
    hotels.loc[0, "name"] = name
    write_all(run([statement("w@example.org", hotel="NL-9")], hotels), tmp_path)
    lines = lines_of(tmp_path / "certificates" / "NL-9.pdf")
    frame_left, frame_right = 10 / 25.4 * 72, 287 / 25.4 * 72
    assert all(frame_left < x < frame_right for x, _, _, _ in lines)
    texts = [t for _, _, _, t in lines]
    if name.startswith("W"):
        assert texts[2].startswith("WWWW") and texts[3].endswith("…")  # two lines, then cut
    else:
        assert texts[2] == "NL-9"  # no printable name: the hotel id stands in


def test_dashboard_lists_hotels_lapsing_within_90_days_with_who_must_train(tmp_path):
    """A (2 employees, needs 2) is certified by a learner of Jan 2025 and one of Jun 2026: with
    24 months it lapses when the first expires, 9 Jan 2027, within 90 days of 1 Nov 2026, well
    before its certification date + 24 months; one more learner keeps it. B (trained in 2026)
    does not lapse within 90 days; C is not certified."""
    from lxml import html as lxml_html

    hotels = roster(("A", 2), ("B", 1), ("C", 4))
    sts = [statement("a1@example.org", hotel="A", when="2025-01-10T09:00:00Z"),
           statement("a2@example.org", hotel="A", when="2026-06-10T09:00:00Z"),
           statement("b1@example.org", hotel="B", when="2026-06-10T09:00:00Z"),
           statement("c1@example.org", hotel="C", when="2026-06-10T09:00:00Z")]
    cert = run(sts, hotels, valid_months=24)
    write_all(cert, tmp_path)
    doc = lxml_html.fromstring((tmp_path / "dashboard.html").read_text())
    rows = [[" ".join(" ".join(td.itertext()).split()) for td in tr.xpath("td")]
            for tr in doc.xpath('//section[@aria-labelledby="h-lapsing"]//tbody/tr')]
    assert rows == [["Hotel A (A)", "C", "9 January 2027", "1 more learner"]]
    heads = doc.xpath('//section[@aria-labelledby="h-lapsing"]//th/text()')
    assert heads == ["Hotel", "Chain", "Certified until", "Must train by then"]
    cards = [" ".join(" ".join(e.itertext()).split()) for e in doc.xpath('//div[@class="card"]')]
    assert "1 certified hotel lapsing within 90 days" in cards
    note = " ".join(doc.xpath('//section[@aria-labelledby="h-lapsing"]//p[@class="note"]')[0]
                    .text_content().split())
    assert "earliest learners expire first" in note and "24 months" in note
    header = doc.xpath("//header/p")[0].text_content()
    assert "training valid 24 months" in header


def test_workbook_has_a_report_sheet_typed_cells_and_plain_headers(tmp_path):
    """Issue 17 §2, read back with openpyxl: dates are date cells, shares percentage cells,
    Yes/No, plain headers, an independent hotel's chain named, the three highlights."""
    hotels = roster(("A", 2), ("B", 1), ("C", 4), ("D", 3))
    hotels.loc[3, "chain"] = ""
    sts = [statement("a1@example.org", hotel="A", when="2025-01-10T09:00:00Z"),
           statement("a2@example.org", hotel="A", when="2026-06-10T09:00:00Z"),
           statement("b1@example.org", hotel="B", when="2026-06-10T09:00:00Z"),
           statement("c1@example.org", hotel="C", when="2026-06-10T09:00:00Z")]
    write_all(run(sts, hotels, valid_months=24), tmp_path)
    wb = load_workbook(tmp_path / "certification.xlsx")
    report = {a: b for a, b in wb["Report"].iter_rows(values_only=True)}
    assert report["Report date (as of)"].date() == date(2026, 11, 1)
    assert wb["Report"]["B1"].is_date
    assert report["Threshold: share of employees trained"] == 0.6
    assert wb["Report"]["B2"].number_format == "0.0%"
    assert report["Training valid for"] == "24 months"
    assert (report["Hotels on the roster"], report["Certified hotels"],
            report["Certified hotels lapsing within 90 days"]) == (4, 2, 1)
    assert report["Certificate numbers"] == "none: no certificate key"
    ws = wb["Hotels"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Hotel code", "Hotel", "Chain", "City", "Country", "Language"]
    assert not any("_" in h for h in header)  # no code names
    a = dict(zip(header, ws[2], strict=True))
    assert a["Share trained"].value == 1.0 and a["Share trained"].number_format == "0.0%"
    assert a["Share trained"].data_type == "n"
    assert a["Certified"].value == "Yes" and a["Certified on"].is_date
    assert a["Certified on"].value.date() == date(2026, 6, 10)
    assert a["Valid until"].value.date() == date(2027, 1, 9)
    assert a["Employees"].data_type == "n"
    c = dict(zip(header, ws[4], strict=True))
    assert c["Certified"].value == "No" and c["Share trained"].value == 0.25
    assert c["Certified on"].value is None
    d = dict(zip(header, ws[5], strict=True))
    assert d["Chain"].value == "(independent)"
    rules = {str(r.sqref): r.rules[0].formula[0] for r in ws.conditional_formatting}
    assert rules == {"J2:J5": '$J2="Yes"', "M2:M5": "AND($M2>=1,$M2<=3)",
                     "L2:L5": 'AND($L2<>"",$L2<=DATE(2027,1,30))'}


def test_csv_writes_true_false_and_whole_numbers_without_a_decimal_point(cert, tmp_path):
    write_all(cert, tmp_path)
    text = (tmp_path / "certification.csv").read_text(encoding="utf-8")
    rows = read_csv(tmp_path / "certification.csv")
    assert [r["certified"] for r in rows] == ["true", "false", "false"]
    assert rows[0]["trained_pct"] == "60" and rows[1]["trained_pct"] == "10"
    assert ".0," not in text and "True" not in text and "False" not in text


def test_the_workbook_carries_the_as_of_day_not_the_clock(cert, tmp_path):
    """openpyxl stamps the time of saving; two runs a second apart must still be identical."""
    import zipfile

    write_all(cert, tmp_path)
    with zipfile.ZipFile(tmp_path / "certification.xlsx") as xlsx:
        assert {i.date_time for i in xlsx.infolist()} == {(2026, 11, 1, 0, 0, 0)}
        core = xlsx.read("docProps/core.xml").decode()
    assert "2026-11-01T00:00:00Z</dcterms:modified>" in core
    assert load_workbook(tmp_path / "certification.xlsx")["Hotels"]["A2"].value == "A"
