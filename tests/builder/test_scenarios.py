"""'What would you do?' on the scenario pages and the checks between modules (issue 16 §1), in
the real course: the model answer waits for a choice, right and wrong feedback differ beyond
colour, the choice survives a SCORM 1.2 resume, nothing of it reaches an LMS, an LRS or the
reporter's counts, and every choice state passes axe and fits 320 px in every language."""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from builder.build import build
from builder.course import load_source
from lrs_reporter.certify import Options, certify
from lrs_reporter.facts import FactBuilder
from lrs_reporter.files import ROSTER_COLUMNS
from tests.support.browser import run_axe
from tests.support.player import Player
from tests.support.xapi_site import validate_statements

from .conftest import COURSE_SRC, REAL_LANGUAGES, real_package
from .test_accessibility import OVERFLOW
from .test_scorm_runtime import HIDE
from .test_xapi import launch_url, mine, settle, verb

pytestmark = pytest.mark.browser
SOURCE = load_source(COURSE_SRC)
HOTEL = "NL-AMS-0042"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario-dist")
    build(COURSE_SRC, out, formats=("scorm12", "xapi"))
    return out


def scorm12(lms_server: Any, page: Any, dist: Path, lang: str = "en") -> tuple[Any, Player]:
    site = lms_server(real_package(dist, lang, "scorm12"))
    page.goto(f"{site.url}/lms/host.html?v=12")
    return site, Player(page)


def best(player: Player) -> str:
    """The current step's best option, read from its feedback (the runtime data has none)."""
    return player.frame.get_attribute(".step.current .practice-fb.right", "data-option")


def a_wrong(player: Player) -> str:
    return player.frame.get_attribute(".step.current .practice-fb.wrong", "data-option")


def visible(player: Player, selector: str) -> bool:
    return player.frame.is_visible(f".step.current {selector}")


def test_model_answer_appears_only_after_a_choice_and_next_first_gives_a_hint(
        lms_server, page, dist):
    site, player = scorm12(lms_server, page, dist)
    player.play("frontdesk", stop_at="page:frontdesk-scenario")
    assert visible(player, ".practice h2") and not visible(player, ".model")
    assert not visible(player, ".practice-hint")
    player.frame.click("#next")  # before a choice: stay, say why, focus the first option
    assert player.step() == "page:frontdesk-scenario"
    assert visible(player, ".practice-hint") and not visible(player, ".model")
    assert player.frame.evaluate("document.activeElement.matches('.step.current .pick')")
    player.choose(a_wrong(player))
    assert visible(player, ".model") and not visible(player, ".practice-hint")
    assert "### " not in player.frame.inner_text(".step.current .model")
    model = SOURCE.texts["en"].strings["pages.frontdesk-scenario.body"].split("### ", 1)[1]
    assert player.frame.inner_text(".step.current .model h2") == model.split("\n", 1)[0]
    player.next()  # a choice made: Next moves on
    assert player.step() == "page:what-to-do"
    assert page.js_errors == []


def feedback_look(player: Player) -> dict[str, str]:
    return player.frame.eval_on_selector(".step.current .practice-fb:not([hidden])", """f => ({
        verdict: f.querySelector('strong').textContent, mark: f.querySelector('.pmark').textContent,
        border: getComputedStyle(f).borderTopStyle})""")


def test_right_and_wrong_feedback_differ_beyond_colour(lms_server, page, dist):
    site, player = scorm12(lms_server, page, dist)
    player.play("bar", stop_at="check:understand")
    player.choose(best(player))
    right = feedback_look(player)
    assert visible(player, '.pick[aria-pressed="true"] .best-tag')
    player.next()
    player.play("bar", stop_at="check:signals")
    wrong_option = a_wrong(player)
    player.choose(wrong_option)
    wrong = feedback_look(player)
    words = SOURCE.texts["en"].strings
    assert right["verdict"] == words["practice.right"]
    assert wrong["verdict"] == words["practice.wrong"]
    assert right["mark"] != wrong["mark"] and right["border"] != wrong["border"]
    # After a wrong choice the best option is named, in words.
    assert visible(player, f'.pick[data-option="{best(player)}"] .best-tag')
    assert not visible(player, f'.pick[data-option="{wrong_option}"] .best-tag')


def practice_view(player: Player) -> dict[str, Any]:
    return player.frame.eval_on_selector(".step.current .practice", """b => ({
        order: [...b.querySelectorAll('.pick')].map(p => p.dataset.option),
        pressed: [...b.querySelectorAll('.pick[aria-pressed="true"]')].map(p => p.dataset.option),
        done: b.classList.contains('done')})""")


def test_the_choice_survives_a_scorm12_resume_and_is_no_interaction(lms_server, page, browser,
                                                                    dist):
    site, player = scorm12(lms_server, page, dist)
    player.play("night", stop_at="page:night-scenario")
    before = practice_view(player)
    player.choose(before["order"][2])
    chosen = practice_view(player)
    assert chosen["order"] == before["order"] and chosen["pressed"] == [before["order"][2]]
    player.frame.evaluate(HIDE)
    suspend = page.evaluate("window.API.LMSGetValue('cmi.suspend_data')")
    assert 0 < len(suspend) <= 4096
    assert page.evaluate("window.API.LMSGetValue('cmi.interactions._count')") == "0"
    picks = player.state()["picks"]
    assert len(picks) == 3  # the two checks on the way and this scenario
    site.preload({"suspend_data": suspend, "core": {"entry": "resume"}})
    page2 = browser.new_page()
    page2.goto(f"{site.url}/lms/host.html?v=12")
    player2 = Player(page2)
    player2.frame.click("#resume-yes")
    assert player2.step() == "page:night-scenario"
    assert player2.state()["picks"] == picks
    assert practice_view(player2) == {**chosen, "done": True}
    assert visible(player2, ".model") and visible(player2, ".practice-fb:not([hidden])")
    page2.close()


def test_the_choice_survives_a_resume_through_the_xapi_state_api(lrs, xapi_site, browser, dist):
    site = xapi_site(real_package(dist, "en", "xapi"))
    reg = str(uuid.uuid4())
    first = browser.new_page()
    first.goto(launch_url(site, "eva@example.org", reg, hotel=HOTEL))
    player = Player(first, first.main_frame)
    player.play("bar", stop_at="check:signals")
    player.choose(best(player))
    picks = player.state()["picks"]
    first.wait_for_function(f"!localStorage.getItem('noroom.state.{reg}')")  # the PUT landed
    first.close()
    second = browser.new_page()
    second.goto(launch_url(site, "eva@example.org", reg, hotel=HOTEL))
    again = Player(second, second.main_frame)
    second.click("#resume-yes")
    assert again.step() == "check:signals" and again.state()["picks"] == picks
    assert visible(again, ".model") and visible(again, ".practice-fb.right:not([hidden])")
    second.close()


def test_practice_sends_nothing_and_the_reporter_counts_only_the_course(lrs, xapi_site, page,
                                                                        dist):
    """A learner who makes every practice choice and passes: the LRS holds the course's usual
    statements only (nothing under .../scenario/ or .../check/, one `answered` per quiz
    question), and the reporter, run on those statements, counts one trained learner."""
    site = xapi_site(real_package(dist, "en", "xapi"))
    reg = str(uuid.uuid4())
    page.goto(launch_url(site, "ann@example.org", reg, hotel=HOTEL))
    player = Player(page, page.main_frame)
    player.play("security", stop_at="quiz")
    assert len(player.state()["picks"]) == 3
    player.play("security", correct=True)
    page.click("#finish")
    settle(page, site)
    statements = mine(lrs, reg)
    assert validate_statements(statements) == []
    course = player.data()["xapi"]["course"]
    objects = {s["object"]["id"] for s in statements}
    assert not [o for o in objects if "/scenario" in o or "/check" in o or "/practice" in o]
    path_questions = [s for s in player.frame.evaluate("NoroomRuntime.steps()") if s[:2] == "q:"]
    assert sum(verb(s) == "answered" for s in statements) == len(path_questions)
    facts = FactBuilder(player.data()["xapi"]["hotelExt"])
    for st in statements:
        assert facts.add(st) is None
    roster = pd.DataFrame([{"hotel_id": HOTEL, "name": "Hotel", "chain": "C", "city": "Town",
                            "country": "NL", "language": "en", "employees": 1}],
                          columns=ROSTER_COLUMNS)
    result = certify(facts.frame(), roster, {}, Options((course,), date(2100, 1, 1),
                                                        Fraction("0.6"), None))
    row = result.hotels.set_index("hotel_id").loc[HOTEL]
    assert int(row["trained"]) == 1
    assert list(result.learners["learner"]).count(result.learners["learner"].iloc[0]) == 1


STATES = ("before", "hint", "wrong", "right")


def choice_states(player: Player, page: Any, inspect: Any, stop: str) -> None:
    """At `stop`: inspect before a choice, after Next without one, and after a choice (wrong on
    checks, right on the scenario page)."""
    player.play("maintenance", stop_at=stop)
    inspect(stop, "before")
    player.frame.click("#next")
    inspect(stop, "hint")
    scenario = stop.startswith("page:")
    player.choose(best(player) if scenario else a_wrong(player))
    inspect(stop, "right" if scenario else "wrong")


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_every_choice_state_has_no_wcag_violations_and_fits_320px(lms_server, browser, dist,
                                                                  lang):
    site = lms_server(real_package(dist, lang, "scorm12"))
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{site.url}/pkg/index.html")  # no LMS: the course runs untracked
    player = Player(page, page.main_frame)
    found: dict[str, Any] = {}

    def inspect(step: str, state: str) -> None:
        if violations := run_axe(page.main_frame):
            found[f"{step} {state}"] = violations
        if (extra := page.evaluate(OVERFLOW)) > 0:
            found[f"{step} {state} overflow"] = extra

    for stop in ("check:understand", "check:signals", "page:maintenance-scenario"):
        choice_states(player, page, inspect, stop)
    context.close()
    assert found == {}


def test_without_javascript_the_model_answers_show_and_the_choices_do_not(lms_server, browser,
                                                                           dist):
    site = lms_server(real_package(dist, "nl", "scorm12"))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site.url}/pkg/index.html")
    scenes = [c["page"] for c in SOURCE.config["scenarios"]]
    for pid in scenes:
        assert page.is_visible(f'[data-step="page:{pid}"] .model h2')
        assert not page.is_visible(f'[data-step="page:{pid}"] .practice')
    assert page.locator('[data-step^="check:"]').count() == len(SOURCE.config["checks"])
    assert not page.locator('[data-step^="check:"]').first.is_visible()
    context.close()
