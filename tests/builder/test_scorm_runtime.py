"""The SCORM packages in a real LMS runtime (scorm-again) in headless Chromium, over http."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.player import Player

pytestmark = pytest.mark.browser

VERSIONS = {"scorm12": "12", "scorm2004": "2004"}


def launch(lms_server: Any, page: Any, dist: Path, lang: str, fmt: str,
           preload: dict[str, Any] | None = None) -> tuple[Any, Player]:
    site = lms_server(dist / f"mini_{lang}_{fmt}.zip")
    if preload:
        site.preload(preload)
    page.goto(f"{site.url}/lms/host.html?v={VERSIONS[fmt]}")
    return site, Player(page)


def cmi(page: Any) -> dict[str, Any]:
    return page.evaluate("JSON.parse(JSON.stringify(window.LMS.cmi))")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_passing_learner_is_passed_with_score(lms_server, page, mini_dist, fmt, lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    player.play("frontdesk", correct=True)
    assert "100%" in player.frame.inner_text("#result-text")
    data = cmi(page)
    if fmt == "scorm12":
        assert data["core"]["lesson_status"] == "passed"
        assert data["core"]["score"]["raw"] == "100"
        assert data["core"]["exit"] == ""
    else:
        assert data["completion_status"] == "completed"
        assert data["success_status"] == "passed"
        assert float(data["score"]["scaled"]) == 1.0
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


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_first_launch_sets_incomplete_and_suspend(lms_server, page, mini_dist, fmt):
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    player.next()
    data = cmi(page)
    if fmt == "scorm12":
        assert (data["core"]["lesson_status"], data["core"]["exit"]) == ("incomplete", "suspend")
    else:
        assert (data["completion_status"], data["exit"]) == ("incomplete", "suspend")


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_failing_learner_is_failed_and_can_retry_to_pass(lms_server, page, mini_dist, fmt):
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    player.play("housekeeping", correct=False)
    data = cmi(page)
    if fmt == "scorm12":
        assert data["core"]["lesson_status"] == "failed"
        assert data["core"]["score"]["raw"] == "0"
        assert data["core"]["exit"] == "suspend"
    else:
        assert data["success_status"] == "failed"
        assert data["completion_status"] == "incomplete"
    assert player.frame.is_visible("#retry")
    player.frame.click("#retry")
    player.play("housekeeping", correct=True)
    data = cmi(page)
    status = data["core"]["lesson_status"] if fmt == "scorm12" else data["success_status"]
    assert status == "passed"
    interactions = data["interactions"]
    # Two attempts of four questions each, journaled with the result of each answer.
    assert len(interactions) == 8
    wrong = "wrong" if fmt == "scorm12" else "incorrect"
    assert [interactions[str(i)]["result"] for i in range(8)] == [wrong] * 4 + ["correct"] * 4
    if fmt == "scorm2004":
        assert all(0 < len(interactions[str(i)]["description"]) <= 250 for i in range(8))


def resume_preload(fmt: str, committed: dict[str, Any]) -> dict[str, Any]:
    """What an LMS hands the next session: the committed bookmark and suspend_data."""
    c = committed["cmi"]
    if fmt == "scorm12":
        return {"suspend_data": c["suspend_data"],
                "core": {"lesson_location": c["core"]["lesson_location"], "entry": "resume"}}
    return {"suspend_data": c["suspend_data"], "location": c["location"], "entry": "resume"}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
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


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_leaving_the_page_commits_and_finishes_once(lms_server, page, mini_dist, fmt):
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    player.play("frontdesk", stop_at="page:signals-rooms")
    commits_before = len(site.lms.commits)
    # Navigating the course frame away fires pagehide inside it.
    player.frame.evaluate("location.href = 'about:blank'")
    page.wait_for_function("window.calls.filter(c => c === 'LMSFinish' || c === 'Terminate')"
                           ".length === 1")
    assert len(site.lms.commits) > commits_before
    last = site.lms.last["cmi"]
    location = last["core"]["lesson_location"] if fmt == "scorm12" else last["location"]
    exit_ = last["core"]["exit"] if fmt == "scorm12" else last["exit"]
    assert location == "page:signals-rooms"
    assert exit_ == "suspend"


def test_commit_failure_is_retried_and_shown_to_the_learner(lms_server, page, mini_dist):
    site, player = launch(lms_server, page, mini_dist, "en", "scorm2004")
    site.lms.commit_mode = "fail"
    player.next()
    page.wait_for_timeout(300)
    assert "could not be saved" in player.notice()
    failures = site.lms.failures
    page.wait_for_timeout(1500)
    assert site.lms.failures > failures, "a failed commit was not retried"
    site.lms.commit_mode = "ok"
    page.wait_for_function("() => true")
    player.frame.wait_for_function(
        "document.getElementById('notice').textContent.indexOf('saved again') >= 0",
        timeout=10000)
    assert site.lms.commits


def test_without_an_lms_the_course_works_and_says_progress_is_not_saved(lms_server, page,
                                                                        mini_dist):
    site = lms_server(mini_dist / "mini_nl_scorm12.zip")
    page.goto(f"{site.url}/pkg/index.html")
    player = Player(page, page.main_frame)
    assert "niet opgeslagen" in player.notice()
    player.play("housekeeping", correct=True)
    assert "100%" in page.inner_text("#result-text")
    assert page.js_errors == []


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_worst_case_suspend_data_fits_scorm12_limit(lms_server, page, mini_dist, fmt):
    """Every page seen, every answer given, many retries, the longest hotel code."""
    site, player = launch(lms_server, page, mini_dist, "en", fmt)
    state = player.frame.evaluate("""() => {
        const s = NoroomRuntime.state();
        const d = JSON.parse(document.getElementById('noroom-data').textContent);
        s.role = d.roles.length - 1;
        d.pages.forEach(p => s.seen[p.id] = 1);
        d.questions.forEach(q => s.answers[q.id] = q.options.length - 1);
        s.att = 999999; s.seed = 2147483646; s.hotel = 'XX-' + 'X'.repeat(37); s.done = 1;
        return NoroomRuntime.encode();
    }""")
    assert len(state) <= 4096
    decoded = player.frame.evaluate("s => NoroomRuntime.decode(s)", state)
    assert decoded["att"] == 999999 and len(decoded["answers"]) == len(player.data()["questions"])
