"""axe-core (WCAG 2.1 A/AA) on every step of the course, in each language, phone and desktop."""

from __future__ import annotations

import pytest

from tests.support.browser import run_axe
from tests.support.player import Player

pytestmark = pytest.mark.browser


def every_step_violations(page, url: str, role: str) -> dict[str, list]:
    page.goto(url)
    player = Player(page, page.main_frame)
    found = {}
    while True:
        step = player.step()
        violations = run_axe(page.main_frame)
        if violations:
            found[step] = violations
        if step == "result":
            return found
        if step == "role":
            player.choose_role(role)
        elif step.startswith("q:"):
            q = next(q for q in player.data()["questions"] if q["id"] == step[2:])
            player.answer(q["correct"])
            violations = run_axe(page.main_frame)  # with the feedback shown
            if violations:
                found[step + "+feedback"] = violations
        player.next()


@pytest.mark.parametrize("width", [320, 1024], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_has_no_wcag_violations(lms_server, browser, mini_dist, lang, width):
    site = lms_server(mini_dist / f"mini_{lang}_web.zip")
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    found = every_step_violations(page, f"{site.url}/pkg/index.html", "frontdesk")
    assert page.evaluate("document.documentElement.lang") == lang
    # Nothing scrolls sideways on a 320 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
    assert found == {}


def test_course_can_be_taken_with_the_keyboard_only(lms_server, page, mini_dist):
    site = lms_server(mini_dist / "mini_en_web.zip")
    page.goto(f"{site.url}/pkg/index.html")
    player = Player(page, page.main_frame)

    def press_until_focused(selector: str, limit: int = 30) -> None:
        for _ in range(limit):
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    press_until_focused("#next")
    page.keyboard.press("Enter")
    assert player.step() == "role"
    press_until_focused("input[name=role]")
    page.keyboard.press("Space")
    press_until_focused("#next")
    page.keyboard.press("Enter")
    assert player.step().startswith("page:")
