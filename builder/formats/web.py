"""Plain web: the course as a static folder, no LMS; progress kept in the browser (issue 16)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from builder.formats.base import BuildOptions, course_files

if TYPE_CHECKING:
    from builder.course import Course

# The welcome page's list item that says "your progress is saved" (issue 16): in the web package
# progress is kept in this browser on this device only, so that item reads ui.web_progress.
# `noroom lint` holds every language to the Dutch list markup, so the item is the same in all.
PROGRESS_ITEM = ("welcome", 4)


class WebFormat:
    name = "web"
    label = "Plain web (progress kept in the browser)"

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        files = course_files(course, self.name, options, adapter="web")
        files["index.html"] = web_welcome(files["index.html"], course)
        return files


def web_welcome(index: bytes, course: Course) -> bytes:
    """index.html with the welcome page's progress item replaced by ui.web_progress; unchanged
    when the course has no such text or item (a course of its own, e.g. a test fixture)."""
    from markupsafe import escape

    text = course.ui.get("web_progress", "")
    page, n = PROGRESS_ITEM
    html = index.decode("utf-8")
    section = re.search(rf'<section class="step" data-step="page:{page}".*?</section>', html,
                        re.S)
    if not text or not section:
        return index
    items = list(re.finditer(r"<li>.*?</li>", section.group(0), re.S))
    if len(items) < n:
        return index
    item = items[n - 1]
    start, end = section.start() + item.start(), section.start() + item.end()
    return (html[:start] + f"<li>{escape(text)}</li>" + html[end:]).encode("utf-8")
