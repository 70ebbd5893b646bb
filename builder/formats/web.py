"""Plain web: the course as a static folder, no tracking (preview, intranet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.formats.base import BuildOptions, course_files

if TYPE_CHECKING:
    from builder.course import Course


class WebFormat:
    name = "web"
    label = "Plain web (no tracking)"

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        return course_files(course, self.name, options, adapter=None)
