"""xAPI (TinCan) package: tincan.xml with one launchable activity, the course IRI from
course.yaml (the same in every language and format), and the xAPI adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.formats.base import BuildOptions, course_files
from builder.render import template

if TYPE_CHECKING:
    from builder.course import Course


class XapiFormat:
    name = "xapi"
    label = "xAPI (TinCan)"

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        files = course_files(course, self.name, options, adapter="xapi")
        manifest = template("manifests/tincan.xml").render(course=course)
        return {**files, "tincan.xml": manifest.encode("utf-8")}
