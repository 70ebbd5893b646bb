"""Certificates as a hotel manager reads them and a programme officer checks them (issue 17 §3):
dates in the hotel's language, a labelled footer naming the issuer, and a number that
`noroom verify` confirms with the programme's key and nobody can make without it."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest
from click.testing import CliRunner

from lrs_reporter.numbers import certificate_number, normalise
from lrs_reporter.outputs.local import long_date
from noroom.cli import cli

from .conftest import statement

KEY = "programme-secret-key-7f3a9c"
ROSTER = ("hotel_id,name,chain,city,country,language,employees\n"
          "NL1,Hotel De Gouden Leeuw,,Utrecht,NL,nl,2\n"
          "FR1,Hôtel du Port,,Lyon,FR,fr,2\n"
          "HU1,Főváros Szálloda,,Budapest,HU,hu,2\n"
          "PL1,Hotel Łódź Centrum,,Łódź,PL,pl,2\n"
          "EN1,Riverside Inn,,Leeds,GB,en,4\n")
LOCAL = {"NL1": ("25 april 2026", "24 april 2028"),
         "FR1": ("25 avril 2026", "24 avril 2028"),
         "HU1": ("2026. április 25.", "2028. április 24."),
         "PL1": ("25 kwietnia 2026", "24 kwietnia 2028")}


def report(tmp_path, env=None, extra=(), roster_written=False):  # type: ignore[no-untyped-def]
    """`noroom report` over five hotels: NL1, FR1, HU1, PL1 certified on 25 April 2026 (both
    of their two employees trained that day), EN1 not (1 of 4)."""
    if not roster_written:
        (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    sts = [statement(f"{h}{i}@example.org", hotel=h, when="2026-04-25T09:00:00Z")
           for h in LOCAL for i in range(2)]
    sts.append(statement("en@example.org", hotel="EN1", when="2026-04-25T09:00:00Z"))
    (tmp_path / "s.ndjson").write_text("".join(json.dumps(s) + "\n" for s in sts),
                                       encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--statements", str(tmp_path / "s.ndjson"), "--as-of",
                                      "2026-11-01", "--valid-months", "24", "--out", str(out),
                                      *extra], env={"NOROOM_CERT_KEY": None, **(env or {})})
    assert result.exit_code == 0, result.output
    return out, result


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    """What a reader copies out of the PDF (poppler's pdftotext), white space joined."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return " ".join(text.split())


def verify(number: str, out, env=None, extra=()):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["verify", number, "--report", str(out), *extra],
                              env={"NOROOM_CERT_KEY": None, **(env or {})})


def test_certificates_print_dates_in_the_hotels_language(tmp_path):
    out, _ = report(tmp_path, env={"NOROOM_CERT_KEY": KEY})
    labels = {"NL1": ("Gecertificeerd op", "Geldig tot en met", "Rapportdatum: 1 november 2026"),
              "FR1": ("Certifié le", "Valable jusqu'au", "Date du rapport : 1er novembre 2026"),
              "HU1": ("Tanúsítás dátuma:", "Érvényes eddig:",
                      "Jelentés dátuma: 2026. november 1."),
              "PL1": ("Data certyfikacji:", "Ważny do", "Data raportu: 1 listopada 2026")}
    for hotel, (on, until) in LOCAL.items():
        text = pdf_text(out / "certificates" / f"{hotel}.pdf")
        on_label, until_label, report_date = labels[hotel]
        assert f"{on_label} {on}" in text and f"{until_label} {until}" in text, text
        assert report_date in text, text
        assert "2026-04-25" not in text and "2028-04-24" not in text  # no ISO date left


def test_long_dates_in_every_language():
    day = date(2026, 5, 4)
    assert [long_date(day, lang) for lang in ("nl", "en", "pl", "fr", "hu", "pt", "es")] == [
        "4 mei 2026", "4 May 2026", "4 maja 2026", "4 mai 2026", "2026. május 4.",
        "4 de maio de 2026", "4 de mayo de 2026"]
    assert long_date("2026-05-01", "fr") == "1er mai 2026"
    assert long_date("2026-05-01", "xx") == "1 May 2026"  # unknown language: English


def test_the_footer_names_the_issuer_hotel_code_number_and_report_date(tmp_path):
    out, _ = report(tmp_path, env={"NOROOM_CERT_KEY": KEY})
    doc = json.loads((out / "certification.json").read_text())
    number = {h["hotel_id"]: h["certificate_number"] for h in doc["hotels"]}["NL1"]
    text = pdf_text(out / "certificates" / "NL1.pdf")
    assert "Uitgegeven door: No Room for Sex Trafficking" in text
    assert f"Hotelcode: NL1 · Certificaatnummer: {number} · Rapportdatum" in text


def test_verify_confirms_the_printed_number_and_refuses_a_changed_one(tmp_path):
    out, _ = report(tmp_path, env={"NOROOM_CERT_KEY": KEY})
    text = pdf_text(out / "certificates" / "HU1.pdf")
    number = text.split("Tanúsítvány száma: ")[1].split()[0]  # as printed on the certificate
    assert number.startswith("NR-") and len(number) == 22
    ok = verify(number, out, env={"NOROOM_CERT_KEY": KEY})
    assert ok.exit_code == 0, ok.output
    assert ok.output == ("valid: Főváros Szálloda (HU1, Budapest, HU), certified on 2026-04-25, "
                         "valid until 2028-04-24\n")
    typed = verify(number.lower().replace("-", " "), out, env={"NOROOM_CERT_KEY": KEY})
    assert typed.exit_code == 0, typed.output  # as someone types it over the phone
    code = number[3:].replace("-", "")
    for i in (0, 7, 15):  # one letter changed anywhere
        changed = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1:]
        refused = verify(changed, out, env={"NOROOM_CERT_KEY": KEY})
        assert refused.exit_code == 1
        assert "is not a valid certificate number" in refused.output
        assert "Traceback" not in refused.output
    wrong_key = verify(number, out, env={"NOROOM_CERT_KEY": "another key"})
    assert wrong_key.exit_code == 1  # a number made with another key does not verify


def test_a_certification_edited_to_extend_validity_no_longer_verifies(tmp_path):
    out, _ = report(tmp_path, env={"NOROOM_CERT_KEY": KEY})
    doc = json.loads((out / "certification.json").read_text())
    hotel = next(h for h in doc["hotels"] if h["hotel_id"] == "PL1")
    number = hotel["certificate_number"]
    hotel["valid_until"] = "2030-04-24"
    (out / "certification.json").write_text(json.dumps(doc), encoding="utf-8")
    assert verify(number, out, env={"NOROOM_CERT_KEY": KEY}).exit_code == 1


def test_a_number_cannot_be_made_without_the_key():
    facts = ("NL1", "2026-04-25", "2028-04-24")
    assert certificate_number(KEY.encode(), *facts) != certificate_number(b"guess", *facts)
    assert certificate_number(KEY.encode(), *facts) != certificate_number(
        KEY.encode(), "NL1", "2026-04-25", "2028-04-25")  # each fact is part of the number
    assert normalise(" nr-abcd efgh-ijkl-mn0p ") == "NR-ABCD-EFGH-IJKL-MNOP"


def test_without_a_key_no_number_is_printed_and_the_report_says_so(tmp_path):
    out, result = report(tmp_path)
    lines = [line for line in result.output.splitlines() if "no number" in line]
    assert lines == ["certificates carry no number: no certificate key (set NOROOM_CERT_KEY "
                     "or give --cert-key-file)"]
    doc = json.loads((out / "certification.json").read_text())
    assert all(h["certificate_number"] is None for h in doc["hotels"])
    text = pdf_text(out / "certificates" / "NL1.pdf")
    assert "Certificaatnummer" not in text and "NR-" not in text
    assert "Uitgegeven door: No Room for Sex Trafficking" in text  # the footer is still there
    refused = verify("NR-AAAA-BBBB-CCCC-DDDD", out)
    assert refused.exit_code == 2 and "no certificate key" in refused.output


def test_the_key_from_a_file_numbers_like_the_environment_and_never_shows(tmp_path):
    key_file = tmp_path / "cert.key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    key_file.chmod(0o644)
    refused = CliRunner().invoke(cli, ["verify", "NR-AAAA-BBBB-CCCC-DDDD", "--report",
                                       str(tmp_path), "--cert-key-file", str(key_file)],
                                 env={"NOROOM_CERT_KEY": None})
    assert refused.exit_code == 2 and "chmod 600" in refused.output
    key_file.chmod(0o600)
    out, result = report(tmp_path, extra=["--cert-key-file", str(key_file)])
    (tmp_path / "env").mkdir()
    by_env, _ = report(tmp_path / "env", env={"NOROOM_CERT_KEY": KEY})
    numbers = [json.loads((o / "certification.json").read_text())["hotels"][1]
               ["certificate_number"] for o in (out, by_env)]
    assert numbers[0] == numbers[1] and numbers[0]
    assert verify(numbers[0], out, extra=["--cert-key-file", str(key_file)]).exit_code == 0
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert KEY.encode() not in written and KEY not in result.output


@pytest.mark.parametrize("content", ["", "{}", "not json"])
def test_verify_names_a_report_that_is_not_a_certification(tmp_path, content):
    (tmp_path / "certification.json").write_text(content, encoding="utf-8")
    result = verify("NR-AAAA-BBBB-CCCC-DDDD", tmp_path, env={"NOROOM_CERT_KEY": KEY})
    assert result.exit_code == 2 and "certification.json" in result.output
    assert "Traceback" not in result.output


# ---- a second language for the staff, and tagged PDF (issue 17 §3) ------------------------------

BILINGUAL = ("hotel_id,name,chain,city,country,language,employees,second_language\n"
             "NL1,Hotel De Gouden Leeuw,,Utrecht,NL,nl,2,fr\n"
             "FR1,Hôtel du Port,,Lyon,FR,fr,2,\n"
             "HU1,Főváros Szálloda,,Budapest,HU,hu,2,PL\n"
             "PL1,Hotel Łódź Centrum,,Łódź,PL,pl,2,pl\n"
             "EN1,Riverside Inn,,Leeds,GB,en,4,es\n")


def bilingual_report(tmp_path, roster=BILINGUAL):  # type: ignore[no-untyped-def]
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    return report(tmp_path, env={"NOROOM_CERT_KEY": KEY}, roster_written=True)


def pages_text(path) -> list[str]:  # type: ignore[no-untyped-def]
    """pdftotext of each page, white space joined."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_a_second_language_adds_a_page_with_the_same_statements(tmp_path):
    out, _ = bilingual_report(tmp_path)
    number = json.loads((out / "certification.json").read_text())
    numbers = {h["hotel_id"]: h["certificate_number"] for h in number["hotels"]}
    nl, fr = pages_text(out / "certificates" / "NL1.pdf")
    assert "Gecertificeerd op 25 april 2026" in nl and "Geldig tot en met 24 april 2028" in nl
    assert "Certifié le 25 avril 2026" in fr and "Valable jusqu'au 24 avril 2028" in fr
    assert "Hotel De Gouden Leeuw a formé au moins 60 % de son personnel" in fr
    assert numbers["NL1"] in nl and numbers["NL1"] in fr  # one certificate, one number
    hu, pl = pages_text(out / "certificates" / "HU1.pdf")  # "PL" in the roster: case ignored
    assert "Tanúsítás dátuma: 2026. április 25." in hu
    assert "Data certyfikacji: 25 kwietnia 2026" in pl and "Ważny do 24 kwietnia 2028" in pl
    assert len(pages_text(out / "certificates" / "FR1.pdf")) == 1  # none named
    assert len(pages_text(out / "certificates" / "PL1.pdf")) == 1  # the same as its language


def test_an_unknown_second_language_is_one_error_naming_the_line(tmp_path):
    (tmp_path / "roster.csv").write_text(BILINGUAL.replace("2,PL\n", "2,xx\n"), encoding="utf-8")
    (tmp_path / "s.ndjson").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--statements", str(tmp_path / "s.ndjson"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"{tmp_path / 'roster.csv'}:4: second_language 'xx' is not a language of the course; "
        "use one of nl, en, pl, fr, hu, pt, es or leave it empty"]
    assert not (tmp_path / "out").exists()


def test_certificates_are_tagged_pdf_with_a_structure_tree(tmp_path):
    import pikepdf

    out, _ = bilingual_report(tmp_path)
    path = out / "certificates" / "NL1.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "Tagged:          yes" in info and "Pages:           2" in info
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "nl"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title) == "Certificaat: Hotel De Gouden Leeuw"
        document = pdf.Root.StructTreeRoot.K
        assert document.S == "/Document"
        roles = [str(k.S)[1:] for k in document.K]
        langs = [str(k.get("/Lang", "nl")) for k in document.K]
        texts = [[int(m) for m in (k.K if isinstance(k.K, pikepdf.Array) else [k.K])]
                 for k in document.K]
        assert roles.count("H1") == 2 and roles[:3] == ["P", "H1", "H2"]
        half = len(roles) // 2
        assert set(langs[:half]) == {"nl"} and set(langs[half:]) == {"fr"}
        # every marked-content id of each page leads back to its element (the ParentTree)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for page_no, page in enumerate(pdf.pages):
            assert page.StructParents == page_no
            parents = nums[2 * page_no + 1]
            content = page.Contents.read_bytes().decode("latin-1")
            assert content.count("BDC") == len(parents) > 5
            for mcid, parent in enumerate(parents):
                assert f"<</MCID {mcid}>> BDC" in content
                assert parent.objgen in [k.objgen for k in document.K]
        assert all(texts)


def test_certificates_embed_their_fonts_and_read_in_order(tmp_path):
    out, _ = bilingual_report(tmp_path)
    fonts = subprocess.run(["pdffonts", str(out / "certificates" / "NL1.pdf")],
                           capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    nl = pages_text(out / "certificates" / "NL1.pdf")[0]
    order = ["No Room for Sex Trafficking", "Certificaat", "Hotel De Gouden Leeuw", "Utrecht",
             "ten minste 60%", "Gecertificeerd op", "Uitgegeven door", "Hotelcode"]
    positions = [nl.index(words) for words in order]
    assert positions == sorted(positions), nl


def test_a_screen_reader_gets_each_wrapped_sentence_whole(tmp_path):
    """poppler's reading of the structure tree (what assistive technology gets): a sentence
    wrapped over lines keeps the space between its last and first words."""
    out, _ = bilingual_report(tmp_path)
    tree = subprocess.run(["pdfinfo", "-struct-text", str(out / "certificates" / "NL1.pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert ('"Hotel De Gouden Leeuw a formé au moins 60 % de son personnel à reconnaître les '
            "signaux d'exploitation sexuelle et à savoir quoi faire.\"") in tree, tree
    assert tree.splitlines()[:5] == ["Document", "  P (block)",
                                     '    "No Room for Sex Trafficking"', "  H1 (block)",
                                     '    "Certificaat"']
