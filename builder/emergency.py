"""What a learner must be able to act on at once (issue 16 section 3), made from the reviewed text
without adding words to it: phone numbers become tel: links, the list item that says to call the
emergency number becomes a call-out (repeated at the top of its page when its bold lead names the
number), and the bold leads of the what-to-do steps make the take-away card.

All functions take and return the HTML fragments `builder.markdown.render_markdown` makes
(CommonMark, no raw HTML), so the regular expressions below only meet the tags it writes.
"""

from __future__ import annotations

import html as html_lib
import re

# A contact value that is a phone number: digits with spaces, dashes or a leading +, at least
# three digits ("112", "0900 8844"). "www.police.be" and "Meld Misdaad Anoniem" are not.
PHONE = re.compile(r"^\+?\d[\d \-]*\d$")
TAG = re.compile(r"(<[^>]+>)")
LIST_ITEM = re.compile(r"<li>((?:(?!</?li>|<[ou]l>).)*)</li>", re.S)
STRONG_LEAD = re.compile(r"^\s*<strong>(.*?)</strong>", re.S)
ORDERED = re.compile(r"<ol>(.*?)</ol>", re.S)
# The page whose ordered list is the four steps the pass screen repeats (pages.what-to-do.body).
CARD_PAGE = "what-to-do"


def tel_href(number: str) -> str:
    """`tel:` URI of a phone number as written in course.yaml (RFC 3966: digits, no spaces)."""
    return "tel:" + re.sub(r"[ \-]", "", number)


def phone_numbers(contacts: dict[str, str]) -> list[str]:
    """The contact values that are phone numbers, longest first (so "0900 8844" is matched
    before a shorter number could match inside it)."""
    return sorted({v for v in contacts.values() if PHONE.match(v.strip())}, key=len, reverse=True)


def link_phones(html: str, contacts: dict[str, str]) -> str:
    """`html` with each phone number of `contacts` in its text made a tel: link; text already
    inside a link, and tag attributes, are left alone."""
    numbers = phone_numbers(contacts)
    if not numbers:
        return html
    pattern = re.compile(r"(?<![\w+])(" + "|".join(re.escape(n) for n in numbers) + r")(?!\w)")
    out, in_link = [], 0
    for part in TAG.split(html):
        if part.startswith("<"):
            in_link += 1 if re.match(r"<a[\s>]", part) else -1 if part == "</a>" else 0
            out.append(part)
        elif in_link:
            out.append(part)
        else:
            out.append(pattern.sub(lambda m: f'<a href="{html_lib.escape(tel_href(m[1]))}">'
                                   f"{m[1]}</a>", part))
    return "".join(out)


def emergency_callouts(html: str, emergency: str | None) -> str:
    """`html` (phones already linked) with each list item that links the emergency number
    marked `class="callout"`; the first one whose bold lead holds the number is also repeated
    as a call-out box at the top (a phone shows it without scrolling)."""
    if not emergency or not PHONE.match(emergency):
        return html
    href = f'href="{html_lib.escape(tel_href(emergency))}"'
    box = ""

    def mark(m: re.Match[str]) -> str:
        nonlocal box
        if href not in m[1]:
            return m[0]
        lead = STRONG_LEAD.match(m[1])
        if not box and lead and href in lead[1]:
            box = (f'<div class="callout callout-box" role="note"><p class="callout-lead">'
                   f"<strong>{lead[1]}</strong></p></div>\n")
        return f'<li class="callout">{m[1]}</li>'

    marked = LIST_ITEM.sub(mark, html)
    return box + marked


def card_steps(html: str, emergency: str | None) -> list[tuple[str, bool]]:
    """The bold leads of the first ordered list's items (the what-to-do steps) as HTML, each
    with whether it links the emergency number (a call-out on the card too); empty when the
    page has no such list or an item has no bold lead. Expects `html` with phones linked and
    without call-outs marked."""
    ordered = ORDERED.search(html)
    if not ordered:
        return []
    leads = [STRONG_LEAD.match(item) for item in LIST_ITEM.findall(ordered[1])]
    if not leads or not all(leads):
        return []
    href = f'href="{html_lib.escape(tel_href(emergency))}"' if emergency else None
    return [(lead[1], bool(href) and href in lead[1]) for lead in leads if lead]
