"""The words of the communication pack (issue 17 §4), taken from course_src through the builder.

    source = load_source(Path("course_src"))
    words = pack_text(source, "nl", "NL", draft=False)   # PackText, contacts filled for NL

One source, one review state: the poster says what the course says. The headline is the title
of the "what to do" page, the four steps are the bold leads of its numbered list, the signals
are the bold leads of the two signal pages' lists, the contacts are the bold-lead items of the
reporting page's list with the country's verified values filled in (builder.course
country_strings: a country without a verified anonymous line has no sentence naming one). Only
"Staff only" and the draft notice are new words (`materials.*` at the end of each text file).

A language other than the source whose keys below are not reviewed against today's Dutch is
refused (SourceError naming the file, line and key) unless `draft` is set; the pack then says
DRAFT on every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from noroom.errors import SourceError

if TYPE_CHECKING:
    from builder.course import CourseSource

NEEDED = ("course.title", "modules.signals.title", "pages.signals-guests.title",
          "pages.signals-guests.body", "pages.signals-rooms.title", "pages.signals-rooms.body",
          "pages.what-to-do.title", "pages.what-to-do.body", "pages.reporting.body",
          "materials.staff_only")
# "- **Lead.** rest" or "1. **Lead.** rest": (marker, lead, rest)
LEAD_ITEM = re.compile(r"^[ \t]*([-*+]|\d+[.)])[ \t]+\*\*(.+?)\*\*[ \t]*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class PackText:
    language: str
    country: str
    headline: str                 # pages.what-to-do.title
    course: str                   # course.title
    steps: tuple[str, ...]        # the four steps' leads, {emergency} filled
    signals: str                  # modules.signals.title
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (page title, its signals' leads)
    contacts: tuple[str, ...]     # "In immediate danger: 112", ...: the first is the emergency
    staff_only: str
    draft: str | None             # the draft notice, when the text is not reviewed


def leads(markdown: str, ordered: bool) -> list[tuple[str, str]]:
    """(bold lead, the rest of the item) of each list item of `markdown` that starts with a
    bold lead; numbered items when `ordered`, bullets otherwise."""
    return [(lead.strip(), rest.strip()) for marker, lead, rest in LEAD_ITEM.findall(markdown)
            if marker[0].isdigit() == ordered]


def contact_line(lead: str, rest: str) -> str:
    """"**In immediate danger:** 112." -> "In immediate danger: 112": the lead and the first
    sentence of the rest ("www.police.be. The police can..." keeps "www.police.be")."""
    first = re.split(r"\.\s", rest + " ", maxsplit=1)[0].rstrip(". ")
    return f"{lead} {first}".strip()


def unreviewed(source: CourseSource, lang: str) -> list[tuple[str, int | None]]:
    """The NEEDED keys of `lang` not reviewed against today's Dutch, with their lines; none for
    the source language."""
    from builder.xliff import is_reviewed, load_states

    if lang == source.source_language:
        return []
    dutch, text = source.texts[source.source_language].strings, source.texts[lang]
    states = load_states(source.root, lang)
    return [(key, text.lines.get(key)) for key in NEEDED
            if not is_reviewed(states.get(key), dutch.get(key, ""), text.strings.get(key, ""))]


def pack_text(source: CourseSource, lang: str, country: str, draft: bool) -> PackText:
    """The pack's words in `lang` for a hotel in `country`. SourceError when the language is
    not reviewed (without `draft`), a country has no verified contacts, or a text no longer has
    the lists the pack is made of."""
    from builder.course import _fill, country_strings

    text = source.texts[lang]
    missing = unreviewed(source, lang)
    if missing and not draft:
        key, line = missing[0]
        raise SourceError(f"{key} is not reviewed, and the communication pack prints only "
                          f"reviewed text ({len(missing)} of its keys in {lang}); have it "
                          f"reviewed (noroom review --lang {lang}) or pass --draft for a copy "
                          "marked DRAFT", text.path, line)
    fill = source.contacts(country)
    strings, _ = country_strings(text.strings, country, fill)

    def get(key: str) -> str:
        return _fill(strings.get(key, ""), fill).strip()

    steps = [lead for lead, _ in leads(get("pages.what-to-do.body"), ordered=True)]
    groups = tuple((get(f"pages.{page}.title"),
                    tuple(lead.rstrip(".") for lead, _ in leads(get(f"pages.{page}.body"),
                                                                ordered=False)))
                   for page in ("signals-guests", "signals-rooms"))
    contacts = tuple(contact_line(lead, rest)
                     for lead, rest in leads(get("pages.reporting.body"), ordered=False))
    for key, found in (("pages.what-to-do.body", len(steps) == 4),
                       ("pages.signals-guests.body", bool(groups[0][1])),
                       ("pages.signals-rooms.body", bool(groups[1][1])),
                       ("pages.reporting.body", bool(contacts))):
        if not found:
            raise SourceError(f"{key} no longer has the list the communication pack prints "
                              "(items starting with a **bold lead**); restore it",
                              text.path, text.lines.get(key))
    return PackText(lang, country, get("pages.what-to-do.title"), get("course.title"),
                    tuple(steps), get("modules.signals.title"), groups, contacts,
                    get("materials.staff_only"), get("materials.draft") if missing else None)
