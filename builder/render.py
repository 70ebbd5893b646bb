"""Course x language -> the files every format shares: index.html, runtime.js, runtime.css.

`render_index` and `runtime_script` give the shared files; the format adds its manifest.
Jinja2 autoescapes everything except the HTML the Markdown renderer produced.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from builder.emergency import CARD_PAGE, card_steps, emergency_callouts, link_phones

if TYPE_CHECKING:
    from collections.abc import Callable

    from builder.brand import Brand
    from builder.course import Choice, Course

# SCORM 2004 interaction descriptions are localized_string_type with an SPM of 250 characters.
DESCRIPTION_LIMIT = 250


@lru_cache(maxsize=1)
def _env():  # type: ignore[no-untyped-def]
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("builder", "templates"),
        autoescape=True, trim_blocks=False, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def template(name: str):  # type: ignore[no-untyped-def]
    return _env().get_template(name)


@lru_cache(maxsize=32)
def runtime_file(name: str) -> bytes:
    return resources.files("builder").joinpath("runtime", name).read_bytes()


# Runtime files an adapter builds on, joined in just before it. cmi5_token.js is shared with the
# all-languages launcher page (formats/cmi5.py), so both keep the token under the same key.
SNIPPETS = {"cmi5": ("cmi5_token.js",)}


def joined(names: list[str]) -> bytes:
    """Runtime files (paths under builder/runtime/) joined in order, one line break between
    them and one at the end. Same input, same bytes."""
    return b"\n".join(runtime_file(name).rstrip(b"\n") for name in names) + b"\n"


@lru_cache(maxsize=16)
def runtime_script(adapter: str | None) -> bytes:
    """The package's one runtime.js: the adapters named in `adapter` ("xapi+scorm+lrs", in that
    order, or None), each after the snippets it builds on (SNIPPETS), then the interactions
    (practice.js) and the core.
    Adapters only define globals, so they come first and the core finds window.NoroomAdapter
    whenever it starts."""
    names = [part for name in (adapter.split("+") if adapter else [])
             for part in (*SNIPPETS.get(name, ()), f"adapters/{name}.js")]
    return minified_js(joined([*names, "practice.js", "runtime.js"]))


# Issue 16: the runtime a learner's phone loads stays within 20 KB gzipped (bench/sizes.py).
# The source keeps its comments (they say why); packages carry it without them.
_SHIPPED = b"/* noroom course runtime; the commented source is builder/runtime/ in noroom */\n"


def minified_js(source: bytes) -> bytes:
    """`source` without comments and needless blanks (rjsmin keeps strings and regexes whole)."""
    import rjsmin

    return _SHIPPED + rjsmin.jsmin(source).strip() + b"\n"


@lru_cache(maxsize=1)
def runtime_css() -> bytes:
    """The package's runtime.css, minified like the script."""
    import rcssmin

    return _SHIPPED + rcssmin.cssmin(runtime_file("runtime.css")).strip() + b"\n"


def _shift_headings(html: str) -> str:
    # Page titles are the step's h1; headings written in Markdown sit below it as h2.
    return re.sub(r"<(/?)h[1-6]>", r"<\1h2>", html)


def phones_filter(contacts: dict[str, str]) -> Callable[[str], Any]:
    """For templates: plain text -> safe HTML, escaped, with the phone numbers of `contacts` as
    tel: links (issue 16 section 3)."""
    from markupsafe import Markup, escape

    return lambda text: Markup(link_phones(str(escape(text)), contacts))


def with_choice(html: str, choice: Choice | None, words: dict[str, str],
                contacts: dict[str, str]) -> str:
    """A scenario page's HTML with its practice choice (issue 16 §1): the situation, the choice,
    then the model answer, i.e. the body from its first heading on, in a .model block the
    runtime shows once the learner has chosen. The reviewed body is split here, never edited."""
    if choice is None:
        return html
    cut = html.find("<h2")
    cut = len(html) if cut < 0 else cut
    box = template("pages/_choice.html").module.box(  # type: ignore[attr-defined]
        choice, words, True, phones_filter(contacts))
    return f'{html[:cut]}{box}\n<div class="model">\n{html[cut:]}</div>'


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def interaction_description(prompt_text: str) -> str:
    text = re.sub(r"[*_#>`]", "", re.sub(r"\s+", " ", prompt_text)).strip()
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1].rstrip() + "…"


def runtime_data(course: Course, format_name: str, tracking: dict[str, Any]) -> dict[str, Any]:
    """The JSON the runtime reads: structure, UI strings, vocabulary. No answers' text."""
    v = course.vocabulary
    return {
        "course": course.id, "version": course.version, "lang": course.language,
        "format": format_name, "title": course.title, "description": course.description,
        "mastery": course.mastery_score,
        "roles": [{"id": r.id} for r in course.roles],
        "moduleRoles": {m.id: m.role for m in course.modules},
        "pages": [{"id": p.id, "module": p.module} for p in course.pages],
        "questions": [
            {"id": q.id, "module": q.module, "options": [o.id for o in q.options],
             "correct": q.correct, "description": interaction_description(q.prompt_text)}
            for q in course.questions
        ],
        "choices": [{"id": c.id, "options": [o.id for o in c.options], "after": c.after}
                    for c in course.choices],
        "ui": course.ui,
        "hotel": {"pattern": course.hotel_pattern, "example": course.hotel_example},
        "xapi": {"course": v.course_iri, "verbs": v.verbs, "hotelExt": v.hotel_extension,
                 "roleExt": v.role_extension, "sessionExt": v.session_extension,
                 "progressExt": v.progress_extension},
        **tracking,
    }


_DATA = "@@NOROOM-DATA@@"
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: Any) -> str:
    """`data` as JSON to embed in a <script type="application/json"> element: `<`, `>` and `&`
    are written as \\u escapes (same value for JSON.parse), so no text, e.g. `</script>` or
    `<!--<script` in a translation, can end the element or hide its end tag (HTML's script data
    escape states: issue 12 item 15); U+2028/9 too, for old parsers."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


_pages: dict[tuple[int, int], tuple[Course, Brand | None, str]] = {}


def render_index(course: Course, data: dict[str, Any], brand: Brand | None) -> bytes:
    """index.html for one format. The page is rendered once per course and brand; formats only
    differ in the embedded data."""
    key = (id(course), id(brand))
    cached = _pages.get(key)
    if cached is None or cached[0] is not course or cached[1] is not brand:
        if len(_pages) > 16:
            _pages.clear()
        cached = _pages[key] = (course, brand, _render_page(course, brand))
    return cached[2].replace(_DATA, script_json(data), 1).encode("utf-8")


def _page_html(html: str, course: Course) -> str:
    # Issue 16 section 3: every phone number a tel: link, the emergency step a call-out.
    linked = link_phones(_shift_headings(html), course.contacts)
    return emergency_callouts(linked, course.contacts.get("emergency"))


def _card(course: Course) -> list[tuple[str, bool]]:
    """The take-away card's steps (issue 16 section 3): the what-to-do page's bold leads."""
    page = next((p for p in course.pages if p.id == CARD_PAGE), None)
    return card_steps(link_phones(page.html, course.contacts),
                      course.contacts.get("emergency")) if page else []


def _render_page(course: Course, brand: Brand | None) -> str:
    scenes = {c.page: c for c in course.choices if c.page}
    shifted = [
        type(m)(m.id, m.role, m.title,
                tuple(replace(p, html=with_choice(_page_html(p.html, course), scenes.get(p.id),
                                                  course.practice, course.contacts))
                      for p in m.pages))
        for m in course.modules
    ]
    view = type(course)(**{**course.__dict__, "modules": tuple(shifted)})
    return template("pages/index.html").render(
        course=view, ui=course.ui, brand=brand, data_json=_DATA,
        mastery_pct=str(round(course.mastery_score * 100)),
        first_page_id=course.pages[0].id if course.pages else "",
        card=_card(course), phones=phones_filter(course.contacts),
    )
