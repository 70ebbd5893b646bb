"""The real course in course_src/: every language complete, in its own language, accessible,
and every role path playable to the passed state."""

from __future__ import annotations

import re
import zipfile
from functools import lru_cache

import pytest

from builder.course import load_source
from builder.formats import FORMATS
from tests.support.browser import run_axe
from tests.support.player import Player

from .conftest import ROOT

SOURCE = load_source(ROOT / "course_src")
LANGUAGES = SOURCE.languages
ROLES = list(SOURCE.config["roles"])
LINGUA = {"nl": "DUTCH", "en": "ENGLISH", "pl": "POLISH", "fr": "FRENCH", "hu": "HUNGARIAN",
          "pt": "PORTUGUESE", "es": "SPANISH"}


@lru_cache(maxsize=1)
def detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        *(getattr(Language, LINGUA[lang]) for lang in LANGUAGES)).build()


def test_course_has_all_seven_languages():
    assert set(LANGUAGES) == set(LINGUA)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_builds_in_every_format(course_dist, lang, fmt):
    path = course_dist / f"{SOURCE.id}_{lang}_{fmt}.zip"
    with zipfile.ZipFile(path) as zf:
        html = zf.read("index.html").decode()
    assert f'<html lang="{lang}"' in html
    assert "{" + "emergency}" not in html and "missing" not in html.lower()


# Lingua is reliable on sentences but not on a few words in closely related languages ("Au bar et
# au restaurant" reads as Portuguese, "Quiz" as Spanish). So a text of MIN_WORDS or more must be
# detected as its language; a text of 2 to MIN_WORDS - 1 words must at least give its language
# some confidence (a Dutch title left in another file gives ~0); single words are not judged.
MIN_WORDS = 6
MIN_SHORT_CONFIDENCE = 0.05
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def blocks(html: str) -> list[str]:
    """Each paragraph, list item and heading as plain text: a page half in another language
    must not hide behind a majority in the right one."""
    parts = re.split(r"</(?:p|li|h\d)>", html)
    return [t for t in (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", p)).strip() for p in parts)
            if t]


def wrong_language(texts: dict[str, str], lang: str) -> dict[str, tuple[str | None, str]]:
    """The texts that do not read as `lang`, by the rule above: where -> (found, text)."""
    expected = LINGUA[lang]
    wrong = {}
    for where, text in texts.items():
        if not re.search(r"[^\W\d_]", text):
            continue  # no letters, no language: a tel: link's "0900 8844" (issue 16)
        words = len(text.split())
        if words >= MIN_WORDS:
            found = detector().detect_language_of(text)
            if found is None or found.name != expected:
                wrong[where] = (found.name if found else None, text[:60])
        elif words >= 2:
            confidence = {c.language.name: c.value
                          for c in detector().compute_language_confidence_values(text)}
            if confidence[expected] < MIN_SHORT_CONFIDENCE:
                best = max(confidence, key=confidence.__getitem__)
                wrong[where] = (best, text[:60])
    return wrong


def learner_strings(lang: str) -> dict[str, str]:
    """Every learner-facing string of the model: pages (block by block), titles, prompts,
    options, feedback, roles, UI strings, the content note, course title and description."""
    course = SOURCE.course(lang)
    texts = {f"page {p.id} #{i}": b for p in course.pages for i, b in enumerate(blocks(p.html))}
    texts |= {f"title {p.id}": p.title for p in course.pages}
    texts |= {f"module {m.id}": m.title for m in course.modules}
    texts |= {f"question {q.id}": q.prompt_text for q in course.questions}
    for q in course.questions:
        texts |= {f"option {q.id}/{o.id}": o.text for o in q.options}
        texts |= {f"feedback {q.id}/{o.id}": o.feedback for o in q.options}
    texts |= {f"role {r.id}": r.name for r in course.roles}
    texts |= {f"role {r.id} description": r.description for r in course.roles}
    texts |= {f"ui.{k}": PLACEHOLDER.sub(" ", v) for k, v in course.ui.items()
              if k != "language_name"}
    texts |= {f"content note #{i}": b for i, b in enumerate(blocks(course.content_note_html))}
    texts |= {"course title": course.title, "course description": course.description}
    return texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_learner_string_reads_in_its_own_language(lang):
    texts = learner_strings(lang)
    assert len(texts) > 250
    assert wrong_language(texts, lang) == {}


VISIBLE = "//title | //h1 | //h2 | //h3 | //p | //li | //label | //legend | //button | //a"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_built_page_reads_in_its_own_language(course_dist, lang):
    """What the learner's browser gets, not the model: the web package's index.html."""
    from lxml import html as lxml_html

    with zipfile.ZipFile(course_dist / f"{SOURCE.id}_{lang}_web.zip") as zf:
        tree = lxml_html.fromstring(zf.read("index.html"))
    texts = {}
    for el in tree.xpath(VISIBLE):
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if text:
            texts[f"<{el.tag}> line {el.sourceline}"] = text
    assert len(texts) > 150
    assert wrong_language(texts, lang) == {}


def test_the_language_check_catches_strings_left_in_dutch():
    """The rule above must be able to fail: a Dutch title and sentence in the Polish course."""
    nl = SOURCE.course("nl")
    texts = {"title": nl.pages[1].title, "sentence": nl.questions[0].options[0].feedback}
    assert set(wrong_language(texts, "pl")) == {"title", "sentence"}


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != SOURCE.source_language])
def test_no_string_is_left_in_the_source_language(lang):
    src = SOURCE.texts[SOURCE.source_language].strings
    own = SOURCE.texts[lang].strings
    same = [k for k in SOURCE.required_keys() if k != "ui.language_name" and own.get(k) == src[k]
            and len(src[k].split()) > 2]
    assert same == []


# Feedback after an answer and the result are scanned in one language per role (each role a
# different language, so six of the seven get these states); odd-numbered roles answer wrongly,
# so both the "incorrect" feedback and the failed result are scanned too.
EXTRA_LANGUAGE = {role: LANGUAGES[(i + 1) % len(LANGUAGES)] for i, role in enumerate(ROLES)}


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_every_language_has_no_wcag_violations(lms_server, page, course_dist,
                                                              lang):
    """Every step of the first role's path (result included) in every language, each role's
    own pages; in the role's extra language also its questions, their feedback and the result."""
    site = lms_server(course_dist / f"{SOURCE.id}_{lang}_web.zip")
    found: dict[str, list] = {}
    for i, role in enumerate(ROLES):
        page.goto(f"{site.url}/pkg/index.html")
        player = Player(page, page.main_frame)
        if player.step() == "resume":  # the web package kept the last role's path (issue 16)
            page.click("#resume-no")
        questions = {q["id"]: q for q in player.data()["questions"]}
        extra, correct = EXTRA_LANGUAGE[role] == lang, i % 2 == 0
        while True:
            step = player.step()
            own = (step.startswith("page:") and step.split(":")[1].startswith(role)) or \
                (step.startswith("q:") and questions[step[2:]]["module"] == f"role-{role}")
            if role == ROLES[0] or own or (extra and step == "result"):
                if v := run_axe(page.main_frame):
                    found[f"{role}/{step}"] = v
            if step == f"page:{SOURCE.course(lang).pages[0].id}":
                assert page.main_frame.is_visible(".step.current .note")  # the content note
            if step == "result":
                break
            if step == "role":
                player.choose_role(role)
            elif step.startswith("q:"):
                q = questions[step[2:]]
                player.answer(q["correct"] if correct else next(
                    o for o in q["options"] if o != q["correct"]))
                if extra and (v := run_axe(page.main_frame)):
                    found[f"{role}/{step}/feedback"] = v
            player.choose_if_asked()  # a scenario's or a check's practice choice (issue 16)
            player.next()
    assert page.evaluate("document.documentElement.lang") == lang
    assert found == {}
    assert page.js_errors == []


@pytest.mark.browser
def test_answer_order_is_shuffled_per_learner_and_fixed_by_the_seed(browser, lms_server,
                                                                      course_dist):
    """Each learner gets a seed from Math.random (pinned here); the order follows the seed."""
    site = lms_server(course_dist / f"{SOURCE.id}_nl_web.zip")

    def orders(random: float) -> list[list[str]]:
        context = browser.new_context()
        try:
            pg = context.new_page()
            pg.add_init_script(f"Math.random = () => {random};")
            pg.goto(f"{site.url}/pkg/index.html")
            Player(pg, pg.main_frame)
            return pg.main_frame.eval_on_selector_all(
                ".step[data-step^='q:']", "qs => qs.map(q => Array.from("
                "q.querySelectorAll('.opt input'), i => i.value))")
        finally:
            context.close()

    first, again, other = orders(0.25), orders(0.25), orders(0.75)
    authored = [list(q["options"]) for q in SOURCE.config["quiz"]["questions"]]
    assert [sorted(o) for o in first] == [sorted(o) for o in authored]
    assert first == again
    assert first != other
    assert first != authored and other != authored


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_content_note_opens_the_first_page_only(course_dist, lang):
    from lxml import html as lxml_html

    with zipfile.ZipFile(course_dist / f"{SOURCE.id}_{lang}_web.zip") as zf:
        tree = lxml_html.fromstring(zf.read("index.html"))
    pages = tree.xpath("//section[starts-with(@data-step, 'page:')]")
    notes = [s.get("data-step") for s in pages if s.xpath(".//div[@class='note']")]
    assert notes == [f"page:{SOURCE.course(lang).pages[0].id}"]
    note = re.sub(r"\s+", " ", pages[0].xpath(".//div[@class='note']")[0].text_content()).strip()
    expected = SOURCE.texts[lang].strings["course.content_note"].replace("**", "").strip()
    assert note == re.sub(r"\s+", " ", expected)


@pytest.mark.browser
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", ["nl", "pl"])
def test_every_role_path_plays_to_passed_in_scorm2004(lms_server, page, course_dist, lang, role):
    site = lms_server(course_dist / f"{SOURCE.id}_{lang}_scorm2004.zip")
    page.goto(f"{site.url}/lms/host.html?v=2004")
    player = Player(page)
    player.play(role, correct=True)
    data = page.evaluate("JSON.parse(JSON.stringify(window.LMS.cmi))")
    assert data["completion_status"] == "completed"
    assert data["success_status"] == "passed"
    course = SOURCE.course(lang)
    seen = [s for s in player.state()["seen"]]
    assert sorted(seen) == sorted(p.id for m in course.path_modules(role) for p in m.pages)
    # "other" (issue 16) takes the shared modules only: their 8 questions.
    assert len(data["interactions"]) == len(course.path_questions(role)) >= (
        8 if role == "other" else 10)
