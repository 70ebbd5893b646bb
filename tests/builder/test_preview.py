"""`noroom preview` in Chromium (issue 18): an edit shows, a broken edit names file and line, the
panel shows what the course sends. The 2-second figure is measured in bench/preview.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.preview import Preview, Running, serve
from tests.builder.conftest import copy_fixture

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms; generous for a loaded machine, the speed is the benchmark's business


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path / "src")


@pytest.fixture
def site(course: Path) -> Iterator[Running]:
    running = serve(Preview(course, "en", "xapi"), port=0)
    yield running
    running.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def heading(page):  # type: ignore[no-untyped-def]
    return page.frame_locator("#course").locator("#h-welcome")


def shows(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the course frame's welcome heading holds `text` (across its reloads)."""
    page.wait_for_function("t => (document.getElementById('course').contentDocument"
                           "?.getElementById('h-welcome')?.textContent || '').includes(t)",
                           arg=text, timeout=WAIT)


def test_an_edited_string_shows_without_a_manual_reload(site, course, page):
    page.goto(site.url)
    heading(page).wait_for(timeout=WAIT)
    assert heading(page).inner_text() == "Signals welcome"
    edit(course / "text" / "en.yaml", "title: Signals welcome", "title: Signals welcome, edited")
    shows(page, "edited")


def test_a_broken_yaml_edit_names_file_and_line_and_keeps_the_last_good_page(site, course,
                                                                               page):
    page.goto(site.url)
    heading(page).wait_for(timeout=WAIT)
    en = course / "text" / "en.yaml"
    line = en.read_text(encoding="utf-8").splitlines().index("  welcome:") + 2
    edit(en, "title: Signals welcome", "title: [Signals welcome")
    error = page.locator("#error")
    error.wait_for(state="visible", timeout=WAIT)
    found = re.search(rf"{re.escape(str(en))}:(\d+): YAML error", error.inner_text())
    assert found and line <= int(found[1]) <= line + 1, error.inner_text()  # where YAML stops
    assert heading(page).inner_text() == "Signals welcome"  # the last good build stays
    edit(en, "title: [Signals welcome", "title: Signals welcome again")
    error.wait_for(state="hidden", timeout=WAIT)
    shows(page, "again")


def test_the_panel_lists_the_statements_the_course_sends(site, page):
    page.goto(site.url)
    heading(page).wait_for(timeout=WAIT)
    page.locator("#tracking li", has_text="initialized").first.wait_for(timeout=WAIT)


def test_the_panel_shows_lint_findings_of_the_language(site, course, page):
    page.goto(site.url)
    heading(page).wait_for(timeout=WAIT)
    edit(course / "text" / "en.yaml", "title: Signals welcome", "title: Signals {nonsense}")
    page.locator("#lint-all li", has_text="placeholders").first.wait_for(timeout=WAIT)
