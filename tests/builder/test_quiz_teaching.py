"""Issue 16 sections 2 and 3: a quiz that teaches (verdict in words and icon, the right option
marked, explanations, the missed questions before a retake, Back after a fail, a monotone progress
bar, "Check answer" as the primary button, "Question n of N") and the message that matters (the
112 call-out, tel: links per country, the take-away card). The real course in scorm-again's
SCORM 2004 runtime, in headless Chromium, over http."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from builder.build import build
from tests.support.browser import run_axe
from tests.support.player import Player

from .conftest import COURSE_SRC, REAL_ID, REAL_LANGUAGES

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
NL_PHONES = {"112": "tel:112", "0900 8844": "tel:09008844", "0800 7000": "tel:08007000"}


@pytest.fixture(scope="session")
def quiz_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course: SCORM 2004 in every language (NL), and English web for NL and BE."""
    out = tmp_path_factory.mktemp("quiz-dist")
    build(COURSE_SRC, out / "NL", formats=["scorm2004", "web"])
    build(COURSE_SRC, out / "BE", languages=["en"], formats=["web"], country="BE")
    return out


def launch(lms_server: Any, page: Any, dist: Path, lang: str = "en") -> Player:
    site = lms_server(dist / "NL" / f"{REAL_ID}_{lang}_scorm2004.zip")
    page.goto(f"{site.url}/lms/host.html?v=2004")
    return Player(page)


def to_step(player: Player, prefix: str, role: str = "frontdesk") -> None:
    """Next until the current step starts with `prefix`, choosing `role` on the way."""
    while not player.step().startswith(prefix):
        if player.step() == "role":
            player.choose_role(role)
        player.choose_if_asked()  # a scenario's or a check's practice choice (issue 16)
        player.next()


def question(player: Player) -> dict[str, Any]:
    return next(q for q in player.data()["questions"] if q["id"] == player.step()[2:])


def wrong_option(q: dict[str, Any]) -> str:
    return next(o for o in q["options"] if o != q["correct"])


def opt_state(player: Player) -> list[dict[str, Any]]:
    """Each option of the current question: value, classes, mark text, feedback shown."""
    return player.frame.eval_on_selector_all(".step.current .opt", """els => els.map(o => ({
        value: o.querySelector('input').value, cls: o.className,
        mark: (o.querySelector('.mark') || {}).textContent || null,
        feedback: !o.querySelector('.feedback').hidden,
        disabled: o.querySelector('input').disabled}))""")


def look(player: Player, selector: str, prop: str) -> str:
    return player.frame.eval_on_selector(selector, f"e => getComputedStyle(e)[{prop!r}]")


def test_a_wrong_answer_is_named_and_the_right_option_marked_and_explained(lms_server, page,
                                                                          quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    to_step(player, "q:")
    q = question(player)
    bad = wrong_option(q)
    assert player.frame.inner_text("#next") == ui["check_answer"]
    player.answer(bad)
    assert player.frame.inner_text(".step.current .verdict") == ui["incorrect"]
    shown = {o["value"]: o for o in opt_state(player)}
    assert "is-wrong" in shown[bad]["cls"] and shown[bad]["mark"] == ui["your_answer"]
    assert "is-right" in shown[q["correct"]]["cls"]
    assert shown[q["correct"]]["mark"] == ui["right_answer"]
    # Both explanations: why the chosen one is wrong and why the right one is right.
    assert {v for v, o in shown.items() if o["feedback"]} == {bad, q["correct"]}
    assert all(o["disabled"] for o in shown.values())  # locked once checked
    assert player.frame.inner_text("#next") == ui["next"]
    # Not colour alone: a dashed border and a cross icon, the right option a solid border.
    assert look(player, ".step.current .verdict", "borderTopStyle") == "dashed"
    assert look(player, ".step.current .opt.is-right", "borderTopStyle") == "solid"
    assert look(player, ".step.current .opt.is-right", "borderTopColor") == "rgb(23, 102, 58)"
    assert look(player, ".step.current .opt.is-wrong", "borderTopStyle") == "dashed"
    assert "svg" in look(player, ".step.current .verdict", "backgroundImage")
    assert "svg" in look(player, ".step.current .is-wrong .mark", "backgroundImage")
    cross = look(player, ".step.current .verdict", "backgroundImage")

    player.next()
    q = question(player)
    player.answer(q["correct"])
    assert player.frame.inner_text(".step.current .verdict") == ui["correct"]
    shown = {o["value"]: o for o in opt_state(player)}
    assert {v for v, o in shown.items() if o["feedback"]} == {q["correct"]}
    assert shown[q["correct"]]["mark"] == ui["right_answer"]
    assert not any("is-wrong" in o["cls"] for o in shown.values())
    assert look(player, ".step.current .verdict", "borderTopStyle") == "solid"
    assert look(player, ".step.current .opt.is-right", "borderTopColor") == "rgb(23, 102, 58)"
    assert look(player, ".step.current .verdict", "backgroundImage") != cross
    assert page.js_errors == []


def test_choose_an_answer_first_goes_as_soon_as_an_answer_is_chosen(lms_server, page,
                                                                    quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    to_step(player, "q:")
    step, q = player.step(), question(player)
    player.frame.click("#next")  # "Check answer" with nothing chosen
    assert player.step() == step
    assert player.frame.inner_text(".step.current .verdict") == ui["choose_answer_first"]
    player.frame.check(f"#{q['id']}-{q['correct']}")
    assert player.frame.inner_text(".step.current .verdict") == ""
    assert player.state()["answers"] == {}  # choosing is not checking


def test_questions_are_numbered_and_the_intro_says_how_many_and_that_answers_lock(
        lms_server, page, quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    to_step(player, "quiz")
    path = [s for s in player.frame.evaluate("NoroomRuntime.steps()") if s.startswith("q:")]
    assert player.frame.inner_text("#quiz-count") == ui["quiz_count"].replace(
        "{total}", str(len(path)))
    for n in range(1, len(path) + 1):
        player.next()
        assert player.frame.inner_text(".step.current h1") == ui["question_of"].replace(
            "{n}", str(n)).replace("{total}", str(len(path)))
        player.answer(question(player)["correct"])


def test_a_fail_lists_the_missed_questions_back_reads_them_and_retake_starts_afresh(
        lms_server, page, quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    to_step(player, "quiz")
    questions = {q["id"]: q for q in player.data()["questions"]}
    missed = []
    for k in range(100):
        player.next()
        if player.step() == "result":
            break
        q = question(player)
        if k % 3 == 0:
            player.answer(q["correct"])
        else:
            player.answer(wrong_option(q))
            missed.append(q["id"])
    assert player.frame.is_visible("#retry") and player.frame.is_visible("#missed")
    items = player.frame.eval_on_selector_all("#missed-list > li:not([hidden])",
                                              "els => els.map(e => e.innerText)")
    assert len(items) == len(missed)
    for qid, text in zip(missed, items, strict=True):
        sec = f'.step[data-step="q:{qid}"]'
        right = questions[qid]["correct"]
        prompt = player.frame.text_content(f"{sec} .prompt").strip()
        answer = player.frame.text_content(f'{sec} label[for="{qid}-{right}"] .otext')
        why = player.frame.text_content(f'{sec} .feedback[data-option="{right}"]')
        for part in (prompt.split("\n")[-1], f"{ui['right_answer']} {answer}", why):
            assert " ".join(part.split()) in " ".join(text.split()), (qid, part)
    assert player.frame.query_selector_all("#missed-list [id]") == []  # no duplicate ids
    # Back is no dead end: it leads to the last question, still locked and explained.
    assert player.frame.is_enabled("#back")
    player.back()
    assert player.step().startswith("q:")
    assert player.frame.is_visible(".step.current .verdict.ok, .step.current .verdict.wrong")
    player.next()
    assert player.step() == "result" and len(items) == player.frame.eval_on_selector_all(
        "#missed-list > li:not([hidden])", "els => els.length")
    player.frame.click("#retry")
    assert player.step() == "quiz" and player.state()["answers"] == {}
    player.play("frontdesk", correct=True)
    assert player.frame.is_hidden("#missed") and player.frame.is_hidden("#retry")
    assert page.js_errors == []


def test_the_progress_bar_never_moves_back_on_a_retake(lms_server, page, quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    seen = []

    def bar() -> None:
        seen.append(int(player.frame.get_attribute(".progress", "aria-valuenow")))

    to_step(player, "role")
    player.choose_role("frontdesk")
    while player.step() != "result":
        if player.step().startswith("q:"):
            player.answer(wrong_option(question(player)))
        player.choose_if_asked()  # a scenario's or a check's practice choice (issue 16)
        player.next()
        bar()
    assert seen[-1] == 100
    player.frame.click("#retry")
    player.frame.wait_for_selector('.step.current[data-step="quiz"]')
    bar()
    while player.step() != "result":
        if player.step().startswith("q:"):
            player.answer(question(player)["correct"])
            bar()
        player.next()
        bar()
    assert seen == sorted(seen) and seen[-1] == 100


@pytest.mark.parametrize("width", [375, 320])
def test_on_a_phone_check_answer_is_the_primary_button(lms_server, browser, quiz_dist, width):
    """No disabled Next with a Check button below the fold: the one primary button checks."""
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    to_step(player, "q:")
    q = question(player)
    player.frame.check(f"#{q['id']}-{q['correct']}")
    assert player.frame.query_selector_all(".step.current button") == []
    assert player.frame.is_enabled("#next")
    assert player.frame.inner_text("#next") == ui["check_answer"]
    player.frame.click("#next")
    player.frame.wait_for_selector(".step.current .verdict.ok")
    assert player.frame.inner_text("#next") == ui["next"]
    assert player.frame.evaluate(OVERFLOW) <= 0
    context.close()


def test_the_emergency_step_is_a_call_out_at_the_top_of_what_to_do_and_in_the_summary(
        lms_server, browser, quiz_dist):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    player = launch(lms_server, page, quiz_dist)
    to_step(player, "page:what-to-do")
    sec = '.step.current'
    # The first thing under the title (the read-aloud button aside, which is hidden without a
    # voice for the language).
    first = player.frame.eval_on_selector(
        f"{sec} h1", "h => { let e = h.nextElementSibling; "
        "while (e && e.matches('.read')) e = e.nextElementSibling; return e.className; }")
    assert first == "callout callout-box"
    box = player.frame.text_content(f"{sec} .callout-box")
    step4 = player.frame.text_content(f"{sec} ol > li:nth-child(4) strong")
    assert box.strip() == step4.strip() == "In acute danger, call 112."
    assert player.frame.get_attribute(f"{sec} .callout-box a", "href") == "tel:112"
    assert "callout" in player.frame.get_attribute(f"{sec} ol > li:nth-child(4)", "class")
    # In sight on a phone without scrolling, with an icon and a thick border, large and bold.
    assert page.evaluate("window.frames[0].document.querySelector('.step.current .callout-box')"
                         ".getBoundingClientRect().bottom") < 740 - 0
    assert "svg" in look(player, f"{sec} .callout-box", "backgroundImage")
    assert look(player, f"{sec} .callout-box", "borderTopWidth") == "3px"
    assert float(look(player, f"{sec} .callout-lead", "fontSize")[:-2]) >= 20
    to_step(player, "page:summary")
    assert player.frame.eval_on_selector_all(
        f"{sec} li.callout", "els => els.map(e => e.textContent)") == ["In acute danger, call 112."]
    context.close()


def texts_outside_links(root: Any) -> list[str]:
    """Text of `root` not inside an <a>, not in an answer option's label (a tap there chooses
    the option, so it must not dial) and not in the runtime's data."""
    out = []
    for node in root.iter():
        if node.tag in ("a", "script", "label") or any(
                a.tag in ("a", "label", "script") for a in node.iterancestors()):
            if node.tag not in ("a", "label", "script"):
                out.append(node.tail or "")
            continue
        out += [node.text or "", node.tail or ""]
    return out


@pytest.mark.parametrize("country", ["NL", "BE"])
def test_every_phone_number_is_a_tel_link(quiz_dist, country):
    with zipfile.ZipFile(quiz_dist / country / f"{REAL_ID}_en_web.zip") as z:
        doc = lxml_html.fromstring(z.read("index.html").decode("utf-8"))
    links = {a.text: a.get("href") for a in doc.iter("a")
             if (a.get("href") or "").startswith("tel:")}
    if country == "NL":
        assert links == NL_PHONES
    else:
        assert links == {"112": "tel:112"}  # police is www.police.be: never a tel: link
        assert "www.police.be" in doc.text_content()
    loose = [t for t in texts_outside_links(doc.body) if any(
        re.search(rf"(?<!\d){re.escape(n)}(?!\d)", t) for n in links)]
    assert loose == []


def test_the_pass_screen_has_a_take_away_card_that_prints_alone(lms_server, page, quiz_dist):
    player = launch(lms_server, page, quiz_dist)
    ui = player.data()["ui"]
    player.play("frontdesk", correct=False)
    assert player.frame.is_hidden("#card")  # a fail gets the missed questions, not the card
    player.frame.click("#retry")
    player.play("frontdesk", correct=True)
    assert player.frame.is_visible("#card")
    assert player.frame.inner_text("#card-title") == ui["card_title"]
    steps = player.frame.eval_on_selector_all("#card li", "els => els.map(e => e.textContent)")
    leads = player.frame.eval_on_selector_all(
        '[data-step="page:what-to-do"] ol > li > strong:first-child',
        "els => els.map(e => e.textContent)")
    assert steps == leads and len(steps) == 4
    assert player.frame.get_attribute("#card li.callout a", "href") == "tel:112"
    player.frame.evaluate("window.printed = 0; "
                          "addEventListener('beforeprint', () => window.printed++)")
    player.frame.click("#print-card")
    player.frame.wait_for_function("window.printed === 1")
    page.emulate_media(media="print")
    shown = {sel: player.frame.is_visible(sel) for sel in
             ("#card", "#card li", ".top", ".nav", "#result-text", "#finish", "#print-card")}
    assert shown == {"#card": True, "#card li": True, ".top": False, ".nav": False,
                     "#result-text": False, "#finish": False, "#print-card": False}
    page.emulate_media(media="screen")
    assert player.frame.is_visible("#result-text")


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_new_quiz_states_have_no_wcag_violations_and_fit_320(lms_server, browser, quiz_dist,
                                                             lang):
    """axe (WCAG 2.1 A/AA) and sideways scroll at 320 px: what-to-do with the call-out, a right
    and a wrong checked answer, the fail list, the pass screen with the card."""
    context = browser.new_context(viewport={"width": 320, "height": 740})
    page = context.new_page()
    player = launch(lms_server, page, quiz_dist, lang)
    found: dict[str, Any] = {}

    def inspect(name: str) -> None:
        if violations := run_axe(player.frame):
            found[name] = violations
        if (extra := player.frame.evaluate(OVERFLOW)) > 0:
            found[name + " overflow"] = extra

    to_step(player, "page:what-to-do")
    inspect("what-to-do")
    to_step(player, "q:")
    player.answer(question(player)["correct"])
    inspect("right")
    player.next()
    player.answer(wrong_option(question(player)))
    inspect("wrong")
    player.play("frontdesk", correct=False)
    inspect("fail")
    player.frame.click("#retry")
    player.play("frontdesk", correct=True)
    assert player.frame.is_visible("#card")
    inspect("pass")
    context.close()
    assert found == {}
