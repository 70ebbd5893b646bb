"""Illustrations and signal icons (issue 16 §1): drawings per page and an icon per signal card.

course.yaml names them; the drawings live in `course_src/images/<name>.svg`, the icons in
`course_src/icons/<name>.svg`:

    images:                     # page id -> drawing, shown under the page title
      frontdesk-signals: front-desk
    icons:                      # page id -> one icon per item of the page's first list, in order
      signals-guests: [bell, keycard, people, stairs, eye, lock]

A drawing's alt text is the text key `images.<name>.alt`; a drawing without that key in the
source language is decorative (alt="", `noroom lint` warns). Icons are decorative (aria-hidden):
the list item's own words say what it is. Every file must pass `builder.svg` (issue 15).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_IMAGE = 12 * 1024  # a drawing is a few KB of paths; more is probably an export with a bitmap
_LIST = re.compile(r"<ul>\n(.*?)</ul>", re.S)
_ITEM = re.compile(r"<li>(.*?)</li>\n?", re.S)


def image_path(name: str) -> str:
    """Where drawing `name` sits inside a package (every format)."""
    return f"images/{name}.svg"


def svg_file_problems(root: Path, folder: str, name: object) -> list[str]:
    """Why `<root>/<folder>/<name>.svg` cannot be used (bad name, missing, unsafe); [] if fine."""
    if not isinstance(name, str) or not NAME.match(name):
        return [f"{name!r} is not a file name; use lowercase letters, digits and '-', without .svg"]
    path = root / folder / f"{name}.svg"
    if not path.is_file():
        return [f"{folder}/{name}.svg does not exist; add it or fix the name"]
    data = path.read_bytes()
    if folder == "images" and len(data) > MAX_IMAGE:
        return [f"{folder}/{name}.svg is {len(data) // 1024} KB; keep a drawing under "
                f"{MAX_IMAGE // 1024} KB (package budget, bench/sizes.py)"]
    from builder.svg import svg_problems

    return [f"{folder}/{name}.svg {problem}" for problem in svg_problems(data)[:1]]


def config_problems(cfg: dict[str, Any], root: Path, page_ids: set[str]) -> list[tuple[str, str]]:
    """(key, problem) for every bad `images:` / `icons:` entry of course.yaml."""
    problems = []
    for key in ("images", "icons"):
        section = cfg.get(key) or {}
        if not isinstance(section, dict):
            problems.append((key, f"`{key}` must map page ids to names"))
            continue
        for page, value in section.items():
            if page not in page_ids:
                problems.append((key, f"{key}: unknown page id {page!r}; use one from modules"))
            names = value if key == "icons" else [value]
            if key == "icons" and not (isinstance(value, list) and value):
                problems.append((key, f"icons.{page} must be a list of icon names"))
                continue
            folder = "images" if key == "images" else "icons"
            problems += [(key, f"{key}.{page}: {p}") for n in names
                         for p in svg_file_problems(root, folder, n)]
    return problems


def as_cards(html: str, icons: list[str]) -> str:
    """`html` with its first bullet list as cards, icon `icons[i]` before item i.

    ValueError naming both counts when the list has not exactly len(icons) items: an icon must
    never stand next to the wrong signal after a text edit."""
    found = _LIST.search(html)
    items = _ITEM.findall(found.group(1)) if found else []
    if len(items) != len(icons):
        raise ValueError(f"has {len(items)} list items but course.yaml gives {len(icons)} icons")
    cards = "".join(
        f'<li><svg class="icon" aria-hidden="true" focusable="false"><use href="#i-{icon}">'
        f'</use></svg><span>{item}</span></li>\n' for icon, item in zip(icons, items, strict=True))
    assert found is not None
    return f'{html[:found.start()]}<ul class="cards">\n{cards}</ul>{html[found.end():]}'


def icon_sprite(root: Path, names: set[str]) -> str:
    """One hidden inline <svg> holding a <symbol id="i-<name>"> per icon in `names`, sorted
    (deterministic), for `<use href="#i-name">` in the cards."""
    from lxml import etree

    symbols = []
    for name in sorted(names):
        svg = etree.fromstring((root / "icons" / f"{name}.svg").read_bytes())
        paint = " ".join(f'{k}="{v}"' for k, v in sorted(svg.attrib.items())
                         if k not in ("viewBox", "width", "height"))
        inner = "".join(etree.tostring(child, encoding="unicode") for child in svg)
        inner = inner.replace(' xmlns="http://www.w3.org/2000/svg"', "")
        symbols.append(f'<symbol id="i-{name}" viewBox="{svg.get("viewBox", "0 0 24 24")}">'
                       f'<g {paint}>{inner}</g></symbol>')
    if not symbols:
        return ""
    return ('<svg class="sprite" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
            f'focusable="false">{"".join(symbols)}</svg>')
