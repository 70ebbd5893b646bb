"""Markdown for page text: CommonMark without raw HTML, so translators cannot inject markup."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@lru_cache(maxsize=1)
def _md():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> str:
    """Markdown -> HTML fragment; raw HTML in the text is escaped, never passed through."""
    return _md().render(text).strip()


def word_count(text: str) -> int:
    """Words as a reader counts them (Markdown symbols and numbers-with-dots count once)."""
    return len(WORD.findall(text))


@lru_cache(maxsize=1)
def _full_md():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    # Images and raw HTML on, unlike _md(): to find them in a translation, not to render them.
    return MarkdownIt("commonmark")


def active_parts(text: str) -> list[str]:
    """What in a text is more than words and emphasis, described for an error message: each
    link or autolink ("a link to <href>"), image ("an image <src>") and piece of raw HTML
    ("raw HTML <tag"). A translation may carry only the parts its source has (issue #15)."""
    parts = []
    for token in _full_md().parse(text):
        if token.type == "html_block":
            parts.append(f"raw HTML {token.content.strip()[:20]}")
        for child in token.children or []:
            if child.type == "link_open":
                parts.append(f"a link to {child.attrs.get('href', '')}")
            elif child.type == "image":
                parts.append(f"an image {child.attrs.get('src', '')}")
            elif child.type == "html_inline":
                parts.append(f"raw HTML {child.content[:20]}")
    return sorted(parts)


def parts_not_in(text: str, source: str) -> list[str]:
    """active_parts() of `text` that `source` does not have (as many times)."""
    from collections import Counter

    return sorted((Counter(active_parts(text)) - Counter(active_parts(source))).elements())
