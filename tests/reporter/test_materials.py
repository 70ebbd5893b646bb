"""The communication pack as a hotel receives it (issue 17 §4): `noroom report --materials`
writes posters, a flyer, a door hanger and intranet images for certified hotels only, in their
language(s), with their country's verified contacts, from reviewed course text only."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrs_reporter.outputs.materials import TEXT_COLOURS, contrast
from noroom.cli import cli

from .conftest import statement

ROSTER = ("hotel_id,name,chain,city,country,language,employees,second_language\n"
          "NL1,Hotel De Gouden Leeuw,,Utrecht,NL,nl,2,\n"
          "BE1,Hotel Zuid,,Antwerpen,BE,nl,2,fr\n"
          "NL2,Hotel Stil,,Delft,NL,nl,4,\n")
DUTCH = ROSTER.replace(",fr\n", ",\n")  # no second language: reviewed text only
PDFS = ("poster-a4.pdf", "poster-a3.pdf", "flyer-a5.pdf", "door-hanger.pdf")
PNGS = {"intranet-1080x1080.png": (1080, 1080), "intranet-1920x1080.png": (1920, 1080)}
ALT = "intranet-alt.txt"


def run(tmp_path, *extra, roster=ROSTER):  # type: ignore[no-untyped-def]
    """`noroom report --materials`: NL1 and BE1 certified (both employees trained), NL2 not."""
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    hotels = [line.split(",")[0] for line in roster.splitlines()[1:]]
    sts = [statement(f"{h}{i}@example.org", hotel=h, when="2026-04-25T09:00:00Z")
           for h in hotels[:-1] for i in range(2)]
    (tmp_path / "s.ndjson").write_text("".join(json.dumps(s) + "\n" for s in sts),
                                       encoding="utf-8")
    return CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                    "--statements", str(tmp_path / "s.ndjson"), "--as-of",
                                    "2026-11-01", "--out", str(tmp_path / "out"), "--materials",
                                    *extra], env={"NOROOM_CERT_KEY": None})


def text(path) -> str:  # type: ignore[no-untyped-def]
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                         text=True).stdout
    return " ".join(out.split())


def test_materials_are_written_for_certified_hotels_in_each_of_their_languages(tmp_path):
    from PIL import Image

    result = run(tmp_path, "--draft")
    assert result.exit_code == 0, result.output
    materials = tmp_path / "out" / "materials"
    assert sorted(p.name for p in materials.iterdir()) == ["BE1", "NL1"]  # not NL2
    assert sorted(p.name for p in (materials / "BE1").iterdir()) == ["fr-DRAFT", "nl"]
    assert sorted(p.name for p in (materials / "NL1").iterdir()) == ["nl"]
    for folder in (materials / "NL1" / "nl", materials / "BE1" / "fr-DRAFT"):
        assert sorted(p.name for p in folder.iterdir()) == sorted([*PDFS, *PNGS, ALT])
        for name, size in PNGS.items():
            with Image.open(folder / name) as image:
                assert image.size == size and image.format == "PNG"


def test_the_words_are_the_courses_with_the_countrys_contacts(tmp_path):
    assert run(tmp_path, "--draft").exit_code == 0
    nl = text(tmp_path / "out/materials/NL1/nl/poster-a4.pdf")
    for words in ("Wat doe je als je iets opmerkt?", "1 Schrijf op wat je zag.",
                  "2 Vertel het aan je leidinggevende.", "3 Doe niets alleen.",
                  "4 Bij direct gevaar bel je 112.", "Signalen herkennen", "De receptie vermijden",
                  "Extra handdoeken en lakens", "Bij direct gevaar: 112",
                  "De politie, zonder spoed: 0900 8844",
                  "Anoniem melden: via Meld Misdaad Anoniem, telefoon 0800 7000",
                  "Hotel De Gouden Leeuw, Utrecht"):
        assert words in nl, (words, nl)
    be = text(tmp_path / "out/materials/BE1/nl/poster-a4.pdf")
    # Belgium has no verified anonymous line: no sentence names one, no empty placeholder
    assert "De politie, zonder spoed: www.police.be" in be and "Bij direct gevaar: 112" in be
    assert "Anoniem" not in be and "0800" not in be and "{" not in be
    # The intranet images' alt text says what they show, in the same words (WCAG 1.1.1).
    alt = (tmp_path / "out/materials/NL1/nl" / ALT).read_text(encoding="utf-8")
    assert alt == ("Wat doe je als je iets opmerkt? (No Room for Sex Trafficking: signalen "
                   "herkennen in je hotel) 1. Schrijf op wat je zag. 2. Vertel het aan je "
                   "leidinggevende. 3. Doe niets alleen. 4. Bij direct gevaar bel je 112. "
                   "Bij direct gevaar: 112 Hotel De Gouden Leeuw, Utrecht\n"), alt
    hanger = text(tmp_path / "out/materials/BE1/nl/door-hanger.pdf")
    assert hanger.startswith("Alleen voor personeel") and "Bij direct gevaar: 112" in hanger
    fr = text(tmp_path / "out/materials/BE1/fr-DRAFT/flyer-a5.pdf")
    assert "Que faire si vous remarquez quelque chose ?" in fr and "Anonym" not in fr


def test_unreviewed_text_is_refused_without_draft_and_marked_with_it(tmp_path):
    assert run(tmp_path, roster=DUTCH).exit_code == 0
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*.pdf")}
    result = run(tmp_path)  # BE1 now also French, whose text is not reviewed
    assert result.exit_code == 1
    line = result.output.strip()
    assert re.fullmatch(r".*course_src/text/fr\.yaml:\d+: \S+ is not reviewed, and the "
                        r"communication pack prints only reviewed text .*; have it reviewed "
                        r"\(noroom review --lang fr\) or pass --draft for a copy marked DRAFT",
                        line), line
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*.pdf")} == before  # kept
    assert run(tmp_path, "--draft").exit_code == 0
    for name in PDFS:
        first = text(tmp_path / "out/materials/BE1/fr-DRAFT" / name)
        assert first.startswith("BROUILLON : ce texte n'a pas encore été relu."), first
    assert "CONCEPT" not in text(tmp_path / "out/materials/BE1/nl/poster-a4.pdf")


def test_every_text_colour_pair_meets_wcag_aa_and_no_other_colour_is_used(tmp_path):
    import pikepdf

    ratios = {name: contrast(fg, bg) for name, (fg, bg) in TEXT_COLOURS.items()}
    assert all(r >= 4.5 for r in ratios.values()), ratios
    used = {c for pair in TEXT_COLOURS.values() for c in pair}
    allowed = {" ".join(f"{v:.4g}" for v in c) for c in used}
    assert run(tmp_path, "--draft").exit_code == 0
    for name in PDFS:
        with pikepdf.open(tmp_path / "out/materials/BE1/fr-DRAFT" / name) as pdf:
            for page in pdf.pages:
                content = page.Contents.read_bytes().decode("latin-1")
                fills = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", content)
                assert fills
                for fill in fills:
                    assert " ".join(f"{float(v):.4g}" for v in fill) in allowed, (name, fill)


def test_contrast_is_computed_as_wcag_says():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast((1, 1, 1), (1, 1, 1)) == pytest.approx(1)
    assert contrast((0x76 / 255,) * 3, (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


def test_the_pack_is_tagged_with_fonts_embedded(tmp_path):
    import pikepdf

    assert run(tmp_path, "--draft").exit_code == 0
    for name in PDFS:
        path = tmp_path / "out/materials/NL1/nl" / name
        assert "Tagged:          yes" in subprocess.run(["pdfinfo", str(path)],
                                                        capture_output=True, text=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True,
                               text=True).stdout.splitlines()[2:]
        assert fonts and all(f.split()[-5] == "yes" for f in fonts), (name, fonts)
        with pikepdf.open(path) as pdf:
            roles = [str(k.S) for k in pdf.Root.StructTreeRoot.K.K]
            assert "/H1" in roles and roles.count("/P") >= 5, roles
            assert str(pdf.Root.Lang) == "nl" and pdf.Root.ViewerPreferences.DisplayDocTitle


def test_hostile_hotel_names_are_cleaned_and_wrapped(tmp_path):
    long = "Grand Hotel " + "Zeer Lange Naam " * 30
    roster = ("hotel_id,name,chain,city,country,language,employees,second_language\n"
              f"NL1,\u202eHotel\x00 Omgekeerd \u0641\u0646\u062f\u0642,,Utrecht,NL,nl,2,\n"
              f"NL3,{long},,Utrecht,NL,nl,2,\n"
              "NL2,Hotel Stil,,Delft,NL,nl,4,\n")
    assert run(tmp_path, roster=roster).exit_code == 0
    first = text(tmp_path / "out/materials/NL1/nl/poster-a4.pdf")
    # no override, no NUL; letters Roboto lacks (Arabic) print as "?", never silently left out
    assert "Hotel Omgekeerd ????, Utrecht" in first and "\u202e" not in first
    second = text(tmp_path / "out/materials/NL3/nl/poster-a4.pdf")
    assert "Grand Hotel Zeer Lange Naam" in second and "…" in second  # cut, not spilled


def test_a_hotel_no_longer_certified_loses_its_pack_and_the_bytes_repeat(tmp_path):
    assert run(tmp_path, roster=DUTCH).exit_code == 0
    materials = tmp_path / "out" / "materials"
    first = {p: p.read_bytes() for p in materials.rglob("*") if p.is_file()}
    assert run(tmp_path, roster=DUTCH).exit_code == 0  # the same report again: the same bytes
    assert {p: p.read_bytes() for p in materials.rglob("*") if p.is_file()} == first
    (materials / "NL1" / "notes.txt").write_text("ours", encoding="utf-8")
    assert run(tmp_path, roster=DUTCH.replace("Utrecht,NL,nl,2",
                                                    "Utrecht,NL,nl,9")).exit_code == 0
    assert not list((materials / "NL1").rglob("*.pdf"))
    assert not (materials / "NL1" / "nl").exists()
    assert (materials / "NL1" / "notes.txt").read_text() == "ours"  # not the report's: kept
    assert (materials / "BE1" / "nl" / "poster-a4.pdf").is_file()


def test_packs_made_on_two_cores_are_the_bytes_of_one(tmp_path):
    from builder.course import load_source
    from lrs_reporter.outputs import materials
    from lrs_reporter.outputs.packtext import pack_text
    from lrs_reporter.outputs.pdf import on_every_core

    source = load_source(Path(__file__).resolve().parents[2] / "course_src")
    made = {}
    for workers in (1, 2):
        jobs = []
        for i, (lang, country) in enumerate([("nl", "NL"), ("fr", "BE"), ("pl", "NL")]):
            folder = tmp_path / str(workers) / str(i)
            folder.mkdir(parents=True)
            jobs.append((pack_text(source, lang, country, True),
                         {"name": f"Hotel {i}", "city": "Gent"}, folder))
        on_every_core(materials._write_packs, jobs, 1, workers=workers)
        made[workers] = {p.relative_to(tmp_path / str(workers)): p.read_bytes()
                         for p in (tmp_path / str(workers)).rglob("*.*")}
    assert len(made[1]) == 3 * len(materials.FILES) and made[1] == made[2]


def test_draft_alone_is_a_usage_error(tmp_path):
    (tmp_path / "roster.csv").write_text(DUTCH, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--completions", str(tmp_path / "roster.csv"), "--draft"])
    assert result.exit_code == 2 and "--draft goes with --materials" in result.output


def test_the_structure_tree_reads_the_poster_in_order_with_whole_sentences(tmp_path):
    assert run(tmp_path, roster=DUTCH).exit_code == 0
    tree = subprocess.run(["pdfinfo", "-struct-text",
                           str(tmp_path / "out/materials/NL1/nl/door-hanger.pdf")],
                          capture_output=True, text=True, check=True).stdout
    texts = [line.strip().strip('"') for line in tree.splitlines() if line.startswith("    ")]
    assert texts[:4] == ["Alleen voor personeel",
                         "No Room for Sex Trafficking: signalen herkennen in je hotel",
                         "Wat doe je als je iets opmerkt?", "1"], texts
    assert "Vertel het aan je leidinggevende." in texts  # wrapped on the hanger, read whole
