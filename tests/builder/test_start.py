"""Issue 16 §4 and §5: the start of the course, the web package, the hotel code, resume, the
"other" role, read aloud and the reading time at a second-language pace. In headless Chromium,
the web package over http, SCORM in scorm-again, xAPI against the real LRS."""

from __future__ import annotations

import base64
import json
import shutil
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner

from builder.build import build
from builder.formats import BuildOptions
from builder.hotels import load_hotels
from noroom.cli import cli
from noroom.vocabulary import load_vocabulary
from tests.builder.conftest import COURSE_SRC, REAL_ID, REAL_LANGUAGES
from tests.builder.test_xapi import settle
from tests.support.browser import run_axe
from tests.support.player import Player

ROOT = Path(__file__).resolve().parents[2]
ROSTER = ROOT / "samples" / "roster.csv"
PATTERN = yaml.safe_load((COURSE_SRC / "course.yaml").read_text("utf-8"))["hotel_code"]["pattern"]
V = load_vocabulary(COURSE_SRC / "course.yaml")
AUTH = "Basic " + base64.b64encode(b"test-key:test-secret").decode()
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SHOTS = Path("/tmp/start/shots")
# What speechSynthesis reports is the only thing these change (headless Chromium has no voices
# at all): a voice for `lang`, or none. speak() and cancel() are recorded and passed on to the
# browser's own, unchanged.
VOICES = """(() => {
  const voices = %s;
  speechSynthesis.getVoices = () => voices.map(l => ({lang: l, name: 'v-' + l, voiceURI: 'v-' + l,
                                                       localService: true, default: false}));
  window.spoken = []; window.cancels = 0;
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  const cancel = speechSynthesis.cancel.bind(speechSynthesis);
  speechSynthesis.speak = u => { window.spoken.push({text: u.text, lang: u.lang}); speak(u); };
  speechSynthesis.cancel = () => { window.cancels++; cancel(); };
})();"""


@pytest.fixture(scope="module")
def start_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course, every language: web and SCORM 2004 as they ship, xAPI with --hotels."""
    out = tmp_path_factory.mktemp("start-dist")
    build(COURSE_SRC, out, formats=["web", "scorm2004"])
    hotels = load_hotels(ROSTER, PATTERN)
    build(COURSE_SRC, out / "hotels", formats=["xapi"], options=BuildOptions(hotels=hotels))
    return out


def pkg(dist: Path, lang: str, fmt: str) -> Path:
    return dist / f"{REAL_ID}_{lang}_{fmt}.zip"


def index_html(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("index.html").decode("utf-8")


def ui(lang: str) -> dict[str, str]:
    return yaml.safe_load((COURSE_SRC / "text" / f"{lang}.yaml").read_text("utf-8"))["ui"]


def web_page(browser, site, voices: list[str] | None = None, width: int = 1280,
             height: int = 800):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    if voices is not None:
        context.add_init_script(VOICES % json.dumps(voices))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.goto(f"{site.url}/pkg/index.html")
    return page, Player(page, page.main_frame)


# ---- the content note ------------------------------------------------------------------------

def welcome(html: str) -> str:
    start = html.index('data-step="page:welcome"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_content_note_comes_first_and_offers_no_unverified_support_line(start_dist, lang):
    page = welcome(index_html(pkg(start_dist, lang, "web")))
    assert page.index('class="note"') < page.index("<p>")  # before the body's first paragraph
    note = page[page.index('class="note"'):page.index("</div>", page.index('class="note"'))]
    assert "support_line" not in note and "{" not in note
    before, _, _ = ui(lang)["support_note"].partition("{support_line}")
    assert before.strip()[:20] not in note  # NL has no verified line: no sentence about one


def test_a_verified_support_line_is_offered_in_the_content_note(tmp_path):
    src = shutil.copytree(COURSE_SRC, tmp_path / "src")
    cfg = src / "course.yaml"
    # A made-up value for this test only; course.yaml ships none until one is verified.
    cfg.write_text(cfg.read_text("utf-8").replace(
        '    anonymous_phone: "0800 7000"\n',
        '    anonymous_phone: "0800 7000"\n    support_line: "Test Line, 0800 0000"\n'), "utf-8")
    build(src, tmp_path / "d", ["en"], ["web"])
    page = welcome(index_html(pkg(tmp_path / "d", "en", "web")))
    note = page[page.index('class="note"'):page.index("</div>", page.index('class="note"'))]
    assert "your manager" in note and "You can contact Test Line, 0800 0000." in note


# ---- the web package ---------------------------------------------------------------------------

PROGRESS_WORD = {"nl": "voortgang", "en": "progress", "pl": "postęp", "fr": "progression",
                 "hu": "haladás", "pt": "progresso", "es": "progreso"}


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_web_welcome_says_progress_stays_in_this_browser(start_dist, lang):
    import re

    items = {fmt: re.findall(r"<li>.*?</li>", welcome(index_html(pkg(start_dist, lang, fmt))))
             for fmt in ("web", "scorm2004")}
    changed = [(s, w) for s, w in zip(items["scorm2004"], items["web"], strict=True) if s != w]
    # Exactly one item differs: the one saying progress is saved, which the LMS formats keep.
    assert len(changed) == 1 and changed[0][1] == f"<li>{ui(lang)['web_progress']}</li>"
    assert PROGRESS_WORD[lang] in changed[0][0]


@pytest.mark.browser
def test_web_learner_resumes_from_this_browser_after_a_reload(lms_server, browser, start_dist):
    site = lms_server(pkg(start_dist, "en", "web"))
    page, player = web_page(browser, site)
    player.play("bar", stop_at="page:signals-rooms")
    page.reload()
    player = Player(page, page.main_frame)
    assert player.step() == "resume"
    where = page.inner_text("#resume-where")
    page.click("#resume-yes")
    assert player.step() == "page:signals-rooms" and player.state()["role"] == 5
    steps = player.frame.evaluate("NoroomRuntime.steps()")
    title = page.inner_text(".step.current h1")
    n = steps.index("page:signals-rooms") + 1  # steps before it: pages, role, a module check
    assert where == ui("en")["resume_where"].format(page=title, n=n, total=len(steps))
    assert page.inner_text("#stepinfo") == f"Step {n} of {len(steps)}"
    stored = json.loads(page.evaluate("localStorage.getItem('noroom.progress.no-room.en')"))
    assert stored["v"] == 1 and stored["state"].startswith("2~5~")
    assert page.js_errors == []
    page.context.close()


@pytest.mark.browser
def test_web_note_is_one_dismissible_note_and_stays_dismissed(lms_server, browser, start_dist):
    site = lms_server(pkg(start_dist, "en", "web"))
    page, player = web_page(browser, site, width=375, height=740)
    assert page.is_visible("#webnote") and player.notice() == ""  # no undismissable banner
    page.click("#webnote-ok")
    assert not page.is_visible("#webnote")
    assert page.evaluate("document.activeElement.id") == "h-welcome"
    player.play("bar", stop_at="page:why-hotels")
    page.reload()
    page.wait_for_selector(".step.current")
    assert not page.is_visible("#webnote") and player.notice() == ""
    page.context.close()


@pytest.mark.browser
def test_web_course_runs_with_corrupt_or_full_storage(lms_server, browser, start_dist):
    site = lms_server(pkg(start_dist, "en", "web"))
    page, player = web_page(browser, site)
    # Corrupt the record from another page of the site: leaving the course saves a good one.
    page.goto(f"{site.url}/lms/preload.json")
    page.evaluate("localStorage.setItem('noroom.progress.no-room.en', '{not json')")
    page.goto(f"{site.url}/pkg/index.html")
    player = Player(page, page.main_frame)
    assert player.step() == "page:welcome" and page.is_visible("#webnote")
    # Fill the origin's storage to its quota: saving fails, the course goes on.
    filled = page.evaluate("""() => { localStorage.clear(); let name = 'not full', i = 0;
        for (let size = 1 << 20; size >= 1; size >>= 1) {
          try { for (;; i++) localStorage.setItem('f' + i, 'x'.repeat(size)); }
          catch (e) { name = e.name; } }
        return name; }""")
    assert filled == "QuotaExceededError"
    page.reload()
    player = Player(page, page.main_frame)
    player.play("other", stop_at="page:why-hotels")
    assert page.evaluate("localStorage.getItem('noroom.progress.no-room.en')") is None
    assert page.js_errors == []
    page.context.close()


# ---- the hotel code ----------------------------------------------------------------------------

def launch_url(site, registration: str) -> str:  # type: ignore[no-untyped-def]
    params = {"endpoint": site.endpoint, "auth": AUTH, "registration": registration,
              "actor": json.dumps({"mbox": "mailto:hotel@example.org", "name": "Learner"}),
              "activity_id": V.course_iri}
    return f"{site.url}/pkg/index.html?{urlencode(params)}"


def to_hotel_step(page, site, registration: str = "") -> Player:  # type: ignore[no-untyped-def]
    page.goto(launch_url(site, registration or str(uuid.uuid4())))
    player = Player(page, page.main_frame)
    player.play("other", stop_at="hotel")
    return player


@pytest.mark.browser
@pytest.mark.lrs
def test_hotel_code_is_checked_on_leaving_the_field_and_confirmed_by_name(
        lrs, xapi_site, page, start_dist):
    site = xapi_site(pkg(start_dist / "hotels", "en", "xapi"))
    registration = str(uuid.uuid4())
    player = to_hotel_step(page, site, registration)
    page.type("#hotel-code", "NL-AMS-0")  # keystroke by keystroke: no error while typing
    assert not page.is_visible("#hotel-error") and page.is_enabled("#next")
    page.press("#hotel-code", "Tab")  # leaving the field checks it
    assert page.inner_text("#hotel-error") == ui("en")["hotel_unknown"]
    assert page.get_attribute("#hotel-code", "aria-invalid") == "true"
    page.fill("#hotel-code", "nl-ams-001")
    assert not page.is_visible("#hotel-error")
    page.click("#next")  # Next checks too, and asks rather than moves on
    assert player.step() == "hotel"
    assert page.inner_text("#hotel-confirm-text") == \
        "You work at Grachten Amsterdam 01: correct?"
    page.click("#hotel-no")
    assert page.input_value("#hotel-code") == "" and not page.is_visible("#hotel-confirm")
    page.fill("#hotel-code", "NL-AMS-001")
    page.click("#next")
    page.click("#hotel-yes")
    assert player.step() != "hotel" and player.state()["hotel"] == "NL-AMS-001"
    player.play("other", correct=True)
    settle(page, None)
    done = [s for s in lrs.all() if s["verb"]["id"] == V.verbs["completed"]
            and s["context"].get("registration") == registration]
    assert [s["context"]["extensions"][V.hotel_extension] for s in done] == ["NL-AMS-001"]
    assert page.js_errors == []


@pytest.mark.browser
@pytest.mark.lrs
def test_without_a_roster_any_code_of_the_pattern_is_taken_after_leaving_the_field(
        lrs, xapi_site, page, start_dist, tmp_path):
    build(COURSE_SRC, tmp_path, ["en"], ["xapi"])
    site = xapi_site(pkg(tmp_path, "en", "xapi"))
    player = to_hotel_step(page, site)
    page.type("#hotel-code", "nonsense")
    assert not page.is_visible("#hotel-error")
    page.click("#next")
    assert player.step() == "hotel" and page.is_visible("#hotel-error")
    assert page.evaluate("document.activeElement.id") == "hotel-code"
    page.fill("#hotel-code", "nl-ams-0042")
    player.next()
    assert player.state()["hotel"] == "NL-AMS-0042"


@pytest.mark.browser
@pytest.mark.lrs
def test_hotel_names_from_the_roster_stay_text(lrs, xapi_site, page, tmp_path):
    import csv

    roster = tmp_path / "roster.csv"
    evil = '<img src=x onerror="window.pwned=1">Hotel & "Co"'
    with roster.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["hotel_id", "name", "chain", "city", "country", "language",
                                  "employees"], ["NL-AMS-777", evil, "C", "A", "NL", "nl", 10]])
    build(COURSE_SRC, tmp_path / "d", ["en"], ["xapi"],
          BuildOptions(hotels=load_hotels(roster, PATTERN)))
    site = xapi_site(pkg(tmp_path / "d", "en", "xapi"))
    to_hotel_step(page, site)
    page.fill("#hotel-code", "NL-AMS-777")
    page.press("#hotel-code", "Tab")
    assert page.inner_text("#hotel-confirm-text") == f"You work at {evil}: correct?"
    assert page.evaluate("document.querySelector('#hotel-confirm img') === null && "
                         "!window.pwned")


@pytest.mark.parametrize("row, message", [
    ("NL-AMS-001,Grachten,C,A,NL,nl,10\nNL-AMS-001,Again,C,A,NL,nl,10",
     "roster.csv:3: duplicate hotel_id 'NL-AMS-001' (first on line 2)"),
    ("nl ams 1,Grachten,C,A,NL,nl,10", "roster.csv:2: hotel_id 'nl ams 1' does not look like"),
    ("NL-AMS-001,,C,A,NL,nl,10", "roster.csv:2: hotel NL-AMS-001 needs a name"),
    ("NL-AMS-001,Grachten,C,A,NL,nl,ten", "roster.csv:2: employees must be a whole number"),
], ids=["duplicate", "bad-id", "no-name", "reporter-check"])
def test_build_hotels_refuses_a_bad_roster_with_one_line(tmp_path, row, message):
    roster = tmp_path / "roster.csv"
    roster.write_text("hotel_id,name,chain,city,country,language,employees\n" + row + "\n")
    result = CliRunner().invoke(cli, ["build", "--source", str(COURSE_SRC), "--lang", "en",
                                      "--format", "xapi", "--out", str(tmp_path / "d"),
                                      "--hotels", str(roster)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "d").exists()


# ---- resume prompt in the LMS ------------------------------------------------------------------

@pytest.mark.browser
def test_resume_prompt_names_the_page_and_step_in_scorm(lms_server, page, browser, start_dist):
    site = lms_server(pkg(start_dist, "pl", "scorm2004"))
    page.goto(f"{site.url}/lms/host.html?v=2004")
    player = Player(page)
    player.play("night", stop_at="page:why-no-help")
    c = site.lms.last["cmi"]
    site.preload({"suspend_data": c["suspend_data"], "location": c["location"],
                  "entry": "resume"})
    page2 = browser.new_page()
    page2.goto(f"{site.url}/lms/host.html?v=2004")
    player2 = Player(page2)
    where = player2.frame.inner_text("#resume-where")
    player2.frame.click("#resume-yes")
    assert player2.step() == "page:why-no-help"
    title = player2.frame.inner_text(".step.current h1")
    total = len(player2.frame.evaluate("NoroomRuntime.steps()"))
    assert where == ui("pl")["resume_where"].format(page=title, n=5, total=total)
    assert player2.frame.inner_text("#stepinfo") == f"Krok 5 z {total}"
    page2.close()


# ---- layout: Back/Next in the text column ------------------------------------------------------

@pytest.mark.browser
def test_back_and_next_sit_within_the_text_column_on_a_desktop(lms_server, browser, start_dist):
    site = lms_server(pkg(start_dist, "en", "web"))
    page, player = web_page(browser, site)
    player.play("frontdesk", stop_at="page:why-hotels")
    box = page.evaluate("""() => {
        const r = s => document.querySelector(s).getBoundingClientRect();
        const p = r('.step.current p');
        return {left: p.left, right: p.right, back: r('#back').left, next: r('#next').right,
                width: innerWidth};
    }""")
    assert box["width"] == 1280 and box["right"] - box["left"] > 500
    assert box["left"] - 1 <= box["back"] <= box["left"] + 1
    assert box["right"] - 1 <= box["next"] <= box["right"] + 1
    page.context.close()


# ---- the other role ------------------------------------------------------------------------------

@pytest.mark.browser
def test_other_role_takes_the_shared_modules_and_their_questions_only(lms_server, page,
                                                                      start_dist):
    site = lms_server(pkg(start_dist, "en", "scorm2004"))
    page.goto(f"{site.url}/lms/host.html?v=2004")
    player = Player(page)
    player.play("other", stop_at="role")
    player.choose_role("other")  # the step count follows the shorter path at once
    steps = player.frame.evaluate("NoroomRuntime.steps()")
    assert player.frame.inner_text("#stepinfo") == f"Step 2 of {len(steps)}"
    player.play("other", stop_at="quiz")
    shared = {"signals", "understand", "act"}
    qs = {q["id"]: q["module"] for q in player.data()["questions"]}
    assert [s for s in steps if s.startswith("page:")][-1] == "page:summary"
    assert not [s for s in steps if s.startswith("page:") and s.endswith(("-signals",
                                                                         "-scenario"))]
    asked = [s[2:] for s in steps if s.startswith("q:")]
    assert len(asked) == 8 and {qs[q] for q in asked} == shared
    player.play("other", correct=True)
    c = site.lms.last["cmi"]
    assert (c["completion_status"], c["success_status"]) == ("completed", "passed")


def test_reporter_and_lint_accept_the_other_role(tmp_path):
    from lrs_reporter.files import read_staff

    staff = tmp_path / "staff.csv"
    staff.write_text("hotel_id,email,account_homepage,account_name,role\n"
                     "NL-AMS-001,cook@example.org,,,other\n")
    assert list(read_staff(staff, {"NL-AMS-001"}).values()) == [{"NL-AMS-001"}]
    result = CliRunner().invoke(cli, ["lint", "--source", str(COURSE_SRC)])
    assert result.exit_code == 0
    row = next(line.split() for line in result.output.splitlines()
               if line.startswith("nl ") and " other " in line)
    assert row[3] == "8"  # questions of the shared modules only


# ---- read aloud ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_read_aloud_speaks_the_page_in_its_language_and_stops_on_the_next(lms_server, browser,
                                                                         start_dist):
    site = lms_server(pkg(start_dist, "hu", "web"))
    page, player = web_page(browser, site, voices=["hu-HU", "en-GB"])
    button = ".step.current .read"
    assert page.is_visible(button) and page.inner_text(button) == ui("hu")["read_aloud"]
    page.click(button)
    spoken = page.evaluate("window.spoken")
    assert spoken[0] == {"text": page.inner_text(".step.current h1"), "lang": "hu"}
    assert any(ui("hu")["web_progress"] == s["text"] for s in spoken)
    assert not any(s["text"] == ui("hu")["read_aloud"] for s in spoken)
    cancels = page.evaluate("window.cancels")
    page.click("#webnote-ok")
    player.next()
    assert page.evaluate("window.cancels") > cancels  # leaving the page stops the voice
    assert player.step() == "role"
    assert page.inner_text('[data-step="page:welcome"] .read') == ui("hu")["read_aloud"]
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("voices", [[], ["en-GB", "de-DE"]], ids=["no-voice", "other-languages"])
def test_read_aloud_is_hidden_without_a_voice_for_the_language(lms_server, browser, start_dist,
                                                               voices):
    site = lms_server(pkg(start_dist, "hu", "web"))
    page, player = web_page(browser, site, voices=voices)
    assert page.locator(".read").count() > 20 and not page.is_visible(".step.current .read")
    page.context.close()


# ---- reading time ------------------------------------------------------------------------------

def test_lint_reports_the_reading_time_at_a_second_language_pace():
    result = CliRunner().invoke(cli, ["lint", "--source", str(COURSE_SRC)])
    lines = result.output.splitlines()
    assert lines[0].split() == ["lang", "role", "words", "questions", "minutes", "at_130wpm"]
    _, _, words, questions, minutes, slow = lines[1].split()
    assert float(minutes) == pytest.approx(int(words) / 200 + int(questions) * 0.75, abs=0.06)
    assert float(slow) == pytest.approx(int(words) / 130 + int(questions) * 0.75, abs=0.06)


# ---- every language: axe, 320 px, screenshots --------------------------------------------------

def inspect(page, name: str, found: dict, overflow: dict) -> None:  # type: ignore[no-untyped-def]
    if violations := run_axe(page.main_frame):
        found[name] = violations
    if (extra := page.evaluate(OVERFLOW)) > 0:
        overflow[name] = extra


@pytest.mark.browser
@pytest.mark.lrs
@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_new_states_pass_axe_and_fit_320px_in_every_language(lms_server, xapi_site, browser,
                                                             start_dist, lang):
    found: dict = {}
    overflow: dict = {}
    site = lms_server(pkg(start_dist, lang, "web"))
    page, player = web_page(browser, site, voices=[lang], width=320, height=640)
    assert page.is_visible("#webnote") and page.is_visible(".step.current .read")
    inspect(page, "welcome", found, overflow)
    player.next()
    player.choose_role("other")
    inspect(page, "role-other", found, overflow)
    player.next()
    page.reload()
    page.wait_for_selector("#resume-yes")
    inspect(page, "resume", found, overflow)
    page.context.close()

    site = xapi_site(pkg(start_dist / "hotels", lang, "xapi"))
    page, _ = web_page(browser, site, width=320, height=640)
    page.goto(launch_url(site, str(uuid.uuid4())))
    Player(page, page.main_frame).play("other", stop_at="hotel")
    page.fill("#hotel-code", "XX")
    page.press("#hotel-code", "Tab")
    inspect(page, "hotel-invalid", found, overflow)
    page.fill("#hotel-code", "NL-ROT-025")
    page.press("#hotel-code", "Tab")
    assert "Hotel Łazienki" in page.inner_text("#hotel-confirm-text")
    inspect(page, "hotel-confirm", found, overflow)
    page.context.close()
    assert found == {} and overflow == {}


@pytest.mark.browser
@pytest.mark.lrs
def test_screenshots_of_the_new_states(lms_server, xapi_site, browser, start_dist):
    """Writes /tmp/start/shots/*.png (375x740 and 1280x800) for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in ((375, 740), (1280, 800)):
        for fmt in ("web", "scorm2004"):
            site = lms_server(pkg(start_dist, "en", fmt))
            if fmt == "web":
                page, player = web_page(browser, site, voices=["en-US"], width=w, height=h)
            else:
                context = browser.new_context(viewport={"width": w, "height": h})
                page = context.new_page()
                page.goto(f"{site.url}/lms/host.html?v=2004")
                player = Player(page)
            page.screenshot(path=SHOTS / f"welcome-{fmt}-{w}.png")
            if fmt == "web":
                player.next()
                player.choose_role("other")
                page.locator("#role-other").scroll_into_view_if_needed()
                page.screenshot(path=SHOTS / f"role-other-{w}.png")
                player.next()
                page.reload()
                page.wait_for_selector("#resume-yes")
                page.screenshot(path=SHOTS / f"resume-{w}.png")
            page.context.close()
        site = xapi_site(pkg(start_dist / "hotels", "en", "xapi"))
        page, _ = web_page(browser, site, width=w, height=h)
        page.goto(launch_url(site, str(uuid.uuid4())))
        Player(page, page.main_frame).play("other", stop_at="hotel")
        page.fill("#hotel-code", "NL-AMS-001")
        page.click("#next")
        page.screenshot(path=SHOTS / f"hotel-confirm-{w}.png")
        page.context.close()
    assert len(list(SHOTS.glob("*-375.png"))) >= 5
