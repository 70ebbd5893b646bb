"""The cmi5 package as an AU: the test acts as the LMS (tests/support/cmi5_lms.py: fetch URL,
LMS.LaunchData, learner preferences, one session per launch) and refuses every request ADL's
reference LMS, CATAPULT, refuses, with its requirement id; statements go to the real LRS, and the
cmi5 rules are checked on what arrived, in the order it arrived. LMS.LaunchData lives in the
site's in-memory State API stand-in (xapi-statements has none). Every AU, of one language or of
the all-languages package, reads cmi5LearnerPreferences before its first statement; the
all-languages launcher also uses it to pick the language (tested on the real course's seven
languages)."""

from __future__ import annotations

import base64
import json
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from lxml import etree

from builder.build import build
from builder.check import check_package, cmi5_schema
from builder.course import load_source
from tests.builder.conftest import COURSE_SRC, FIXTURES, REAL_ID, REAL_LANGUAGES, real_package
from tests.builder.test_xapi import V, close, mine, settle, wait_until
from tests.support.browser import run_axe
from tests.support.player import Player
from tests.support.xapi_site import validate_statements

pytestmark = [pytest.mark.browser, pytest.mark.lrs]
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"


ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "E42"}}


def lms_launch(site, mode: str = "Normal", mastery: float | None = 0.8,  # type: ignore[no-untyped-def]
               return_url: str | None = None, hotel: str = "NL-AMS-0042",
               reg: str | None = None, prefs: str | None = "nl-NL,en-GB",
               page: str = "index.html") -> tuple[str, str, str]:
    """A launch by the test LMS (tests/support/cmi5_lms.py, CATAPULT's rules): a new session of
    `reg` (a new registration by default) with LMS.LaunchData as CATAPULT writes it (the
    masteryScore of cmi5.xml) and the learner's preferences (None: the LMS has none, a 404).
    Returns the launch URL, the registration and the session id."""
    reg = reg or str(uuid.uuid4())
    launch = {"launchMode": mode,
              "contextTemplate": {"contextActivities": {"grouping": [{"id": V.course_iri}]},
                                  "extensions": {V.hotel_extension: hotel}}}
    if mastery is not None:
        launch["masteryScore"] = mastery
    if return_url:
        launch["returnURL"] = return_url
    session = site.cmi5_launch(ACTOR, V.course_iri, reg, launch)
    site.profiles.pop("cmi5LearnerPreferences", None)
    if prefs is not None:
        site.profiles["cmi5LearnerPreferences"] = json.dumps(
            {"languagePreference": prefs, "audioPreference": "on"})
    params = {"endpoint": site.endpoint, "fetch": site.fetch_url(session), "registration": reg,
              "actor": json.dumps(ACTOR), "activityId": V.course_iri}
    return f"{site.url}/pkg/{page}?{urlencode(params)}", reg, session.id


def token_of(site, session_id: str) -> str:  # type: ignore[no-untyped-def]
    """The Authorization the AU of that session uses (its fetched token)."""
    (session,) = [s for s in site.lms.sessions.values() if s.id == session_id]
    return "Basic " + base64.b64encode(f":{session.token}".encode()).decode()


def conformant(site, reg: str) -> bool:  # type: ignore[no-untyped-def]
    """No request was refused for breaking a cmi5 rule, and the AU is satisfied."""
    assert site.lms.violations == []
    return site.lms.registrations[reg].satisfied


def finish(page, site) -> None:  # type: ignore[no-untyped-def]
    """Finish, then wait until the LMS accepted the latest session's terminated (it follows the
    bookmark's PUT) and the queue is empty."""
    page.click("#finish")
    latest = list(site.lms.sessions.values())[-1]
    wait_until(lambda: latest.terminated)
    settle(page, site)


def verb_of(s: dict) -> str:
    return s["verb"]["id"].rsplit("/", 1)[1]


def verbs(sts: list[dict]) -> list[str]:
    return [verb_of(s) for s in sts]


def ordered(lrs, site, reg: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The LRS's statements for `reg` in the order the LRS accepted them (the site's POST log)."""
    by_id = {s["id"]: s for s in mine(lrs, reg)}
    return [by_id[i] for i in site.delivered() if i in by_id]


def test_cmi5_rules_on_a_passing_session(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_nl_cmi5.zip")
    url, reg, session = lms_launch(site)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    finish(page, site)
    sts = ordered(lrs, site, reg)
    v = verbs(sts)
    assert v[0] == "initialized" and v[-1] == "terminated"
    assert v.count("passed") == 1 and v.count("completed") == 1
    for s in sts:
        assert s["context"]["extensions"][V.session_extension] == session
        assert s["context"]["extensions"][V.hotel_extension] == "NL-AMS-0042"  # the template's
        assert s["context"]["registration"] == reg and s["object"]["id"].startswith(V.course_iri)
        assert s["context"]["language"] == "nl"
    for s in sts:
        cats = {c["id"] for c in s["context"].get("contextActivities", {}).get("category", [])}
        name = s["verb"]["id"].rsplit("/", 1)[1]
        if name in ("passed", "completed"):
            assert cats == {CMI5, MOVEON} and "duration" in s["result"]
        elif name in ("initialized", "terminated"):
            assert cats == {CMI5}
        else:
            assert CMI5 not in cats
    passed = next(s for s in sts if s["verb"]["id"] == V.verbs["passed"])
    assert passed["result"]["score"]["scaled"] == 1 and passed["result"]["success"] is True
    assert passed["context"]["extensions"][MASTERY] == 0.8  # LMS.LaunchData's, 9.6.3.2-2
    assert site.fetches == 1
    assert validate_statements(sts) == []
    assert conformant(site, reg)


# -- learner paths against the test LMS's CATAPULT rules (issue 12 items 1-5), per-language and
# all-languages package alike ------------------------------------------------------------------

PACKAGES = [pytest.param(("mini_en_cmi5.zip", "index.html"), id="en"),
            pytest.param(("mini_mul_cmi5.zip", "en/index.html"), id="mul")]


def open_au(page, site, url: str, package: tuple[str, str]) -> Player:  # type: ignore[no-untyped-def]
    """Open the LMS's launch URL; for the all-languages package the launcher opens the page of
    the learner's preference (en)."""
    page.goto(url)
    if package[1] != "index.html":
        page.wait_for_url(f"**/pkg/{package[1]}?*", timeout=20000)
    return Player(page, page.main_frame)


def refused_notice(player: Player) -> bool:
    return player.notice() == player.data()["ui"]["save_refused"]


@pytest.mark.parametrize("package", PACKAGES)
def test_fail_then_retake_in_the_same_session_ends_satisfied(lrs, xapi_site, page, mini_dist,
                                                             package):
    """9.3.0.0-3: one of passed/failed per session. The failed verdict waits until the learner
    finishes without passing, so the retake's passed is the session's only verdict."""
    site = xapi_site(mini_dist / package[0])
    url, reg, _ = lms_launch(site, prefs="en")
    player = open_au(page, site, url, package)
    player.play("frontdesk", correct=False)
    page.click("#retry")
    player.play("frontdesk", correct=True)
    finish(page, site)
    v = verbs(ordered(lrs, site, reg))
    assert "failed" not in v and v.count("passed") == 1 and v.count("completed") == 1
    assert conformant(site, reg) and not refused_notice(player)
    assert page.js_errors == []


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("leave", ["finish", "close"])
def test_fail_leave_come_back_resume_retake_pass_ends_satisfied(lrs, xapi_site, page, mini_dist,
                                                                package, leave):
    site = xapi_site(mini_dist / package[0])
    url, reg, first = lms_launch(site, prefs="en")
    player = open_au(page, site, url, package)
    player.play("frontdesk", correct=False)
    if leave == "finish":
        finish(page, site)  # failed, then terminated
    else:
        settle(page, site)
        close(page)  # the session stays open (no terminated on pagehide), no verdict sent
    again, _, second = lms_launch(site, reg=reg, prefs="en")  # abandons an open first session
    player = open_au(page, site, again, package)
    page.click("#resume-yes")
    assert player.step() == "result"  # the failed attempt: no second failed in this session
    page.click("#retry")
    player.play("frontdesk", correct=True)
    finish(page, site)
    sts = ordered(lrs, site, reg)
    by_session = {sid: [verb_of(s) for s in sts
                        if s["context"]["extensions"][V.session_extension] == sid]
                  for sid in (first, second)}
    assert by_session[first].count("failed") == (1 if leave == "finish" else 0)
    assert by_session[first].count("terminated") == (1 if leave == "finish" else 0)
    assert by_session[second][0] == "initialized" and by_session[second][-1] == "terminated"
    assert "failed" not in by_session[second] and by_session[second].count("passed") == 1
    assert conformant(site, reg) and not refused_notice(player)
    # Nothing of the first session was left to send (a bookmark PUT at pagehide may arrive late).
    assert [r for r in site.lms.abandoned_refusals if "statements" in r] == []


@pytest.mark.parametrize("package", PACKAGES)
def test_a_tab_closed_mid_course_then_relaunched_ends_satisfied(lrs, xapi_site, page, mini_dist,
                                                                package):
    """10.2.1.0-6: nothing of the closed session is sent under the new session's id, and the
    learner sees no false "refused" notice."""
    site = xapi_site(mini_dist / package[0])
    url, reg, first = lms_launch(site, prefs="en")
    player = open_au(page, site, url, package)
    player.play("frontdesk", stop_at="quiz")
    close(page)
    again, _, second = lms_launch(site, reg=reg, prefs="en")
    player = open_au(page, site, again, package)
    page.click("#resume-yes")
    player.play("frontdesk", correct=True)
    finish(page, site)
    sts = ordered(lrs, site, reg)
    assert "terminated" not in [verb_of(s) for s in sts
                                if s["context"]["extensions"][V.session_extension] == first]
    assert conformant(site, reg) and not refused_notice(player)
    assert page.js_errors == []


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("at", ["mid-course", "after failing"])
def test_a_reload_keeps_the_session_and_ends_satisfied(lrs, xapi_site, page, mini_dist, package,
                                                       at):
    """8.1.2.0-2: no terminated on a reload, so the reloaded page goes on in the same session
    with the same token (initialized is not repeated)."""
    site = xapi_site(mini_dist / package[0])
    url, reg, session = lms_launch(site, prefs="en")
    player = open_au(page, site, url, package)
    if at == "mid-course":
        player.play("frontdesk", stop_at="quiz")
    else:
        player.play("frontdesk", correct=False)
    settle(page, site)
    page.reload()
    player = Player(page, page.main_frame)
    assert player.notice() != player.data()["ui"]["not_saved"]
    page.click("#resume-yes")
    if at != "mid-course":
        page.click("#retry")
    player.play("frontdesk", correct=True)
    finish(page, site)
    assert site.fetches == 1 and len(site.lms.sessions) == 1
    v = verbs(ordered(lrs, site, reg))
    assert v.count("initialized") == 1 and v.count("terminated") == 1 and v[-1] == "terminated"
    assert "failed" not in v and v.count("passed") == 1
    assert conformant(site, reg) and not refused_notice(player)
    assert page.js_errors == []


@pytest.mark.parametrize("prefs", ["pl", None])
def test_a_page_of_one_language_reads_the_preferences_first(lrs, xapi_site, page, mini_dist,
                                                            prefs):
    """11.0.0.0-3: the LMS refuses statements until the AU has read cmi5LearnerPreferences (a
    404 counts: the learner has none). An English page stays English for a Polish learner."""
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, session = lms_launch(site, prefs=prefs)
    page.goto(url)
    player = Player(page, page.main_frame)
    player.play("frontdesk", correct=True)
    finish(page, site)
    assert [(p, json.loads(a), t) for p, a, t in site.profile_reads] == [
        ("cmi5LearnerPreferences", ACTOR, token_of(site, session))]
    sts = ordered(lrs, site, reg)
    assert {s["context"]["language"] for s in sts} == {"en"}
    assert conformant(site, reg)


def test_mastery_score_from_launch_data_wins(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, mastery=0.5)
    page.goto(url)
    player = Player(page, page.main_frame)
    # 3 of 4 right = 75%: below the course's 80%, above the LMS's 50%.
    questions = {q["id"]: q for q in player.data()["questions"]}
    wrong_once = True
    while player.step() != "result":
        step = player.step()
        if step == "role":
            player.choose_role("frontdesk")
        elif step.startswith("q:"):
            q = questions[step[2:]]
            bad = [o for o in q["options"] if o != q["correct"]][0]
            player.answer(bad if wrong_once else q["correct"])
            wrong_once = False
        player.next()
    finish(page, site)
    sts = ordered(lrs, site, reg)
    assert "passed" in verbs(sts) and "failed" not in verbs(sts)
    passed = next(s for s in sts if verb_of(s) == "passed")
    assert passed["result"]["score"]["scaled"] == 0.75 and passed["result"]["success"] is True
    assert validate_statements(sts) == []


def test_passed_with_a_page_unseen_sends_completed_once_the_named_page_is_read(
        lrs, xapi_site, page, course_dist):
    """moveOn CompletedAndPassed: passed goes out at the result, completed only when the page
    the result names (and opens) has been seen, the same rule as SCORM (test_scorm_runtime)."""
    site = xapi_site(real_package(course_dist, "en", "cmi5"))
    url, reg, _ = lms_launch(site)
    page.goto(url)
    player = Player(page, page.main_frame)
    player.play("night", stop_at="quiz")
    page.evaluate("delete NoroomRuntime.state().seen['night-scenario']")
    player.play("night", correct=True)
    settle(page, site)
    assert "passed" in verbs(ordered(lrs, site, reg))
    assert "completed" not in verbs(ordered(lrs, site, reg))
    (title,) = [p.title for p in load_source(COURSE_SRC).course("en").pages
                if p.id == "night-scenario"]
    page.get_by_role("button", name=title).click()
    assert player.step() == "page:night-scenario"
    settle(page, site)
    sts = ordered(lrs, site, reg)
    assert verbs(sts).count("passed") == 1 and verbs(sts)[-1] == "completed"
    completed = sts[-1]
    assert completed["object"]["id"] == V.course_iri and completed["result"]["completion"]
    assert validate_statements(sts) == []
    assert page.js_errors == []


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_no_verdict(lrs, xapi_site, page, mini_dist, mode):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, mode=mode)
    page.goto(url)
    player = Player(page, page.main_frame)
    player.play("frontdesk", correct=True)
    # The learner is told the result is a review and not recorded, never "well done" (item 5).
    result = page.inner_text("#result-text")
    assert result == player.data()["ui"]["result_review"].replace("{score}", "100"), result
    finish(page, site)
    sts = ordered(lrs, site, reg)
    v = verbs(sts)
    assert v[0] == "initialized" and v[-1] == "terminated"
    assert not {"passed", "failed", "completed"} & set(v)
    assert v.count("answered") == 4
    assert validate_statements(sts) == []
    assert not conformant(site, reg)  # nothing refused, and no verdict: not satisfied


def test_a_reload_keeps_the_token_and_stays_tracked(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, session = lms_launch(site)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", stop_at="quiz")
    settle(page, site)
    page.reload()  # the fetch URL would now answer its error JSON
    player = Player(page, page.main_frame)
    assert player.notice() != player.data()["ui"]["not_saved"]
    page.click("#resume-yes")
    player.play("frontdesk", correct=True)
    finish(page, site)
    assert site.fetches == 1
    sts = ordered(lrs, site, reg)
    assert verbs(sts).count("passed") == 1 and verbs(sts)[-1] == "terminated"
    assert all(s["context"]["extensions"][V.session_extension] == session for s in sts)
    assert page.js_errors == []


def test_a_fetch_url_answering_its_error_json_shows_a_notice(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    site.fetch_error = True  # e.g. the launch link was opened a second time
    url, reg, _ = lms_launch(site)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    player = Player(page, page.main_frame)
    assert player.notice() == player.data()["ui"]["not_saved"]
    assert any("already fetched" in e for e in errors)  # the LMS's error-text, for support
    player.play("frontdesk", stop_at="page:signals-guests")  # the course still works
    close(page)
    assert site.log == [] and mine(lrs, reg) == []
    assert page.js_errors == []


def test_a_reload_after_the_error_json_does_not_ask_the_fetch_url_again(lrs, xapi_site, page,
                                                                        mini_dist):
    """The AU keeps the error JSON like the all-languages launcher does (one snippet for both):
    a second POST would only get the same error."""
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    site.fetch_error = True
    url, reg, _ = lms_launch(site)
    page.goto(url)
    Player(page, page.main_frame)
    page.reload()
    player = Player(page, page.main_frame)
    assert player.notice() == player.data()["ui"]["not_saved"]
    assert site.fetches == 1
    close(page)
    assert site.log == [] and mine(lrs, reg) == []


def test_the_launcher_and_the_au_keep_the_token_with_the_same_code(mini_dist):
    """cmi5_token.js is joined into the AU's runtime.js and inlined into the launcher page: the
    sessionStorage key is written nowhere else, so the two cannot drift apart."""
    import rjsmin

    from builder.render import runtime_file

    snippet = runtime_file("cmi5_token.js")
    assert snippet.count(b'"noroom.cmi5.token."') == 1
    with zipfile.ZipFile(mini_dist / "mini_mul_cmi5.zip") as zf:
        launcher, runtime = zf.read("index.html"), zf.read("runtime.js")
    single = zipfile.ZipFile(mini_dist / "mini_en_cmi5.zip").read("runtime.js")
    # Packages carry the runtime minified (issue 16's budget): the same code without comments.
    shipped = rjsmin.jsmin(snippet).strip()
    for script, code in ((launcher, snippet), (runtime, shipped), (single, shipped)):
        assert code in script
        assert script.count(b"noroom.cmi5.token.") == code.count(b"noroom.cmi5.token.")


def test_exit_goes_to_the_return_url_after_terminated(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    back = site.url + "/lms/returned?course=1"
    url, reg, _ = lms_launch(site, return_url=back)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    page.click("#finish")
    page.wait_for_url(back, timeout=10000)
    # The LMS had the bookmark before terminated, and terminated before the learner left.
    assert verbs(ordered(lrs, site, reg))[-1] == "terminated"
    assert conformant(site, reg)


@pytest.mark.parametrize("scheme", ["javascript:window.hit=1", "data:text/html,<p>x</p>"])
def test_a_return_url_that_is_not_http_is_not_followed(lrs, xapi_site, page, mini_dist, scheme):
    """Issue 12 item 7: a javascript: returnURL would run in the package's origin."""
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, return_url=scheme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    finish(page, site)
    page.wait_for_timeout(1500)
    assert page.url == url and page.evaluate("window.hit") is None
    assert any("returnURL is not http(s)" in e for e in errors)
    assert verbs(ordered(lrs, site, reg))[-1] == "terminated"


def test_cmi5_xml_is_valid_against_the_schema(mini_dist):
    schema = cmi5_schema()
    for lang in ("nl", "en"):
        path = mini_dist / f"mini_{lang}_cmi5.zip"
        root = etree.fromstring(zipfile.ZipFile(path).read("cmi5.xml"))
        assert schema.validate(root), schema.error_log
        (au,) = root.iter("{*}au")
        assert au.get("id") == V.course_iri and au.get("moveOn") == "CompletedAndPassed"
        assert float(au.get("masteryScore")) == 0.8
        assert check_package(path).ok


def test_check_validates_cmi5_without_the_official_schema(mini_dist, tmp_path):
    """A copy of the code with no ../shared/ beside it, run as `noroom check` in its own process:
    the project's own cmi5 rules still check every package, and a broken one is still caught
    (issue 15: a missing official XSD never stops a check)."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "alone" / "project"
    for package in ("builder", "noroom"):
        shutil.copytree(root / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    good = mini_dist / "mini_en_cmi5.zip"
    xml = zipfile.ZipFile(good).read("cmi5.xml").replace(b' moveOn="CompletedAndPassed"',
                                                          b' moveOn="Whenever"')
    bad = rezip(good, tmp_path / "bad.zip", {"cmi5.xml": xml})
    every = sorted(str(p) for p in mini_dist.glob("*.zip"))
    code = f"from noroom.cli import cli; cli(['check', *{every!r}, {str(bad)!r}])"
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(project)})
    assert not (tmp_path / "alone" / "shared").exists()
    assert f"{good}: ok (cmi5)" in result.stdout, result.stderr
    formats = {line.rsplit("(", 1)[-1].rstrip(")") for line in result.stdout.splitlines()}
    assert formats == {"scorm12", "scorm2004", "xapi", "cmi5", "web"}
    assert result.stdout.count(": ok (") == len(every)
    assert result.returncode == 1
    assert f"{bad}: cmi5.xml:7: moveOn 'Whenever' must be one of Passed," in result.stderr
    assert "Traceback" not in result.stderr



def rezip(src: Path, dest: Path, replace: dict[str, bytes | None]) -> Path:
    """A copy of a package with members replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name not in replace:
                zout.writestr(name, zin.read(name))
        for name, data in replace.items():
            if data is not None:
                zout.writestr(name, data)
    return dest


def test_check_reports_a_cmi5_xml_that_breaks_the_schema(mini_dist, tmp_path):
    src = mini_dist / "mini_en_cmi5.zip"
    xml = zipfile.ZipFile(src).read("cmi5.xml").replace(b' moveOn="CompletedAndPassed"',
                                                         b' moveOn="Whenever"')
    report = check_package(rezip(src, tmp_path / "bad.zip", {"cmi5.xml": xml}))
    assert not report.ok and report.format == "cmi5"
    own, official = (str(p) for p in report.problems)
    assert own.startswith("cmi5.xml:7: moveOn 'Whenever' must be one of Passed, Completed")
    assert official.startswith("cmi5.xml:7: does not match the official schema: ")
    assert "moveOn" in official and "Whenever" in official


def test_check_reports_an_au_url_missing_from_the_zip(mini_dist, tmp_path):
    from click.testing import CliRunner

    from noroom.cli import cli

    bad = rezip(mini_dist / "mini_en_cmi5.zip", tmp_path / "bad.zip", {"index.html": None})
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: cmi5.xml:10: AU url 'index.html' is not in the zip" in result.output


# -- the all-languages package (<id>_mul_cmi5.zip) ---------------------------------------------

@pytest.fixture(scope="module")
def mul_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course's all-languages cmi5 package (seven languages)."""
    out = tmp_path_factory.mktemp("mul-dist")
    built = build(COURSE_SRC, out, formats=["cmi5"])
    (mul,) = [b for b in built if b.language == "mul"]
    assert mul.format == "cmi5" and mul.path.name == f"{REAL_ID}_mul_cmi5.zip"
    return mul.path


def mul_launch(site, preference: str | None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The LMS's launch URL of the launcher, with cmi5LearnerPreferences set (None: absent)."""
    url, reg, _ = lms_launch(site, prefs=preference)
    return url, reg


def landed(page, lang: str) -> Player:  # type: ignore[no-untyped-def]
    """The language page the launcher replaced itself with, launch parameters kept."""
    page.wait_for_url(f"**/pkg/{lang}/index.html?*", timeout=20000)
    assert "fetch=" in page.url and "registration=" in page.url
    return Player(page, page.main_frame)


def chooser(page):  # type: ignore[no-untyped-def]
    page.wait_for_selector("#chooser", state="visible", timeout=20000)
    return page.locator("#chooser a")


def test_the_learner_preference_opens_that_language_tracked_end_to_end(lrs, xapi_site, page,
                                                                       mul_package):
    site = xapi_site(mul_package)
    url, reg = mul_launch(site, "pl-PL,en")  # first preference with a built language wins
    page.goto(url)
    player = landed(page, "pl")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert player.data()["lang"] == "pl" and player.notice() == ""
    player.play("frontdesk", correct=True)
    finish(page, site)
    assert site.fetches == 1  # the launcher's token, reused by the page
    (session,) = site.lms.sessions.values()
    # The launcher reads the preferences, and the page again: both before any statement.
    assert len(site.profile_reads) == 2
    for profile, agent, auth in site.profile_reads:
        assert (profile, json.loads(agent), auth) == ("cmi5LearnerPreferences", ACTOR,
                                                      token_of(site, session.id))
    assert conformant(site, reg)
    sts = ordered(lrs, site, reg)
    v = verbs(sts)
    assert v[0] == "initialized" and v[-1] == "terminated" and v.count("passed") == 1
    assert {s["context"]["language"] for s in sts} == {"pl"}
    assert all(s["object"]["id"].startswith(V.course_iri) for s in sts)
    assert validate_statements(sts) == []
    assert page.js_errors == []


def test_a_preference_for_a_language_not_built_lets_the_learner_choose(lrs, xapi_site, page,
                                                                       mul_package):
    site = xapi_site(mul_package)
    url, reg = mul_launch(site, "de-DE")
    page.goto(url)
    links = chooser(page)
    assert links.count() == len(REAL_LANGUAGES)
    assert page.locator("#notice").is_hidden()
    hungarian = page.get_by_role("link", name="Magyar")
    assert hungarian.get_attribute("lang") == "hu"
    hungarian.click()
    player = landed(page, "hu")
    player.play("frontdesk", stop_at="quiz")
    settle(page, site)
    assert site.fetches == 1
    sts = ordered(lrs, site, reg)
    assert verbs(sts)[0] == "initialized" and "experienced" in verbs(sts)
    assert {s["context"]["language"] for s in sts} == {"hu"}
    assert page.js_errors == []


def test_no_learner_preferences_show_an_accessible_chooser(lrs, xapi_site, browser, mul_package):
    site = xapi_site(mul_package)
    url, _ = mul_launch(site, None)  # the LMS wrote no cmi5LearnerPreferences: a 404
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(url)
        links = chooser(page)
        names = {links.nth(i).get_attribute("lang"): links.nth(i).inner_text().split("\n")[0]
                 for i in range(links.count())}
        assert len(names) == len(REAL_LANGUAGES)
        assert names["pl"] == "Polski" and names["nl"] == "Nederlands"  # each named in itself
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert run_axe(page.main_frame) == []
        assert site.fetches == 1 and len(site.profile_reads) == 1
    finally:
        context.close()


def test_a_token_error_shows_the_notice_and_the_page_asks_no_second_time(lrs, xapi_site, page,
                                                                         mul_package):
    site = xapi_site(mul_package)
    site.fetch_error = True
    url, reg = mul_launch(site, "pl-PL")
    page.goto(url)
    chooser(page)
    notice = page.locator("#notice")
    lang = notice.get_attribute("lang")  # the browser's language if built, else the first
    assert notice.is_visible() and lang in REAL_LANGUAGES
    assert notice.inner_text() == load_source(COURSE_SRC).course(lang).ui["not_saved"]
    assert site.profile_reads == []  # no token, nothing to read it with
    page.get_by_role("link", name="Polski").click()
    player = landed(page, "pl")
    assert player.notice() == player.data()["ui"]["not_saved"]
    player.play("frontdesk", stop_at="page:signals-guests")  # the course still works, untracked
    close(page)
    assert site.fetches == 1 and site.log == [] and mine(lrs, reg) == []
    assert page.js_errors == []


def test_the_mul_cmi5_xml_has_one_au_in_every_language(mul_package):
    from click.testing import CliRunner

    from noroom.cli import cli

    schema = cmi5_schema()
    with zipfile.ZipFile(mul_package) as zf:
        root = etree.fromstring(zf.read("cmi5.xml"))
        names = set(zf.namelist())
    assert schema.validate(root), schema.error_log
    (course,) = root.iter("{*}course")
    (au,) = root.iter("{*}au")
    assert course.get("id") == V.course_iri + "/cmi5" and au.get("id") == V.course_iri
    assert au.findtext("{*}url") == "index.html"
    for element in (course, au):
        for part in ("title", "description"):
            langs = [ls.get("lang") for ls in element.find(f"{{*}}{part}")]
            assert langs == list(REAL_LANGUAGES)
    assert {f"{lang}/index.html" for lang in REAL_LANGUAGES} < names
    assert "runtime.js" in names and not any(n.endswith("/runtime.js") for n in names)
    result = CliRunner().invoke(cli, ["check", str(mul_package)])
    assert result.exit_code == 0 and "ok (cmi5)" in result.output, result.output


def test_check_reports_a_language_page_missing_from_the_mul_package(mul_package, tmp_path):
    report = check_package(rezip(mul_package, tmp_path / "bad.zip", {"hu/index.html": None}))
    assert not report.ok and report.format == "cmi5"
    (problem,) = report.problems
    assert str(problem).startswith("index.html:") and "links to hu/index.html, which is not " \
        "in the zip" in str(problem)


def test_a_build_of_one_language_makes_no_mul_package(tmp_path):
    built = build(COURSE_SRC, tmp_path, ["pl"], ["cmi5"])
    assert [b.path.name for b in built] == [f"{REAL_ID}_pl_cmi5.zip"]


def test_a_branded_mul_package_loads_its_shared_assets_from_every_language_page(xapi_site, page,
                                                                                tmp_path):
    from click.testing import CliRunner

    from noroom.cli import cli
    from tests.builder.test_translation import brand

    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--source", str(FIXTURES / "minimal"), "--brand",
                                      str(brand(tmp_path)), "--format", "cmi5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = [line.split() for line in result.output.splitlines() if "mini_mul_cmi5" in line]
    assert row[:3] == [str(out / "mini_mul_cmi5.zip"), "cmi5", "mul"]
    mul = out / "mini_mul_cmi5.zip"
    assert check_package(mul).ok, [str(p) for p in check_package(mul).problems]
    site = xapi_site(mul)
    for lang in ("nl", "en"):
        page.goto(f"{site.url}/pkg/{lang}/index.html")  # not launched: untracked, still works
        Player(page, page.main_frame)
        assert page.evaluate("(i => i.decode().then(() => i.naturalWidth, () => 0))"
                             "(document.querySelector('.logo'))") > 0  # ../brand/logo.svg
        assert page.evaluate("getComputedStyle(document.querySelector('.top')).backgroundColor"
                             ) == "rgb(11, 79, 108)"  # runtime.css with the brand's #0b4f6c
    # The launcher shares the pages' head (pages/_head.html): the same brand colours, and its
    # own chooser styles on top of them.
    page.goto(f"{site.url}/pkg/index.html")  # not launched: the chooser
    links = chooser(page)
    assert page.evaluate("getComputedStyle(document.querySelector('.top')).backgroundColor"
                         ) == "rgb(11, 79, 108)"
    assert links.first.evaluate("a => getComputedStyle(a).color") == "rgb(11, 79, 108)"
    assert page.title() == load_source(FIXTURES / "minimal").course("nl").title
    assert run_axe(page.main_frame) == []
    assert page.js_errors == []


def test_a_verdict_not_delivered_before_the_tab_closed_goes_out_in_the_next_session(
        lrs, xapi_site, page, mini_dist):
    """The bookmark (which reached the LMS) says the learner passed, but passed and completed
    never did: the LMS abandons that session and refuses its statements, so the next session
    sends them again when the result is shown."""
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, first = lms_launch(site, prefs="en")
    site.refuse, site.refuse_status = (lambda s: verb_of(s) in ("passed", "completed")), 503
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    wait_until(lambda: any(code == 503 for code, _ in site.log))
    # done (the bookmark's 9th field; the practice choices follow it), in the LMS
    wait_until(lambda: any(str(v).split("~")[8:9] == ["1"] for v in site.state.values()))
    close(page)
    site.refuse = None
    again, _, second = lms_launch(site, reg=reg, prefs="en")
    page.goto(again)
    player = Player(page, page.main_frame)
    page.click("#resume-yes")
    assert player.step() == "result"
    finish(page, site)
    v = [verb_of(s) for s in ordered(lrs, site, reg)
         if s["context"]["extensions"][V.session_extension] == second]
    assert v.count("passed") == 1 and v.count("completed") == 1
    assert conformant(site, reg) and not refused_notice(player)


def test_statements_left_by_an_abandoned_session_are_dropped_without_a_request(
        lrs, xapi_site, page, mini_dist):
    """The LMS abandons a session left open when the next launch begins and refuses anything
    more of it (9.3.6.0-2): the queue it left in the browser is dropped (and recorded) without
    being sent, and without a notice."""
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, first = lms_launch(site, prefs="en")
    page.goto(url)
    player = Player(page, page.main_frame)
    player.play("frontdesk", stop_at="page:signals-rooms")
    settle(page, site)
    site.mode = "503"
    player.play("frontdesk", stop_at="quiz")
    close(page, site)
    site.mode = "up"
    again, _, second = lms_launch(site, reg=reg, prefs="en")
    page.goto(again)
    player = Player(page, page.main_frame)
    page.click("#resume-yes")
    player.play("frontdesk", correct=True)
    finish(page, site)
    assert site.lms.abandoned_refusals == []
    dropped = page.evaluate("k => JSON.parse(localStorage.getItem(k))", f"noroom.dropped.{reg}")
    assert dropped and all(f"abandoned session {first}" in d["reason"] for d in dropped)
    assert conformant(site, reg) and not refused_notice(player)
