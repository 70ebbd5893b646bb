"""The SCORM packages in a real LMS runtime (scorm-again) in headless Chromium, over http."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.build import build
from builder.course import load_source
from tests.support.browser import run_axe
from tests.support.player import Player

from .conftest import COURSE_SRC, course_with_options, real_package

pytestmark = pytest.mark.browser

VERSIONS = {"scorm12": "12", "scorm2004": "2004"}
BOTH = pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
LANGS = pytest.mark.parametrize("lang", ["nl", "en"])


def launch(lms_server: Any, page: Any, dist: Path, lang: str, fmt: str,
           preload: dict[str, Any] | None = None, package: Path | None = None
           ) -> tuple[Any, Player]:
    site = lms_server(package or dist / f"mini_{lang}_{fmt}.zip")
    if preload:
        site.preload(preload)
    page.goto(f"{site.url}/lms/host.html?v={VERSIONS[fmt]}")
    return site, Player(page)


def cmi(page: Any) -> dict[str, Any]:
    return page.evaluate("JSON.parse(JSON.stringify(window.LMS.cmi))")


def wait_until(page: Any, condition: Callable[[], bool], what: str, seconds: float = 15) -> None:
    """Poll a condition on the test's side (the LMS server's records) while the page runs."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def status(data: dict[str, Any], fmt: str) -> tuple[str, ...]:
    """1.2: (lesson_status,); 2004: (completion_status, success_status)."""
    if fmt == "scorm12":
        return (data["core"]["lesson_status"],)
    return (data["completion_status"], data["success_status"])


def question_steps(player: Player) -> list[str]:
    return [s[2:] for s in player.frame.evaluate("NoroomRuntime.steps()") if s.startswith("q:")]


@LANGS
@BOTH
def test_passing_learner_is_passed_with_score(lms_server, page, mini_dist, fmt, lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    chosen = player.play("frontdesk", correct=True)
    assert "100%" in player.frame.inner_text("#result-text")
    data = cmi(page)
    if fmt == "scorm12":
        assert status(data, fmt) == ("passed",)
        assert data["core"]["score"] == {"raw": "100", "min": "0", "max": "100"}
        assert data["core"]["exit"] == ""
    else:
        assert status(data, fmt) == ("completed", "passed")
        assert {k: float(data["score"][k]) for k in ("scaled", "raw", "min", "max")} == \
            {"scaled": 1.0, "raw": 100.0, "min": 0.0, "max": 100.0}
    # One interaction per question: id (question + attempt), type choice, the answer, result.
    qids = question_steps(player)
    response = "student_response" if fmt == "scorm12" else "learner_response"
    journal = [data["interactions"][str(i)] for i in range(len(data["interactions"]))]
    assert [(i["id"], i["type"], i[response], i["result"]) for i in journal] == \
        [(f"{q}-1", "choice", c, "correct") for q, c in zip(qids, chosen, strict=True)]
    assert site.lms.commits, "the runtime never committed to the LMS"
    player.frame.click("#finish")
    page.wait_for_function("['LMSFinish', 'Terminate'].some(c => window.calls.includes(c))")
    last = site.lms.last["cmi"]
    if fmt == "scorm12":
        assert last["core"]["exit"] == ""
        assert re.fullmatch(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?", last["core"]["session_time"])
    else:
        assert last["exit"] == "normal"
        assert re.fullmatch(r"PT\d+H\d+M[\d.]+S", last["session_time"])
    assert page.js_errors == []


@BOTH
def test_first_launch_sets_incomplete_and_suspend(lms_server, page, mini_dist, fmt):
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    player.next()
    data = cmi(page)
    if fmt == "scorm12":
        assert (data["core"]["lesson_status"], data["core"]["exit"]) == ("incomplete", "suspend")
    else:
        assert (data["completion_status"], data["exit"]) == ("incomplete", "suspend")


@LANGS
@BOTH
def test_failing_learner_is_failed_and_can_retry_to_pass(lms_server, page, mini_dist, fmt,
                                                         lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    wrong_choices = player.play("housekeeping", correct=False)
    data = cmi(page)
    if fmt == "scorm12":
        assert status(data, fmt) == ("failed",)
        assert data["core"]["score"] == {"raw": "0", "min": "0", "max": "100"}
        assert data["core"]["exit"] == "suspend"
    else:
        assert status(data, fmt) == ("incomplete", "failed")
        assert (float(data["score"]["raw"]), float(data["score"]["scaled"])) == (0.0, 0.0)
    assert player.frame.is_visible("#retry")
    # Issue 16: Back leads to the answered questions to read again; they stay locked, so the
    # way past the quiz is still only the retake.
    player.back()
    assert player.step().startswith("q:") and player.frame.is_disabled(".step.current input")
    player.next()
    assert player.step() == "result" and len(cmi(page)["interactions"]) == len(wrong_choices)
    player.frame.click("#retry")
    right_choices = player.play("housekeeping", correct=True)
    data = cmi(page)
    assert status(data, fmt) == (("passed",) if fmt == "scorm12" else ("completed", "passed"))
    qids = question_steps(player)
    # Two attempts of four questions each, journaled with the result of each answer.
    wrong = "wrong" if fmt == "scorm12" else "incorrect"
    response = "student_response" if fmt == "scorm12" else "learner_response"
    journal = [data["interactions"][str(i)] for i in range(len(data["interactions"]))]
    assert [(i["id"], i["type"], i[response], i["result"]) for i in journal] == \
        [(f"{q}-1", "choice", c, wrong) for q, c in zip(qids, wrong_choices, strict=True)] + \
        [(f"{q}-2", "choice", c, "correct") for q, c in zip(qids, right_choices, strict=True)]
    if fmt == "scorm2004":
        assert all(0 < len(i["description"]) <= 250 for i in journal)


@BOTH
def test_passed_quiz_with_a_page_unseen_names_the_page_and_completes_once_it_is_read(
        lms_server, page, course_dist, fmt):
    """Completion needs every page seen and the quiz passed: 1.2 stays 'incomplete' (not
    'passed') and 2004 'incomplete' + 'passed' while a page is unseen. The result says so and
    names the page with a button (keyboard: Enter) that opens it; seeing it completes the course
    at once, and the result then reads as passed."""
    site, player = launch(lms_server, page, course_dist, "en", fmt,
                          package=real_package(course_dist, "en", fmt))
    ui, unseen = player.data()["ui"], "signals-rooms"
    (title,) = [p.title for p in load_source(COURSE_SRC).course("en").pages if p.id == unseen]
    player.play("frontdesk", stop_at="quiz")
    # As after a resume from a bookmark that lacks the page (e.g. a page added in a new version).
    player.frame.evaluate(f"delete NoroomRuntime.state().seen[{unseen!r}]")
    player.play("frontdesk", correct=True)
    data = cmi(page)
    if fmt == "scorm12":
        assert status(data, fmt) == ("incomplete",)
        assert (data["core"]["score"]["raw"], data["core"]["exit"]) == ("100", "suspend")
    else:
        assert status(data, fmt) == ("incomplete", "passed")
        assert data["exit"] == "suspend"
    assert player.frame.inner_text("#result-text") == ui["result_unseen"].replace("{score}",
                                                                                  "100")
    buttons = player.frame.locator("#unseen button")
    assert buttons.all_inner_texts() == [title]
    assert player.frame.is_hidden("#retry") and player.frame.is_enabled("#back")
    assert run_axe(player.frame) == []
    page.screenshot(path=f"/tmp/noroom-result-unseen-{fmt}.png", full_page=True)
    buttons.press("Enter")
    player.frame.wait_for_function("s => document.querySelector('.step.current').dataset.step "
                                   "=== s", arg=f"page:{unseen}")
    assert player.frame.evaluate("document.activeElement.id") == f"h-{unseen}"
    # Seen now: complete at once, before the learner walks back to the result.
    data = cmi(page)
    assert status(data, fmt) == (("passed",) if fmt == "scorm12" else ("completed", "passed"))
    assert (data["core"]["exit"] if fmt == "scorm12" else data["exit"]) == \
        ("" if fmt == "scorm12" else "normal")
    player.play("frontdesk", correct=True)
    assert player.frame.inner_text("#result-text") == ui["result_passed"].replace("{score}",
                                                                                  "100")
    assert player.frame.is_hidden("#unseen") and player.frame.is_disabled("#back")
    assert status(cmi(page), fmt) == (("passed",) if fmt == "scorm12"
                                      else ("completed", "passed"))
    assert page.js_errors == []


def resume_preload(fmt: str, committed: dict[str, Any]) -> dict[str, Any]:
    """What an LMS hands the next session: the committed bookmark and suspend_data."""
    c = committed["cmi"]
    if fmt == "scorm12":
        return {"suspend_data": c["suspend_data"],
                "core": {"lesson_location": c["core"]["lesson_location"], "entry": "resume"}}
    return {"suspend_data": c["suspend_data"], "location": c["location"], "entry": "resume"}


@LANGS
@BOTH
def test_resume_returns_to_same_step_with_same_answers(lms_server, page, browser, mini_dist,
                                                       fmt, lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    player.play("frontdesk", stop_at="q:q-manager")
    answers_before = player.state()["answers"]
    order_before = player.frame.eval_on_selector_all(
        '[data-step="q:q-picture"] .opt input', "els => els.map(e => e.value)")
    committed = site.lms.last
    page.close()

    page2 = browser.new_page()
    site.preload(resume_preload(fmt, committed))
    page2.goto(f"{site.url}/lms/host.html?v={VERSIONS[fmt]}")
    player2 = Player(page2)
    assert player2.frame.is_visible("#resume-yes")
    player2.frame.click("#resume-yes")
    assert player2.step() == "q:q-manager"
    assert player2.state()["answers"] == answers_before
    # The shuffled answer order is the same after resuming.
    order_after = player2.frame.eval_on_selector_all(
        '[data-step="q:q-picture"] .opt input', "els => els.map(e => e.value)")
    assert order_after == order_before
    player2.play("frontdesk", correct=True)
    data = cmi(page2)
    status = data["core"]["lesson_status"] if fmt == "scorm12" else data["success_status"]
    assert status == "passed"
    page2.close()


def test_an_answer_past_the_tenth_option_survives_resume(lms_server, page, browser, tmp_path):
    """Each answer is one base-36 character: option 12 of 12 must not shift the others."""
    dist = tmp_path / "dist"
    build(course_with_options(tmp_path / "course", 12), dist, ["en"], ["scorm12"])
    site, player = launch(lms_server, page, dist, "en", "scorm12",
                          package=dist / "mini_en_scorm12.zip")
    player.play("frontdesk", stop_at="q:q-picture")
    player.answer("l")  # the twelfth option: index 11
    player.next()
    player.play("frontdesk", stop_at="q:q-manager")
    answers = player.state()["answers"]
    assert answers["q-picture"] == 11 and len(answers) == 2
    committed = site.lms.last
    page.close()
    page2 = browser.new_page()
    site.preload(resume_preload("scorm12", committed))
    page2.goto(f"{site.url}/lms/host.html?v=12")
    player2 = Player(page2)
    player2.frame.click("#resume-yes")
    assert player2.step() == "q:q-manager"
    assert player2.state()["answers"] == answers
    page2.close()


@LANGS
@BOTH
def test_leaving_the_page_commits_and_finishes_once(lms_server, page, mini_dist, fmt, lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    player.play("frontdesk", stop_at="page:signals-rooms")
    commits_before = len(site.lms.commits)
    # Navigating the course frame away fires pagehide inside it.
    player.frame.evaluate("location.href = 'about:blank'")
    page.wait_for_function("window.calls.filter(c => c === 'LMSFinish' || c === 'Terminate')"
                           ".length === 1")
    # scorm-again sends the commit of LMSFinish/Terminate as a beacon: it may arrive a bit later.
    wait_until(page, lambda: len(site.lms.commits) > commits_before, "the final commit")
    last = site.lms.last["cmi"]
    location = last["core"]["lesson_location"] if fmt == "scorm12" else last["location"]
    exit_ = last["core"]["exit"] if fmt == "scorm12" else last["exit"]
    assert location == "page:signals-rooms"
    assert exit_ == "suspend"


HIDE = """() => {
    Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
    document.dispatchEvent(new Event('visibilitychange'));
}"""


@BOTH
def test_hiding_the_page_commits_without_finishing(lms_server, page, mini_dist, fmt):
    """visibilitychange to hidden alone (a phone switching apps, no pagehide) commits."""
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    player.play("frontdesk", stop_at="page:signals-rooms")
    commit = "LMSCommit" if fmt == "scorm12" else "Commit"
    before = page.evaluate(f"window.calls.filter(c => c === {commit!r}).length")
    player.frame.evaluate(HIDE)
    page.wait_for_function(f"window.calls.filter(c => c === {commit!r}).length > {before}")
    assert not any(c in ("LMSFinish", "Terminate") for c in page.evaluate("window.calls"))


@BOTH
def test_package_opened_in_a_popup_finds_the_api_through_window_opener(lms_server, page,
                                                                      mini_dist, fmt):
    """Some LMSs launch the SCO in a new window: the API is on window.opener, not a parent."""
    site = lms_server(mini_dist / f"mini_en_{fmt}.zip")
    page.goto(f"{site.url}/lms/host.html?v={VERSIONS[fmt]}&pkg=about:blank")
    with page.expect_popup() as popup_info:
        page.evaluate("window.open('/pkg/index.html', 'sco')")
    popup = popup_info.value
    player = Player(popup, popup.main_frame)
    init = "LMSInitialize" if fmt == "scorm12" else "Initialize"
    page.wait_for_function(f"window.calls.includes({init!r})")
    player.next()
    assert player.notice() == ""  # not the "progress is not saved" notice
    wait_until(page, lambda: bool(site.lms.commits), "a commit from the popup")
    location = cmi(page)["core"]["lesson_location"] if fmt == "scorm12" else \
        cmi(page)["location"]
    assert location == player.step()


@LANGS
@BOTH
def test_commit_failure_is_retried_and_shown_to_the_learner(lms_server, page, mini_dist, fmt,
                                                            lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    ui = player.data()["ui"]
    site.lms.commit_mode = "fail"
    player.next()
    player.frame.wait_for_function("t => document.getElementById('notice').textContent === t",
                                   arg=ui["save_failed"])
    assert player.notice() == ui["save_failed"]
    failures = site.lms.failures
    wait_until(page, lambda: site.lms.failures > failures, "the failed commit to be retried")
    site.lms.commit_mode = "ok"
    player.frame.wait_for_function("t => document.getElementById('notice').textContent === t",
                                   arg=ui["save_restored"], timeout=15000)
    assert site.lms.commits
    assert page.js_errors == []


def test_without_an_lms_the_course_works_and_says_progress_is_not_saved(lms_server, page,
                                                                        mini_dist):
    site = lms_server(mini_dist / "mini_nl_scorm12.zip")
    page.goto(f"{site.url}/pkg/index.html")
    player = Player(page, page.main_frame)
    assert "niet opgeslagen" in player.notice()
    player.play("housekeeping", correct=True)
    assert "100%" in page.inner_text("#result-text")
    assert page.js_errors == []


WORST_CASE = """() => {
    const s = NoroomRuntime.state();
    const d = JSON.parse(document.getElementById('noroom-data').textContent);
    s.role = d.roles.length - 1;
    d.pages.forEach(p => s.seen[p.id] = 1);
    d.questions.forEach(q => s.answers[q.id] = q.options.length - 1);
    d.choices.forEach(c => s.picks[c.id] = c.options.length - 1);
    s.att = 999999; s.seed = 2147483646; s.hotel = 'XX-' + 'X'.repeat(37);
    return {seen: Object.keys(s.seen).length, answers: Object.assign({}, s.answers),
            picks: Object.assign({}, s.picks)};
}"""


@LANGS
def test_worst_case_suspend_data_of_the_real_course_fits_scorm12(lms_server, page, browser,
                                                                 course_dist, lang):
    """The real course in scorm-again's 1.2 API: after a failed attempt, every page of every
    role seen, every question answered and every practice choice made with its last option, a
    million retries and the longest hotel code; the LMS's cmi.suspend_data is <= 4096 and
    resumes to the same state."""
    site, player = launch(lms_server, page, course_dist, lang, "scorm12",
                          package=real_package(course_dist, lang, "scorm12"))
    player.play("bar", correct=False)
    worst = player.frame.evaluate(WORST_CASE)
    assert worst["seen"] == len(player.data()["pages"])
    player.frame.evaluate(HIDE)  # the page being hidden saves the (now worst-case) state
    suspend = page.evaluate("window.API.LMSGetValue('cmi.suspend_data')")
    assert 0 < len(suspend) <= 4096
    site.preload({"suspend_data": suspend, "core": {"entry": "resume"}})
    page2 = browser.new_page()
    page2.goto(f"{site.url}/lms/host.html?v=12")
    player2 = Player(page2)
    player2.frame.click("#resume-yes")
    state = player2.state()
    assert (state["att"], state["hotel"], state["answers"]) == \
        (999999, "XX-" + "X" * 37, worst["answers"])
    assert len(state["seen"]) == worst["seen"]
    assert state["picks"] == worst["picks"] and len(worst["picks"]) == len(player.data()["choices"])
    page2.close()
