"""A country's course never presents another country's numbers, laws or statistics as its own
(issue #13, section 5).

Contract: the contact placeholders stay; a Markdown block (paragraph or list item) using one the
build country has no verified value for is left out of that country's build; country-specific
facts live in `pages.<page>.country.<CC>`, shown after the page body in CC's builds only;
`noroom lint` lists per country what was left out; `noroom report` warns about roster countries
that no course country covers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.course import load_source
from noroom.cli import cli

from .conftest import REAL_ID, ROOT, copy_fixture

# What only holds in the Netherlands, in any spelling a package may carry.
DUTCH_CONTACTS = ("0900 8844", "0800 7000", "Meld Misdaad Anoniem")
# The Dutch statistics and law, as the body texts of these languages must no longer carry them
# (in `pages.what-is-exploitation.country.NL` instead). Add a language once its translation of
# issue #13 is in; until then its body still has "In the Netherlands ..." in its own words.
NEUTRAL_CHECKED = {
    "nl": ("3.000", "1.300", "In Nederland", "in Nederland onder voorwaarden legaal"),
    "en": ("3,000", "1,300", "In the Netherlands", "legal in the Netherlands"),
    "es": ("3.000", "1.300", "En los Países Bajos", "legal en los Países Bajos"),
    "fr": ("3 000", "1 300", "Aux Pays-Bas", "légal sous certaines conditions"),
    "pl": ("3000 ofiar", "1300 osób", "W Holandii", "w Holandii legalna"),
    "hu": ("3000 ember", "1300 kiskorú", "Hollandiában", "Hollandiában bizonyos feltételek"),
    "pt": ("3000 vítimas", "1300 menores", "Nos Países Baixos", "legal nos Países Baixos"),
}


def package_texts(path: Path) -> str:
    """Every text member of a package, joined (HTML, JS, XML manifests, JSON)."""
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                         if n.endswith((".html", ".js", ".xml", ".json", ".txt", ".css")))


@pytest.fixture(scope="module")
def be_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("be-dist")
    result = CliRunner().invoke(cli, ["build", "--source", str(ROOT / "course_src"),
                                      "--country", "BE", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_belgium_builds_every_language_and_format(be_dist):
    source = load_source(ROOT / "course_src")
    from builder.formats import FORMATS

    for lang in source.languages:
        for fmt in FORMATS:
            assert (be_dist / f"{REAL_ID}_{lang}_{fmt}.zip").is_file(), (lang, fmt)


def test_no_belgian_package_has_a_dutch_number(be_dist):
    packages = sorted(be_dist.glob("*.zip"))
    assert packages
    for path in packages:
        text = package_texts(path)
        found = [c for c in DUTCH_CONTACTS if c in text]
        assert not found, f"{path.name} contains {found}"
        assert "{anonymous_" not in text and "{police}" not in text, path.name


@pytest.mark.parametrize("lang", sorted(NEUTRAL_CHECKED))
def test_no_belgian_package_has_a_dutch_statistic_or_law(be_dist, lang):
    for path in be_dist.glob(f"{REAL_ID}_{lang}_*.zip"):
        text = package_texts(path)
        found = [c for c in NEUTRAL_CHECKED[lang] if c in text]
        assert not found, f"{path.name} contains {found}"


def test_the_dutch_build_still_has_its_statistics_and_lines(course_dist):
    html = package_texts(course_dist / f"{REAL_ID}_nl_web.zip")
    assert "3.000" in html and "1.300" in html and "2020" in html
    assert "0900 8844" in html and "0800 7000" in html and "Meld Misdaad Anoniem" in html
    assert "In België" not in html  # the Belgian note is for Belgian builds only


def test_belgian_reporting_page_keeps_what_holds_and_adds_its_note(be_dist):
    html = package_texts(be_dist / f"{REAL_ID}_nl_web.zip")
    page = html[html.index('data-step="page:reporting"'):]
    page = page[:page.index("data-step=", 20)]
    assert "Anoniem melden" not in page and "anoniem melden via" not in page
    assert "Bespreek het dan met een andere leidinggevende" in page  # its own paragraph stays
    assert "www.police.be" in page and "101" in page and "In België" in page


# -- the rule itself, on small texts ---------------------------------------------------------

def test_a_paragraph_and_a_list_item_without_a_verified_value_are_left_out():
    from builder.course import country_text

    text = ("Intro {emergency}.\n\n- **Police:** {police}.\n- **Anonymous:** {anonymous_line},\n"
            "  phone {anonymous_phone}.\n- Last.\n\nYou may also use {anonymous_line}.\n\nEnd.\n")
    kept, dropped = country_text(text, {"emergency": "112", "police": "x"})
    assert kept == "Intro {emergency}.\n\n- **Police:** {police}.\n- Last.\n\nEnd.\n"
    assert dropped == ["- **Anonymous:** {anonymous_line},\n  phone {anonymous_phone}.",
                       "You may also use {anonymous_line}."]


def test_a_text_with_every_value_is_unchanged():
    from builder.course import country_text

    text = "A {police}.\n\n- b {emergency}\n"
    assert country_text(text, {"police": "1", "emergency": "2"}) == (text, [])


def test_a_country_without_a_value_leaves_the_block_out_of_its_build(tmp_path):
    course = copy_fixture(tmp_path / "c")
    cfg = course / "course.yaml"
    cfg.write_text(cfg.read_text("utf-8").replace("    police: www.police.be\n", ""), "utf-8")
    result = CliRunner().invoke(cli, ["build", "--source", str(course), "--country", "BE",
                                      "--lang", "en", "--format", "web", "--out",
                                      str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    html = package_texts(tmp_path / "d" / "mini_en_web.zip")
    assert "report:" not in html and "{police}" not in html and "0900" not in html


# -- lint and report -------------------------------------------------------------------------

def test_lint_lists_what_each_country_leaves_out():
    result = CliRunner().invoke(cli, ["lint", "--source", str(ROOT / "course_src")])
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("left out of BE builds"))
    assert "anonymous_line" in lines[header] and "anonymous_phone" in lines[header]
    listed = [line for line in lines[header + 1:] if line.startswith("  ")]
    assert any(line.startswith("  nl pages.reporting.body: ") and "Anoniem melden" in line
               for line in listed)
    assert any(line.startswith("  en pages.reporting.body: ") for line in listed)
    # NL has every contact but a support line (issue 16: none verified yet), so its builds
    # leave out only the content note's sentence offering one.
    nl = next(i for i, line in enumerate(lines) if line.startswith("left out of NL builds"))
    assert "(no verified support_line)" in lines[nl]
    nl_listed = [line for line in lines[nl + 1:header] if line.startswith("  ")]
    assert len(nl_listed) == 7 and all(" ui.support_note: " in line for line in nl_listed)


def write_roster(path: Path, countries: list[str]) -> Path:
    rows = [f"{c}-X-{i:03d},Hotel {i},,City,{c},nl,10" for i, c in enumerate(countries)]
    path.write_text("hotel_id,name,chain,city,country,language,employees\n" + "\n".join(rows)
                    + "\n", "utf-8")
    return path


def test_report_warns_about_roster_countries_no_course_covers(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", ["NL", "BE", "DE", "DE", "FR"])
    result = CliRunner().invoke(cli, [
        "report", "--roster", str(roster), "--statements",
        str(ROOT / "samples" / "statements.ndjson"), "--as-of", "2026-11-01",
        "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output + result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: no course country covers the roster's hotels in DE (2), "
                        "FR (1); their staff would get a course with another country's "
                        "contacts (course.yaml has BE, NL)"]


def test_report_is_quiet_when_every_roster_country_is_covered(tmp_path):
    roster = write_roster(tmp_path / "roster.csv", ["NL", "BE"])
    result = CliRunner().invoke(cli, [
        "report", "--roster", str(roster), "--statements",
        str(ROOT / "samples" / "statements.ndjson"), "--as-of", "2026-11-01",
        "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output + result.stderr
    assert "warning:" not in result.stderr


def test_every_belgian_package_passes_the_package_check(be_dist):
    from builder.check import check_package

    for path in sorted(be_dist.glob("*.zip")):
        report = check_package(path)
        assert report.ok, (path.name, [str(p) for p in report.problems])
