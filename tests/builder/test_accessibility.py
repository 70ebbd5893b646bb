"""axe-core (WCAG 2.1 A/AA) on every step of the course, in each language, phone and desktop,
inside the LMS frame too; nothing scrolls sideways on a phone; the keyboard alone suffices."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import run_axe
from tests.support.player import Player

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def every_step_findings(page, url: str, role: str) -> tuple[dict[str, list], dict[str, int]]:
    """axe violations and sideways overflow (px) per step, feedback states included."""
    page.goto(url)
    player = Player(page, page.main_frame)
    found, overflow = {}, {}

    def inspect(name: str) -> None:
        violations = run_axe(page.main_frame)
        if violations:
            found[name] = violations
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            overflow[name] = extra

    while True:
        step = player.step()
        inspect(step)
        if step == "result":
            return found, overflow
        if step == "role":
            player.choose_role(role)
        elif step.startswith("q:"):
            q = next(q for q in player.data()["questions"] if q["id"] == step[2:])
            player.answer(q["correct"])
            inspect(step + "+feedback")
        player.next()


@pytest.mark.parametrize("width", [320, 1024], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_has_no_wcag_violations_and_no_sideways_scroll(lms_server, browser,
                                                                  mini_dist, lang, width):
    site = lms_server(mini_dist / f"mini_{lang}_web.zip")
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    found, overflow = every_step_findings(page, f"{site.url}/pkg/index.html", "frontdesk")
    assert page.evaluate("document.documentElement.lang") == lang
    context.close()
    assert found == {}
    assert overflow == {}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_package_in_the_lms_frame_has_no_wcag_violations(lms_server, page, browser, mini_dist,
                                                         lang):
    """In the SCORM host's iframe: first step, failed result with retry, resume dialog."""
    site = lms_server(mini_dist / f"mini_{lang}_scorm12.zip")
    page.goto(f"{site.url}/lms/host.html?v=12")
    player = Player(page)
    found = {}
    if violations := run_axe(player.frame):
        found["first"] = violations
    player.play("housekeeping", correct=False)
    assert player.frame.is_visible("#retry")
    if violations := run_axe(player.frame):
        found["failed-result"] = violations
    c = site.lms.last["cmi"]
    site.preload({"suspend_data": c["suspend_data"], "core": {"entry": "resume"}})
    page2 = browser.new_page()
    page2.goto(f"{site.url}/lms/host.html?v=12")
    player2 = Player(page2)
    assert player2.frame.is_visible("#resume-yes")
    if violations := run_axe(player2.frame):
        found["resume"] = violations
    page2.close()
    assert found == {}


class Keyboard:
    """Only Tab, Shift+Tab, arrows, Space and Enter: no clicks, no focus() from the test."""

    def __init__(self, page: Any):
        self.page = page
        self.player = Player(page, page.main_frame)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(f"document.activeElement.matches({selector!r})")

    def tab_to(self, selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            if self.focused(selector):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector} on {self.player.step()}")

    def activate(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Enter")

    def next(self) -> None:
        before = self.player.step()
        self.activate("#next")
        self.page.wait_for_function("s => document.querySelector('.step.current').dataset.step "
                                    "!== s", arg=before)

    def pick(self, name: str, value: str, count: int) -> None:
        """Tab into a radio group, then arrow keys until `value` is the checked one."""
        self.tab_to(".step.current input[type=radio]")
        self.page.keyboard.press("Space")
        for _ in range(count):
            if self.page.evaluate(f"document.activeElement.value === {value!r} && "
                                  "document.activeElement.checked"):
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"arrow keys never reached {value} in {name}")

    def play(self, role: str, correct: bool) -> None:
        questions = {q["id"]: q for q in self.player.data()["questions"]}
        roles = [r["id"] for r in self.player.data()["roles"]]
        while (step := self.player.step()) != "result":
            if step == "role":
                self.pick("role", role, len(roles) + 1)
            elif step.startswith("q:") and step[2:] not in self.player.state()["answers"]:
                q = questions[step[2:]]
                option = q["correct"] if correct else next(o for o in q["options"]
                                                           if o != q["correct"])
                self.pick(q["id"], option, len(q["options"]) + 1)
                self.activate("#next")  # reads "Check answer" until checked (issue 16)
                self.page.wait_for_selector(f'.step.current .feedback[data-option="{option}"]',
                                            state="visible")
            self.next()


def test_course_can_be_finished_with_the_keyboard_only(lms_server, page, mini_dist):
    """Pages, role, every question (fail), retry, every question (pass), finish."""
    site = lms_server(mini_dist / "mini_en_web.zip")
    page.goto(f"{site.url}/pkg/index.html")
    keys = Keyboard(page)
    ui = keys.player.data()["ui"]
    keys.play("housekeeping", correct=False)
    assert keys.player.state()["role"] == 1
    keys.activate("#retry")
    keys.page.wait_for_function("document.querySelector('.step.current').dataset.step "
                                "=== 'quiz'")
    keys.play("housekeeping", correct=True)
    assert "100%" in page.inner_text("#result-text")
    keys.activate("#finish")
    page.wait_for_function("t => document.getElementById('result-text').textContent"
                           ".endsWith(t)", arg=" " + ui["finished"])
    assert keys.player.state()["done"] == 1
    assert page.js_errors == []
