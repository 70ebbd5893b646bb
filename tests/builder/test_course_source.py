"""Loading course_src/: every problem is reported once, as file:line: what to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.course import load_source
from noroom.cli import cli
from noroom.errors import SourceError

from .conftest import FIXTURES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    dest = tmp_path / "course"
    shutil.copytree(FIXTURES / "minimal", dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def build_error(course: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--source", str(course), "--out",
                                      str(course.parent / "dist")])
    return result.exit_code, result.output


def test_fixture_course_loads_in_both_languages():
    source = load_source(FIXTURES / "minimal")
    assert source.languages == ("nl", "en")
    course = source.course("nl")
    assert course.language == "nl"
    assert [q.id for q in course.path_questions("frontdesk")] == [
        "q-picture", "q-checkin", "q-manager", "q-frontdesk-1"]
    # Contact placeholders are filled from course.yaml for the chosen country.
    assert "112" in course.pages[1].html and "{emergency}" not in course.pages[1].html


def test_missing_translation_names_file_line_and_key(course):
    en = course / "text" / "en.yaml"
    line = line_of(en, "signals-rooms:")
    edit(en, "  signals-rooms:\n    title: Signals signals-rooms\n",
         "  signals-rooms:\n    title: ''\n")
    with pytest.raises(SourceError) as err:
        load_source(course)
    assert (f"{en}:{line + 1}: missing translation for pages.signals-rooms.title; translate it "
            "(noroom xliff export --lang en)") in str(err.value)


def test_question_without_correct_answer_is_reported_with_line(course):
    cfg = course / "course.yaml"
    line = line_of(cfg, "id: q-checkin")
    edit(cfg, "  correct: b\n", "  correct: z\n")
    code, out = build_error(course)
    assert code == 1
    assert f"{cfg}:{line}: q-checkin has no correct answer" in out


def test_unknown_page_id_in_a_language_file(course):
    nl = course / "text" / "nl.yaml"
    edit(nl, "pages:\n", "pages:\n  not-a-page:\n    title: x\n    body: y\n")
    with pytest.raises(SourceError) as err:
        load_source(course)
    assert f"{nl}:{line_of(nl, 'not-a-page:')}: unknown page id 'not-a-page'" in str(err.value)


def test_yaml_syntax_error_reports_the_line_and_no_traceback(course):
    en = course / "text" / "en.yaml"
    edit(en, "ui:\n", "ui:\n  next: [unclosed\n")
    code, out = build_error(course)
    assert code == 1
    assert out.startswith(f"{en}:")
    assert "YAML error" in out and "Traceback" not in out


def test_several_problems_are_reported_together(course):
    edit(course / "course.yaml", "  correct: b\n", "  correct: z\n")
    edit(course / "course.yaml", "role: frontdesk", "role: chef")
    with pytest.raises(SourceError) as err:
        load_source(course)
    assert len(err.value.problems) == 2


def test_unknown_placeholder_is_an_error(course):
    nl = course / "text" / "nl.yaml"
    edit(nl, "{police}", "{politie}")
    with pytest.raises(SourceError, match=r"unknown placeholder \{politie\}"):
        load_source(course)


def test_build_prints_a_table_of_packages(course, tmp_path):
    result = CliRunner().invoke(cli, ["build", "--source", str(course), "--out",
                                      str(tmp_path / "d"), "--lang", "en", "--format", "web"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["file", "format", "lang", "size"]
    assert f"{tmp_path / 'd' / 'mini_en_web.zip'}" in lines[1] and " web " in lines[1]
    assert lines[-1] == f"1 packages in {tmp_path / 'd'}/"


def test_unknown_language_is_a_clear_error(course, tmp_path):
    result = CliRunner().invoke(cli, ["build", "--source", str(course), "--lang", "de",
                                      "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "language 'de' is not in course.yaml languages (nl, en)" in result.output


def test_unknown_key_warns_and_strict_makes_it_fatal(course, tmp_path):
    cfg = course / "course.yaml"
    edit(cfg, "mastery_score:", "mastery_scroe: 0.9\nmastery_score:")
    args = ["build", "--source", str(course), "--out", str(tmp_path / "d"), "--format", "web"]
    relaxed = CliRunner().invoke(cli, args)
    assert relaxed.exit_code == 0
    assert f"{cfg}:{line_of(cfg, 'mastery_scroe')}: unknown key `mastery_scroe`" in relaxed.output
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1
    assert "1 warning(s) with --strict" in strict.output


def test_country_picks_its_own_contact_details(course, tmp_path):
    import zipfile

    args = ["build", "--source", str(course), "--lang", "en", "--format", "web"]
    for country in ("NL", "BE"):
        result = CliRunner().invoke(cli, [*args, "--country", country, "--out",
                                          str(tmp_path / country)])
        assert result.exit_code == 0, result.output
    html = {c: zipfile.ZipFile(tmp_path / c / "mini_en_web.zip").read("index.html").decode()
            for c in ("NL", "BE")}
    assert "www.police.be" in html["BE"] and "0900 8844" not in html["BE"]
    assert "0900 8844" in html["NL"] and "www.police.be" not in html["NL"]


def test_a_country_without_a_contact_the_text_uses_is_refused(course, tmp_path):
    # A page paragraph naming it would be left out (test_countries.py); an answer's feedback
    # cannot be, so the build is refused.
    import yaml

    cfg = course / "course.yaml"
    edit(cfg, "    police: www.police.be\n", "")
    for path in (course / "text").glob("*.yaml"):
        texts = yaml.safe_load(path.read_text("utf-8"))
        option = texts["questions"]["q-picture"]["options"]["a"]
        option["feedback"] = "{police} " + option["feedback"]
        path.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False), "utf-8")
    result = CliRunner().invoke(cli, ["build", "--source", str(course), "--country", "BE",
                                      "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert result.output.startswith(f"{cfg}:{line_of(cfg, '  BE:')}: contacts.BE has no police, "
                                    "which the course text uses; add verified values")
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").iterdir())


def test_every_ui_string_the_pages_and_runtime_show_is_required():
    import re

    from builder.course import RUNTIME_UI_KEYS

    root = Path(__file__).resolve().parents[2] / "builder"
    used = set()
    for path in [*root.glob("templates/**/*.html"), *root.glob("runtime/**/*.js")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bui\.([a-z_]+)", text))
        used |= set(re.findall(r"\bnotify\(\"([a-z_]+)\"", text))
    assert used == RUNTIME_UI_KEYS


def test_a_course_without_a_ui_string_the_runtime_shows_is_refused(course):
    nl = course / "text" / "nl.yaml"
    text = nl.read_text(encoding="utf-8")
    nl.write_text("".join(line for line in text.splitlines(keepends=True)
                          if not line.startswith("  result_unseen:")), encoding="utf-8")
    code, out = build_error(course)
    assert code == 1 and "missing translation for ui.result_unseen" in out
    assert "nl.yaml" in out and "Traceback" not in out


@pytest.fixture
def real_course(tmp_path: Path) -> Path:
    from .conftest import COURSE_SRC

    dest = tmp_path / "course_src"
    shutil.copytree(COURSE_SRC, dest)
    return dest


def test_practice_choices_without_a_best_option_or_a_known_page_are_reported_with_line(
        real_course):
    cfg = real_course / "course.yaml"
    edit(cfg, "{page: frontdesk-scenario, options: [a, b, c], best: a}",
         "{page: frontdesk-scenario, options: [a, b, c], best: z}")
    edit(cfg, "{id: signals, after: signals,", "{id: signals, after: no-such-module,")
    with pytest.raises(SourceError) as err:
        load_source(real_course)
    assert (f"{cfg}:{line_of(cfg, 'page: frontdesk-scenario')}: frontdesk-scenario has no best "
            "option") in str(err.value)
    line = line_of(cfg, "id: signals, after")
    assert f"{cfg}:{line}: each of checks needs `after` naming a known module" in str(err.value)


def test_a_practice_choice_missing_in_a_language_is_named(real_course):
    pl = real_course / "text" / "pl.yaml"
    text = pl.read_text(encoding="utf-8")
    key_line = text.index("explanation:", text.index("\nchecks:\n"))
    pl.write_text(text[:key_line] + "explanation: ''" + text[text.index("\n", key_line):],
                  encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_source(real_course)
    assert "missing translation for checks.understand.explanation" in str(err.value)
