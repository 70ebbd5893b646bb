"""Safety-critical keys and their review against the Dutch (issue #13 section 6): marked in the
source, reviewed state with the source hash kept by the XLIFF round trip, `noroom build
--release` refusing a language with an unreviewed critical key, `noroom lint` reporting it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from builder.course import load_source
from builder.review import critical_keys
from builder.xliff import NS, export_xliff

from .conftest import COURSE_SRC, copy_fixture

REVIEWER = "A. Jansen, reviewer English"
CRITICAL = "\ncritical_keys:\n  - pages.what-to-do.body\n  - questions.*.options.*\n"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    from noroom.cli import cli

    return CliRunner().invoke(cli, list(args))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = copy_fixture(tmp_path / "course")
    with (root / "course.yaml").open("a", encoding="utf-8") as f:
        f.write(CRITICAL)
    return root


def critical_of(course: Path) -> list[str]:
    source = load_source(course)
    return critical_keys(source.config, source.texts["nl"].strings)


def review_all(course: Path, lang: str = "en") -> None:
    result = invoke("review", "--lang", lang, "--reviewer", REVIEWER, "--date", "2026-12-01",
                    "--all-critical", "--source", str(course))
    assert result.exit_code == 0, result.output


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def release(course: Path, out: Path, *langs: str):  # type: ignore[no-untyped-def]
    args = [a for lang in langs for a in ("--lang", lang)]
    return invoke("build", "--release", "--format", "web", "--out", str(out), "--source",
                  str(course), *args)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


# ---- which keys are critical --------------------------------------------------------------

ISSUE_13_KEYS = [  # where es and pl told learners to tell nobody (issue #13, section 1)
    "pages.summary.body", "pages.frontdesk-scenario.body", "pages.security-signals.body",
    "questions.q-picture.options.b.feedback", "questions.q-checkin.options.c.feedback",
    "questions.q-visitors.options.b.feedback", "questions.q-security-1.options.b.feedback",
    "questions.q-bar-1.options.c.feedback", "questions.q-bar-2.options.b.feedback",
    "pages.what-to-do.body", "pages.reporting.body",
]


def test_the_real_course_marks_what_issue_13_names_as_critical():
    source = load_source(COURSE_SRC)  # also validates every critical_keys entry
    dutch = source.texts["nl"].strings
    critical = set(critical_keys(source.config, dutch))
    assert set(ISSUE_13_KEYS) <= critical
    with_contacts = {k for k, text in dutch.items() if "{emergency}" in text or "112" in text}
    assert with_contacts and with_contacts <= critical
    # Labels are not critical; a ui sentence naming a contact (the support line) is.
    labels = {k for k in critical if k.startswith(("ui.", "roles.", "modules."))}
    assert labels == {k for k in labels if "{support_line}" in dutch[k]}


@pytest.mark.parametrize("text, critical", [
    ("Bel de politie: 0900 8844.", True), ("Bel 112.", True), ("Bel 101 bij spoed.", True),
    ("Meld het via +32 2 555 00 00.", True), ("Bel {police} of {anonymous_phone}.", True),
    ("Ongeveer 3.000 slachtoffers, 1.300 minderjarig.", False), ("Op kamer 214.", False),
], ids=["phone", "112", "101", "international", "placeholders", "figures", "room"])
def test_a_key_with_a_contact_or_phone_number_is_critical_without_being_listed(
        course, text, critical):
    key = "questions.q-checkin.prompt"  # not listed in critical_keys
    assert key not in critical_of(course)
    replace_in(course / "text" / "nl.yaml", "Gasten q-checkin?", text)
    assert (key in critical_of(course)) is critical


@pytest.mark.parametrize("entry", ["pages.what-to-do.bdy", "questions.*.option.*"])
def test_a_critical_entry_that_matches_no_key_is_an_error(course, tmp_path, entry):
    replace_in(course / "course.yaml", "  - pages.what-to-do.body\n", f"  - {entry}\n")
    cfg, line = course / "course.yaml", line_of(course / "course.yaml", "critical_keys:")
    expected = f"{cfg}:{line}: critical_keys entry '{entry}' matches no key of the source text"
    built = invoke("build", "--format", "web", "--out", str(tmp_path / "dist"), "--source",
                   str(course))
    assert built.exit_code == 1 and built.output.startswith(expected), built.output
    linted = invoke("lint", "--source", str(course))
    assert linted.exit_code == 1 and f"{cfg}:{line}: error: critical_keys entry" in linted.output


# ---- the release gate ---------------------------------------------------------------------

def test_release_refuses_a_language_with_one_unreviewed_critical_key_naming_it(course, tmp_path):
    review_all(course)
    en = course / "text" / "en.yaml"
    replace_in(en, "feedback: together c ok.", "feedback: Tell nobody what you suspect.")
    out = tmp_path / "dist"
    result = release(course, out)
    assert result.exit_code == 1, result.output
    key = "questions.q-picture.options.c.feedback"
    assert result.output.splitlines() == [
        f"{en}:{line_of(en, 'Tell nobody')}: {key} is safety-critical and changed after its "
        "review; have it reviewed against the Dutch (README, Translating: noroom review --lang "
        "en)",
        "1 safety-critical translation(s) not reviewed; --release built nothing (issue #13: "
        "every critical key is reviewed against the Dutch before release)"]
    assert not out.exists()
    # Without --release the same course builds (make demo); reviewed again, it is releasable.
    assert invoke("build", "--format", "web", "--out", str(out), "--source",
                  str(course)).exit_code == 0
    review_all(course)
    assert release(course, tmp_path / "released").exit_code == 0


def test_release_names_why_each_key_is_not_reviewed(course, tmp_path):
    review_all(course)
    nl, en = course / "text" / "nl.yaml", course / "text" / "en.yaml"
    replace_in(nl, "text: leidinggevende a", "text: leidinggevende A")  # q-picture a, Dutch
    state = course / "text" / "state" / "en.yaml"
    states = yaml.safe_load(state.read_text("utf-8"))
    del states["questions.q-checkin.options.b.text"]
    state.write_text(yaml.safe_dump(states), "utf-8")
    lines = release(course, tmp_path / "dist").output.splitlines()
    assert any("questions.q-picture.options.a.text is safety-critical and was reviewed against "
               "an older Dutch text" in line and line.startswith(f"{en}:") for line in lines)
    assert any("questions.q-checkin.options.b.text is safety-critical and is not reviewed" in
               line for line in lines)
    assert len(lines) == 3


def test_release_of_the_real_course_refuses_pl_with_one_unreviewed_critical_key(tmp_path):
    import shutil

    course = tmp_path / "course_src"
    shutil.copytree(COURSE_SRC, course)
    review_all(course, "pl")  # whatever was reviewed in the repository, now all of pl is
    state = course / "text" / "state" / "pl.yaml"
    states = yaml.safe_load(state.read_text("utf-8"))
    del states["pages.summary.body"]  # where pl told learners to tell nobody (issue #13)
    state.write_text(yaml.safe_dump(states, allow_unicode=True), "utf-8")
    out = tmp_path / "dist"
    result = release(course, out, "nl", "pl")
    pl = course / "text" / "pl.yaml"
    assert result.exit_code == 1 and not out.exists()
    refused = [line for line in result.output.splitlines() if not line.startswith("WARNING:")]
    assert refused[0] == (
        f"{pl}:{load_source(course).texts['pl'].lines['pages.summary.body']}: "
        "pages.summary.body is safety-critical and is not "
        "reviewed; have it reviewed against the Dutch (README, Translating: noroom review "
        "--lang pl)")
    assert len(refused) == 2  # that key, and the summary line
    # The Dutch alone is releasable: it is what the others are reviewed against.
    assert release(course, out, "nl").exit_code == 0


# ---- recording reviews --------------------------------------------------------------------

def unit_of(root: etree._Element, key: str) -> etree._Element:
    return root.find(f".//{{{NS}}}unit[@id='{key}']")


def test_a_review_set_in_xliff_is_recorded_and_kept_by_the_round_trip(course, tmp_path):
    key = "pages.what-to-do.body"
    xlf = tmp_path / "en.xlf"
    assert invoke("xliff", "export", "--lang", "en", "--out", str(xlf), "--source",
                  str(course)).exit_code == 0
    tree = etree.parse(str(xlf))
    note = unit_of(tree.getroot(), key).find(f"{{{NS}}}notes/{{{NS}}}note")
    assert note is not None and note.get("category") == "noroom:safety-critical"
    assert unit_of(tree.getroot(), "ui.next").find(f"{{{NS}}}notes") is None
    unit_of(tree.getroot(), key).find(f"{{{NS}}}segment").set("state", "reviewed")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")

    before = snapshot(course)
    unsigned = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert unsigned.exit_code == 1 and "--reviewer" in unsigned.output
    assert unsigned.output.startswith(f"{xlf}: 1 segments are newly marked reviewed ({key} ")
    assert snapshot(course) == before

    result = invoke("xliff", "import", str(xlf), "--reviewer", REVIEWER, "--date", "2026-12-02",
                    "--source", str(course))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["0 translations changed",
                                          f"1 reviews recorded ({REVIEWER}, 2026-12-02)"]
    record = yaml.safe_load((course / "text" / "state" / "en.yaml").read_text("utf-8"))[key]
    assert record["state"] == "reviewed" and record["reviewer"] == REVIEWER
    assert record["reviewed_on"] == "2026-12-02"
    again = etree.fromstring(export_xliff(load_source(course), "en"))
    assert unit_of(again, key).find(f"{{{NS}}}segment").get("state") == "reviewed"
    # A round trip without edits keeps the review as it was (and changes no file).
    after = snapshot(course)
    xlf.write_bytes(export_xliff(load_source(course), "en"))
    assert invoke("xliff", "import", str(xlf), "--source", str(course)).exit_code == 0
    assert snapshot(course) == after


def test_a_changed_dutch_or_translation_drops_a_review(course, tmp_path):
    review_all(course)
    key = "questions.q-manager.options.a.text"
    replace_in(course / "text" / "nl.yaml", "        text: leidinggevende a\n        feedback: "
               "samen a ok.", "        text: leidinggevende A\n        feedback: samen a ok.")
    root = etree.fromstring(export_xliff(load_source(course), "en"))
    segment = unit_of(root, key).find(f"{{{NS}}}segment")
    assert segment.get("state") == "translated"
    assert segment.get("subState") == "noroom:needs-review"
    linted = invoke("lint", "--source", str(course)).output.splitlines()
    assert any(line.split()[:4] == ["en", str(len(load_source(course).required_keys())),
                                    str(len(critical_of(course)) - 1), "1"] for line in linted)
    assert any(line.endswith(key) and "critical keys not reviewed" in line for line in linted)
    # A translator's later edit of a reviewed key (state left "translated") ends its review too.
    review_all(course)
    xlf = tmp_path / "en.xlf"
    xlf.write_bytes(export_xliff(load_source(course), "en"))
    tree = etree.parse(str(xlf))
    target = unit_of(tree.getroot(), "pages.what-to-do.body").find(f".//{{{NS}}}target")
    target[-1].tail = target[-1].tail.replace(".", ". Tell nobody.", 1)
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    # Edited, still marked reviewed: only a named reviewer may say so.
    refused = invoke("xliff", "import", str(xlf), "--source", str(course))
    assert refused.exit_code == 1 and 'or set them to state="translated"' in refused.output
    target.getparent().set("state", "translated")  # as a CAT tool does on an edit
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    assert invoke("xliff", "import", str(xlf), "--source", str(course)).exit_code == 0
    lines = release(course, tmp_path / "dist").output.splitlines()
    assert "pages.what-to-do.body is safety-critical and is not reviewed" in lines[0]


def test_a_reviewers_export_holds_the_critical_keys_only(course, tmp_path):
    xlf = tmp_path / "review.xlf"
    result = invoke("xliff", "export", "--lang", "en", "--critical-only", "--out", str(xlf),
                    "--source", str(course))
    assert result.exit_code == 0, result.output
    root = etree.parse(str(xlf)).getroot()
    units = [u.get("id") for u in root.iter(f"{{{NS}}}unit")]
    assert units == [k for k in critical_of(course) if k in load_source(course).required_keys()]
    assert all(u.find(f"{{{NS}}}notes/{{{NS}}}note") is not None
               for u in root.iter(f"{{{NS}}}unit"))
    for segment in root.iter(f"{{{NS}}}segment"):
        segment.set("state", "reviewed")
    etree.ElementTree(root).write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = invoke("xliff", "import", str(xlf), "--reviewer", REVIEWER, "--source", str(course))
    assert result.exit_code == 0 and f"{len(units)} reviews recorded" in result.output
    assert release(course, tmp_path / "dist").exit_code == 0


def test_a_review_against_older_dutch_is_not_recorded_and_says_so(course, tmp_path):
    xlf = tmp_path / "en.xlf"
    xlf.write_bytes(export_xliff(load_source(course), "en"))
    tree = etree.parse(str(xlf))
    for segment in tree.getroot().iter(f"{{{NS}}}segment"):
        segment.set("state", "reviewed")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    replace_in(course / "text" / "nl.yaml", "        text: leidinggevende a\n        feedback: "
               "samen a ok.", "        text: leidinggevende A\n        feedback: samen a ok.")
    result = invoke("xliff", "import", str(xlf), "--reviewer", REVIEWER, "--source", str(course))
    assert result.exit_code == 0, result.output
    key = "questions.q-manager.options.a.text"
    assert f"1 segments marked reviewed were read against an older Dutch text and are not " \
        f"recorded as reviewed ({key} first)" in result.output
    lines = release(course, tmp_path / "dist").output.splitlines()
    assert len(lines) == 2 and f"{key} is safety-critical and is not reviewed" in lines[0]


def test_an_unknown_segment_state_is_refused(course, tmp_path):
    xlf = tmp_path / "en.xlf"
    xlf.write_bytes(export_xliff(load_source(course), "en"))
    tree = etree.parse(str(xlf))
    unit_of(tree.getroot(), "ui.next").find(f"{{{NS}}}segment").set("state", "approved")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    before = snapshot(course)
    result = invoke("xliff", "import", str(xlf), "--reviewer", REVIEWER, "--source", str(course))
    assert result.exit_code == 1 and "unit ui.next: state 'approved' is not an XLIFF 2.0" in \
        result.output and snapshot(course) == before


def test_mark_current_keeps_reviews_that_hold(course):
    review_all(course)
    state = course / "text" / "state" / "en.yaml"
    before = state.read_text("utf-8")
    assert invoke("xliff", "mark-current", "--lang", "en", "--source", str(course)).exit_code == 0
    records = yaml.safe_load(state.read_text("utf-8"))
    assert all(records[k] == yaml.safe_load(before)[k] for k in critical_of(course))


def test_lint_reports_per_language_what_is_not_reviewed(course):
    result = invoke("lint", "--source", str(course))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["lang", "keys",
                                                                            "reviewed"])
    n = len(critical_of(course))
    assert lines[header + 1].split() == ["en", str(len(load_source(course).required_keys())),
                                         "0", "0", str(n), str(n)]
    named = next(line for line in lines if "critical keys not reviewed" in line)
    assert named.startswith(f"{course / 'text' / 'en.yaml'}: ")
    assert "pages.what-to-do.body" in named and "questions.q-picture.options.b.feedback" in named
    review_all(course)
    after = invoke("lint", "--source", str(course)).output
    assert "critical keys not reviewed" not in after


@pytest.mark.parametrize("args, message", [
    (["--reviewer", " ", "pages.what-to-do.body"], "give the reviewer as one line"),
    (["--reviewer", "a\nb", "pages.what-to-do.body"], "give the reviewer as one line"),
    (["--reviewer", "X", "--date", "1-12-2026", "pages.what-to-do.body"], "is not YYYY-MM-DD"),
    (["--reviewer", "X", "pages.nope.body"], "pages.nope.body is not a key of the source text"),
    (["--reviewer", "X"], "name the reviewed keys, or give --all-critical"),
], ids=["empty", "two-lines", "date", "unknown-key", "no-keys"])
def test_review_refuses_bad_input_and_writes_nothing(course, args, message):
    before = snapshot(course)
    result = invoke("review", "--lang", "en", "--source", str(course), *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output and snapshot(course) == before
