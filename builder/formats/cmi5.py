"""cmi5 package: cmi5.xml with one AU whose id is the course IRI (so cmi5 completions count like
any other), moveOn CompletedAndPassed and the course's mastery score; the cmi5 AU adapter.

One package per language, as for every format: the AU's statements carry that language, and the
learner's cmi5LearnerPreferences are not used to switch it (an LMS imports one package per
language it offers; all share the AU id)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.formats.base import BuildOptions, course_files
from builder.render import template

if TYPE_CHECKING:
    from builder.course import Course


class Cmi5Format:
    name = "cmi5"
    label = "cmi5"

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        # The AU adapter builds on the xAPI core: both go into runtime.js, core first.
        files = course_files(course, self.name, options, adapter="xapi+cmi5")
        manifest = template("manifests/cmi5.xml").render(course=course,
                                                         mastery=f"{course.mastery_score:g}")
        return {**files, "cmi5.xml": manifest.encode("utf-8")}
