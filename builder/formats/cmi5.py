"""cmi5 packages: cmi5.xml with one AU whose id is the course IRI (so cmi5 completions count like
any other), moveOn CompletedAndPassed and the course's mastery score; the cmi5 AU adapter.

Two kinds, same course and AU ids:
- one package per language (`files`), as for every format: the AU is that language;
- one package with every language of the build (`combined_files`, `<id>_mul_cmi5.zip`): the AU
  url is a launcher that takes the language from the learner's cmi5LearnerPreferences (or lets
  the learner choose) and opens `<lang>/index.html`. An LMS keys courses by course id, so this
  is the package to import when learners need more than one language (issue 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from builder.formats.base import BuildOptions, course_files
from builder.render import SNIPPETS, joined, script_json, template

if TYPE_CHECKING:
    from builder.course import Course

# The per-language page sits one folder down in the combined package; its shared assets do not.
_ASSETS = (('<link rel="stylesheet" href="runtime.css">',
            '<link rel="stylesheet" href="../runtime.css">'),
           ('<script src="runtime.js"></script>', '<script src="../runtime.js"></script>'))
_LOGO = ('<img class="logo" src="', '<img class="logo" src="../')  # only with a brand logo
_IMAGES = ('<img class="illus" src="images/', '<img class="illus" src="../images/')


class Cmi5Format:
    name = "cmi5"
    label = "cmi5"

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        # The AU adapter builds on the xAPI core: both go into runtime.js, core first.
        files = course_files(course, self.name, options, adapter="xapi+cmi5")
        return {**files, "cmi5.xml": _manifest([course])}

    def combined_files(self, courses: list[Course], options: BuildOptions) -> dict[str, bytes]:
        """The all-languages package of `courses` (in build order, the first is the launcher's
        fallback language): cmi5.xml, index.html (the launcher), `<lang>/index.html` per course,
        and runtime.js, runtime.css and brand files once at the root."""
        files: dict[str, bytes] = {}
        for course in courses:
            single = self.files(course, options)
            files[f"{course.language}/index.html"] = _one_folder_down(single.pop("index.html"))
            del single["cmi5.xml"]
            files.update(single)  # the same runtime and brand bytes for every language
        files["index.html"] = _launcher(courses, options)
        files["cmi5.xml"] = _manifest(courses)
        return files


def _manifest(courses: list[Course]) -> bytes:
    course = courses[0]
    return template("manifests/cmi5.xml").render(
        course=course, courses=courses, mastery=f"{course.mastery_score:g}").encode("utf-8")


def _one_folder_down(page: bytes) -> bytes:
    text = page.decode("utf-8")
    for old, new in _ASSETS:
        if text.count(old) != 1:
            # A bug, not bad input: pages/index.html changed how it links its assets.
            raise AssertionError(f"pages/index.html no longer has {old!r} once; update _ASSETS")
        text = text.replace(old, new)
    return text.replace(*_LOGO).replace(*_IMAGES).encode("utf-8")


def _launcher(courses: list[Course], options: BuildOptions) -> bytes:
    data = {"languages": [{"code": c.language, "notSaved": c.ui["not_saved"]} for c in courses]}
    data_json = script_json(data)
    # The token snippet the cmi5 adapter builds on too: one key and format by construction.
    script = joined([*SNIPPETS["cmi5"], "launcher.js"]).decode("utf-8")
    return template("pages/cmi5_launcher.html").render(
        first=courses[0], courses=courses, brand=options.brand, data_json=Markup(data_json),
        script=Markup(script)).encode("utf-8")
