"""Translators' round trip (XLIFF 2.0), lint rules, and per-chain branding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from builder.course import load_source
from builder.xliff import NS, export_xliff
from noroom.cli import cli

from .conftest import FIXTURES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    dest = tmp_path / "course"
    shutil.copytree(FIXTURES / "minimal", dest)
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def export(course: Path, tmp_path: Path) -> Path:
    out = tmp_path / "en.xlf"
    result = invoke("xliff", "export", "--lang", "en", "--out", str(out), "--source", str(course))
    assert result.exit_code == 0, result.output
    return out


def edit_target(xlf: Path, unit_id: str, new_text: str) -> None:
    tree = etree.parse(str(xlf))
    unit = tree.find(f".//{{{NS}}}unit[@id='{unit_id}']")
    target = unit.find(f".//{{{NS}}}target")
    first = next(iter(target), None)
    target.text = new_text if first is None else new_text
    if first is not None:
        for child in list(target):
            target.remove(child)
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")


def test_round_trip_without_edits_changes_no_file(course, tmp_path):
    before = snapshot(course)
    xlf = export(course, tmp_path)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 0 and "0 translations changed" in result.output
    assert snapshot(course) == before


def test_a_tool_that_trims_the_final_line_break_changes_nothing(course, tmp_path):
    invoke("xliff", "mark-current", "--lang", "en", "--source", str(course))
    xlf = export(course, tmp_path)
    tree = etree.parse(str(xlf))
    for el in tree.iter(f"{{{NS}}}source", f"{{{NS}}}target"):
        last = el[-1] if len(el) else None
        if last is not None and last.tail:
            last.tail = last.tail.rstrip("\n")
        elif last is None and el.text:
            el.text = el.text.rstrip("\n")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 0 and "0 translations changed" in result.output, result.output
    assert snapshot(course) == before
    # A real edit in such a file is current, not needs-review: its trimmed <source> is today's.
    target = tree.find(f".//{{{NS}}}unit[@id='pages.welcome.body']//{{{NS}}}target")
    target.text = target.text.replace("Hotel guests", "Hotel guests'")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    assert invoke("xliff", "import", str(xlf), "--source", str(course)).exit_code == 0
    root = etree.fromstring(export_xliff(load_source(course), "en"))
    segment = root.find(f".//{{{NS}}}unit[@id='pages.welcome.body']/{{{NS}}}segment")
    assert segment.get("state") == "translated" and segment.get("subState") is None


def test_markup_and_placeholders_travel_as_protected_codes(course, tmp_path):
    xlf = export(course, tmp_path).read_text()
    assert "{emergency}" not in xlf.split("<originalData>")[0]
    root = etree.fromstring(xlf.encode())
    unit = root.find(f".//{{{NS}}}unit[@id='pages.welcome.body']")
    data = {d.get("id"): d.text for d in unit.iter(f"{{{NS}}}data")}
    assert set(data.values()) >= {"**", "- ", "{emergency}", "{police}"}
    assert unit.find(f".//{{{NS}}}source/{{{NS}}}ph") is not None


def test_a_translators_edit_lands_in_the_right_key_only(course, tmp_path):
    xlf = export(course, tmp_path)
    edit_target(xlf, "ui.next", "Onwards")
    before = (course / "text" / "en.yaml").read_text()
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 0, result.output
    assert "1 translations changed: ui.next" in result.output
    after = (course / "text" / "en.yaml").read_text()
    assert load_source(course).texts["en"].strings["ui.next"] == "Onwards"
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert changed == [('  next: "Next"', '  next: "Onwards"')] or \
        [b for _, b in changed] == ['  next: "Onwards"']


def test_markup_broken_by_a_translator_is_refused_and_nothing_changes(course, tmp_path):
    xlf = export(course, tmp_path)
    edit_target(xlf, "pages.welcome.body", "Hotel guests, no placeholders at all.")
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 1 and "placeholders differ from the source" in result.output
    assert snapshot(course) == before


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="nl" '
    'trgLang="en"><file id="f"><unit id="ui.next"><segment><source>x</source>'
    '<target>&xxe;</target></segment></unit></file></xliff>',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
    '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xliff>&lol2;</xliff>',
], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_attacks_are_refused_and_change_nothing(course, tmp_path, payload, encoding):
    bad = tmp_path / "bad.xlf"
    # UTF-16 hides "<!DOCTYPE" from a byte search: the parsed tree must be checked too.
    declared = payload.replace('<?xml version="1.0"?>',
                               f'<?xml version="1.0" encoding="{encoding.upper()}"?>')
    bad.write_bytes(declared.encode(encoding))
    before = snapshot(course)
    result = invoke("xliff", "import", str(bad), "--source", str(course))
    assert result.exit_code == 1 and "refused" in result.output, result.output
    assert "Traceback" not in result.output and result.output.startswith(f"{bad}")
    assert snapshot(course) == before


def test_malformed_file_is_rejected_with_its_line(course, tmp_path):
    bad = tmp_path / "bad.xlf"
    bad.write_text('<?xml version="1.0"?>\n<xliff version="2.0">\n<file>\n</xliff>\n')
    result = invoke("xliff", "import", str(bad), "--source", str(course))
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}:4: is not well-formed XML")


def test_changed_dutch_source_marks_other_languages_needs_review(course, tmp_path):
    invoke("xliff", "mark-current", "--lang", "en", "--source", str(course))
    nl = course / "text" / "nl.yaml"
    nl.write_text(nl.read_text().replace("next: Volgende", "next: Verder"))
    root = etree.fromstring(export_xliff(load_source(course), "en"))
    segment = root.find(f".//{{{NS}}}unit[@id='ui.next']/{{{NS}}}segment")
    assert segment.get("subState") == "noroom:needs-review"
    other = root.find(f".//{{{NS}}}unit[@id='ui.back']/{{{NS}}}segment")
    assert other.get("state") == "translated" and other.get("subState") is None
    lint = invoke("lint", "--source", str(course))
    assert "stale translation of ui.next" in lint.output


def test_a_deleted_bold_code_is_refused_with_its_line_and_nothing_changes(course, tmp_path):
    xlf = export(course, tmp_path)
    tree = etree.parse(str(xlf))
    target = tree.find(f".//{{{NS}}}unit[@id='pages.welcome.body']//{{{NS}}}target")
    bold = next(ph for ph in target if ph.get("dataRef") == data_ref(tree, "pages.welcome.body",
                                                                       "**"))
    bold.getparent().remove(bold)  # placeholders stay intact; only one `**` is gone
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    line = next(i for i, text in enumerate(xlf.read_text().splitlines(), 1)
                if "<target" in text and i > line_of_unit(xlf, "pages.welcome.body"))
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 1
    assert result.output.startswith(f"{xlf}:{line}: unit pages.welcome.body: inline codes "
                                    "differ from the source (missing '**')"), result.output
    assert snapshot(course) == before


def test_markup_typed_as_plain_text_is_refused(course, tmp_path):
    xlf = export(course, tmp_path)
    tree = etree.parse(str(xlf))
    target = tree.find(f".//{{{NS}}}unit[@id='ui.next']//{{{NS}}}target")
    target.text = "**Onwards**"
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 1 and "(extra '**', '**')" in result.output, result.output


def test_a_unit_split_into_two_segments_is_refused(course, tmp_path):
    xlf = export(course, tmp_path)
    tree = etree.parse(str(xlf))
    segment = tree.find(f".//{{{NS}}}unit[@id='ui.next']/{{{NS}}}segment")
    segment.addnext(etree.fromstring(f'<segment xmlns="{NS}"><source>x</source>'
                                     '<target>y</target></segment>'))
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 1 and "unit ui.next has 2 segments; join them" in result.output
    assert snapshot(course) == before


def data_ref(tree, unit_id: str, value: str) -> str:  # type: ignore[no-untyped-def]
    unit = tree.find(f".//{{{NS}}}unit[@id='{unit_id}']")
    return next(d.get("id") for d in unit.iter(f"{{{NS}}}data") if d.text == value)


def line_of_unit(xlf: Path, unit_id: str) -> int:
    return next(i for i, text in enumerate(xlf.read_text().splitlines(), 1)
                if f'id="{unit_id}"' in text)


def test_importing_a_file_made_before_the_dutch_changed_keeps_it_needs_review(course, tmp_path):
    invoke("xliff", "mark-current", "--lang", "en", "--source", str(course))
    old = export(course, tmp_path)  # the translator's copy, made against "Volgende"
    edit_target(old, "ui.back", "Previous")  # an unrelated edit, so the import writes files
    nl = course / "text" / "nl.yaml"
    nl.write_text(nl.read_text().replace("next: Volgende", "next: Verder"))
    result = invoke("xliff", "import", str(old), "--source", str(course))
    assert result.exit_code == 0 and "ui.back" in result.output, result.output
    root = etree.fromstring(export_xliff(load_source(course), "en"))
    segment = root.find(f".//{{{NS}}}unit[@id='ui.next']/{{{NS}}}segment")
    assert segment.get("subState") == "noroom:needs-review"
    assert "stale translation of ui.next" in invoke("lint", "--source", str(course)).output


def test_an_edit_made_against_older_dutch_lands_but_stays_needs_review(course, tmp_path):
    invoke("xliff", "mark-current", "--lang", "en", "--source", str(course))
    old = export(course, tmp_path)
    edit_target(old, "ui.next", "Onwards")
    nl = course / "text" / "nl.yaml"
    nl.write_text(nl.read_text().replace("next: Volgende", "next: Verder"))
    result = invoke("xliff", "import", str(old), "--source", str(course))
    assert result.exit_code == 0, result.output
    source = load_source(course)
    assert source.texts["en"].strings["ui.next"] == "Onwards"
    root = etree.fromstring(export_xliff(source, "en"))
    segment = root.find(f".//{{{NS}}}unit[@id='ui.next']/{{{NS}}}segment")
    assert segment.get("subState") == "noroom:needs-review"


@pytest.mark.parametrize("new", [
    "One line now\n", "One line, no break", "Two\nlines\n", "Two\nlines", "  indented\nfirst",
    "ends with\n\n", "quote \"and\" colon: here\n",
], ids=["line-break", "no-break", "block", "block-strip", "leading-space", "two-breaks",
        "quotes"])
@pytest.mark.parametrize("style", ["block", "quoted"])
def test_rewrite_yaml_keeps_every_value_exactly(new, style):
    from builder.xliff import rewrite_yaml

    original = ("# comment kept\npages:\n  a:\n    body: |\n      First\n\n      second\n"
                "    title: \"A\"\n  b:\n    body: |\n      Untouched\n")
    key = "pages.a.body" if style == "block" else "pages.a.title"
    text = rewrite_yaml(original, {key: new})
    assert text is not None and text.startswith("# comment kept\n")
    loaded = yaml.safe_load(text)
    assert loaded["pages"]["a"]["body" if style == "block" else "title"] == new
    assert loaded["pages"]["b"]["body"] == "Untouched\n"


# ---- lint: one fixture course per rule ------------------------------------------------------

def break_course(course: Path, file: str, old: str, new: str) -> Path:
    path = course / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("text/en.yaml", "title: Signals signals-rooms", "title: ''",
     "error: missing translation for pages.signals-rooms.title"),
    ("text/en.yaml", "{police}", "police", "error: placeholders in pages.welcome.body differ"),
    ("text/en.yaml", "- reception\n", "reception\n",
     "error: list items in pages.welcome.body differ from the source (1 here, 2 in nl)"),
    ("text/en.yaml", "Hotel guests signals **room**.",
     "Hotel guests signals room ![](x.svg).", "error: image without alt text"),
    ("text/en.yaml", "Hotel guests signals **room**.", "Hotel guests signals room.",
     "error: bold in pages.welcome.body differ from the source (0 here, 2 in nl)"),
    ("text/en.yaml", "### What do you do?", "What do you do?",
     "error: headings in pages.what-to-do.body differ from the source (0 here, 1 in nl)"),
    ("text/en.yaml", "resume_question: Do you want to continue where you left off?",
     "resume_question: Wil je verdergaan waar je gebleven was?",
     "warning: ui.resume_question is identical to the nl source; translate it into en"),
    ("course.yaml", "correct: b", "correct: q", "error: question q-checkin has no correct"),
], ids=["missing", "placeholder", "list-markup", "image-alt", "bold-markup", "heading-markup",
        "identical-to-source", "no-correct-answer"])
def test_lint_catches_each_problem(course, file, old, new, expected):
    path = break_course(course, file, old, new)
    result = invoke("lint", "--source", str(course))
    assert result.exit_code == (1 if expected.startswith("error") else 0)
    assert any(expected in line and line.startswith(str(path)) for line in
               result.output.splitlines()), result.output


def test_lint_reports_missing_pages_and_long_descriptions(course):
    en = break_course(course, "text/en.yaml", "  frontdesk-signals:\n",
                      "  frontdesk-signals-old:\n")
    break_course(course, "text/nl.yaml", "Gasten q-picture?",
                 "Gasten q-picture? " + "lang " * 70)
    result = invoke("lint", "--source", str(course))
    assert f"{en}" in result.output and "page frontdesk-signals is missing in en" in result.output
    assert "is over SCORM's 250 characters" in result.output


def test_lint_prints_reading_time_and_warns_outside_the_range(course):
    result = invoke("lint", "--source", str(course), "--strict")
    assert result.output.splitlines()[0].split() == ["lang", "role", "words", "questions",
                                                     "minutes"]
    assert "warning: the frontdesk path takes about 3 minutes in nl, outside 15-25" in \
        result.output
    assert result.exit_code == 1


def test_real_course_passes_lint_with_no_errors():
    result = invoke("lint", "--source", str(Path(__file__).resolve().parents[2] / "course_src"))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings")


# ---- branding ------------------------------------------------------------------------------

def brand(tmp_path: Path, primary: str = "#0b4f6c", accent: str = "#c2185b",
          logo: str = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'
          ) -> Path:
    (tmp_path / "logo.svg").write_text(logo)
    path = tmp_path / "chain.yaml"
    path.write_text(f'name: Grachten Hotels\nlogo: logo.svg\ncolors: {{primary: "{primary}", '
                    f'accent: "{accent}"}}\n')
    return path


def test_brand_puts_logo_name_and_colours_in_the_package(tmp_path):
    import zipfile

    result = invoke("build", "--source", str(FIXTURES / "minimal"), "--brand",
                    str(brand(tmp_path)), "--format", "scorm12", "--lang", "en", "--out",
                    str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "d" / "mini_en_scorm12.zip") as zf:
        html = zf.read("index.html").decode()
        assert "brand/logo.svg" in zf.namelist()
        assert b'href="brand/logo.svg"' in zf.read("imsmanifest.xml")
    # The logo is decorative: the chain name is printed right beside it (WCAG H67).
    assert "--brand: #0b4f6c" in html and '<img class="logo" src="brand/logo.svg" alt="">' in html
    assert '<p class="chain">Grachten Hotels</p>' in html


def test_without_brand_the_package_has_the_programmes_own_look(tmp_path):
    import zipfile

    result = invoke("build", "--source", str(FIXTURES / "minimal"), "--format", "web", "--lang",
                    "en", "--out", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "d" / "mini_en_web.zip") as zf:
        html = zf.read("index.html").decode()
        css = zf.read("runtime.css").decode()
        assert not [n for n in zf.namelist() if n.startswith("brand/")]
    assert "--brand:" not in html and 'class="logo"' not in html and 'class="chain"' not in html
    assert ":root{--brand:#5b2a86;--brand-ink:#ffffff;--accent:#b3124a;" in css  # minified


@pytest.mark.parametrize("where", ["parent", "absolute", "symlink"])
def test_brand_logo_outside_the_brand_folder_is_refused(tmp_path, where):
    outside = tmp_path / "secret.svg"
    outside.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    folder = tmp_path / "chain"
    folder.mkdir()
    if where == "symlink":
        (folder / "logo.svg").symlink_to(outside)
    name = {"parent": "../secret.svg", "absolute": str(outside), "symlink": "logo.svg"}[where]
    path = folder / "chain.yaml"
    path.write_text(f'name: Grachten Hotels\nlogo: "{name}"\n'
                    'colors: {primary: "#0b4f6c", accent: "#c2185b"}\n')
    result = invoke("build", "--source", str(FIXTURES / "minimal"), "--brand", str(path),
                    "--out", str(tmp_path / "d"))
    assert result.exit_code == 2, result.output
    assert f"logo {name!r} is outside the brand file's folder" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "d").exists()


@pytest.mark.browser
def test_a_branded_package_has_no_wcag_violations(tmp_path, lms_server, page):
    from tests.support.browser import run_axe
    from tests.support.player import Player

    result = invoke("build", "--source", str(FIXTURES / "minimal"), "--brand",
                    str(brand(tmp_path)), "--format", "web", "--lang", "en", "--out",
                    str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    site = lms_server(tmp_path / "d" / "mini_en_web.zip")
    page.goto(f"{site.url}/pkg/index.html")
    player = Player(page, page.main_frame)
    assert page.main_frame.is_visible("img.logo")
    found = {}
    questions = {q["id"]: q for q in player.data()["questions"]}
    while True:
        step = player.step()
        if step == "role":
            player.choose_role("frontdesk")
        elif step.startswith("q:"):
            player.answer(questions[step[2:]]["correct"])  # axe then sees the feedback too
        if violations := run_axe(page.main_frame):
            found[step] = violations
        if step == "result":
            break
        player.next()
    assert found == {}


@pytest.mark.parametrize(("kw", "message"), [
    ({"primary": "#ffff00"}, "gives text contrast"),
    ({"accent": "#eeeeee"}, "focus outlines need 3:1"),
    ({"primary": "purple"}, "must be a colour like"),
    ({"logo": '<svg><script>alert(1)</script></svg>'}, "scripts or external references"),
    # Issue 15: a namespace prefix and a character reference got past the old pattern search.
    ({"logo": '<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/'
              '2000/svg">alert(1)</x:script></svg>'}, "<script> is not allowed"),
    ({"logo": '<svg xmlns="http://www.w3.org/2000/svg"><a href="jav&#x61;script:alert(1)">'
              '<rect width="9" height="9"/></a></svg>'}, "<a> is not allowed"),
    ({"logo": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink">'
              '<use l:href="java&#9;script:x"/></svg>'}, "link 'java\\tscript:x' is not allowed"),
])
def test_brand_rejects_low_contrast_and_unsafe_logos(tmp_path, kw, message):
    result = invoke("build", "--source", str(FIXTURES / "minimal"), "--brand",
                    str(brand(tmp_path, **kw)), "--out", str(tmp_path / "d"))
    assert result.exit_code == 2 and message in result.output
