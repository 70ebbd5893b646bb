"""Translators' XLIFF files are untrusted (issue #15 item 9): inline codes are checked against
today's Dutch source, never the file's own <originalData>, and a link, autolink, image or raw
HTML the Dutch does not have is refused, with one line naming the file, unit and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from builder.course import load_source
from builder.xliff import NS
from noroom.cli import cli

from .conftest import copy_fixture

EVIL = "[Zadzwoń](https://evil.example/)"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path / "course")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


def export(course: Path, tmp_path: Path) -> tuple[Path, etree._ElementTree]:
    out = tmp_path / "en.xlf"
    result = invoke("xliff", "export", "--lang", "en", "--out", str(out), "--source", str(course))
    assert result.exit_code == 0, result.output
    return out, etree.parse(str(out))


def unit(tree: etree._ElementTree, key: str) -> etree._Element:
    return tree.find(f".//{{{NS}}}unit[@id='{key}']")


def data_el(tree: etree._ElementTree, key: str, value: str) -> etree._Element:
    return next(d for d in unit(tree, key).iter(f"{{{NS}}}data") if d.text == value)


def import_refused(course: Path, xlf: Path, tree: etree._ElementTree, key: str) -> str:
    """Write the edited tree, import it; assert it is refused in one line naming the file and
    the unit, with nothing changed; return that line."""
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{xlf}:"), result.output
    assert f"unit {key}" in lines[0] and "Traceback" not in result.output
    assert snapshot(course) == before
    return lines[0]


def test_headings_removed_through_original_data_are_refused(course, tmp_path):
    # Emptying the heading code in <originalData> removes it from <source> and <target> alike,
    # so a check against the file's own source saw no difference.
    xlf, tree = export(course, tmp_path)
    data_el(tree, "pages.what-to-do.body", "### ").text = ""
    line = import_refused(course, xlf, tree, "pages.what-to-do.body")
    assert "export the file again" in line


def test_a_link_smuggled_into_original_data_is_refused(course, tmp_path):
    xlf, tree = export(course, tmp_path)
    data_el(tree, "pages.welcome.body", "**").text = EVIL
    line = import_refused(course, xlf, tree, "pages.welcome.body")
    assert "[Zadzwoń](https://evil.example/)" in line and "not an inline code" in line


def test_original_data_swapped_for_another_valid_code_is_refused(course, tmp_path):
    # Each value is a real code, but the target no longer carries the Dutch source's codes.
    xlf, tree = export(course, tmp_path)
    data_el(tree, "pages.what-to-do.body", "### ").text = "**"
    line = import_refused(course, xlf, tree, "pages.what-to-do.body")
    assert "inline codes differ from the source" in line


@pytest.mark.parametrize("typed, what", [
    (EVIL, "a link to https://evil.example/"),
    ("<https://evil.example/>", "a link to https://evil.example/"),
    ("[Zadzwoń][1]\n\n[1]: https://evil.example/", "a link to https://evil.example/"),
    ("![Zadzwoń](https://evil.example/p.png)", "an image https://evil.example/p.png"),
    ('<a href="https://evil.example/">Zadzwoń</a>', "raw HTML <a href="),
], ids=["link", "autolink", "reference-link", "image", "raw-html"])
@pytest.mark.parametrize("key", ["ui.next", "pages.welcome.body"])
def test_a_link_typed_into_a_target_is_refused(course, tmp_path, typed, what, key):
    xlf, tree = export(course, tmp_path)
    target = unit(tree, key).find(f".//{{{NS}}}target")
    last = target[-1] if len(target) else None
    if last is None:
        target.text = (target.text or "") + " " + typed
    else:
        last.tail = (last.tail or "") + " " + typed + "\n"
    line = import_refused(course, xlf, tree, key)
    assert what in line and "the Dutch source does not have" in line, line


def test_a_link_the_dutch_has_may_stay_but_not_change_its_address(course, tmp_path):
    police = "[politie](https://www.politie.nl/)"
    nl = course / "text" / "nl.yaml"
    nl.write_text(nl.read_text().replace("next: Volgende", f"next: 'Volgende {police}'"))
    xlf, tree = export(course, tmp_path)
    target = unit(tree, "ui.next").find(f".//{{{NS}}}target")
    target.text = "Next [police](https://www.politie.nl/)"
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert result.exit_code == 0, result.output
    assert load_source(course).texts["en"].strings["ui.next"] == target.text
    target.text = "Next [police](https://evil.example/)"
    line = import_refused(course, xlf, tree, "ui.next")
    assert "a link to https://evil.example/" in line


def test_lint_reports_a_link_the_dutch_source_does_not_have(course):
    en = course / "text" / "en.yaml"
    en.write_text(en.read_text().replace("next: Next", f"next: '{EVIL}'"))
    result = invoke("lint", "--source", str(course))
    assert result.exit_code == 1
    assert any(line.startswith(f"{en}:") and "ui.next" in line and
               "a link to https://evil.example/" in line for line in result.output.splitlines()
               ), result.output


def test_a_build_refuses_a_link_typed_into_a_translation_file(course, tmp_path):
    en = course / "text" / "en.yaml"
    en.write_text(en.read_text().replace("next: Next", f"next: '{EVIL}'"))
    out = tmp_path / "dist"
    result = invoke("build", "--format", "web", "--out", str(out), "--source", str(course))
    assert result.exit_code == 1 and not out.exists()
    assert result.output.splitlines() == [
        f"{en}:9: ui.next has a link to https://evil.example/, which the Dutch source does not "
        "have; remove it (a translation keeps only the source's links)"]
