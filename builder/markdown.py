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
