"""SCORM 1.2 and SCORM 2004 4th Edition: one SCO, the official XSDs at the zip root."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from builder.formats.base import BuildOptions, course_files, package_identifier
from builder.render import template

if TYPE_CHECKING:
    from builder.course import Course


@lru_cache(maxsize=4)
def schema_files(edition: str) -> dict[str, bytes]:
    """The ADL/IMS schema files that must travel in the package root (SCORM CAM)."""
    folder = resources.files("builder").joinpath("schemas", edition)
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir(), key=lambda f: f.name)
            if f.name.endswith((".xsd", ".dtd"))}


class _Scorm:
    name = ""
    label = ""
    edition = ""
    scorm = ""

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        files = {**course_files(course, self.name, options, adapter=self.adapter(options),
                                extra={"scorm": self.scorm}),
                 **schema_files(self.edition)}
        identifier = package_identifier(course, self.name)
        # Every file but the manifest itself is a <file> of the SCO, the schemas included
        # (issue 3: "every file in the zip is listed in the resource").
        manifest = template(f"manifests/{self.name}.xml").render(
            course=course, identifier=identifier, files=sorted(files),
            mastery=round(course.mastery_score * 100), scaled=f"{course.mastery_score:.2f}",
        )
        return {**files, "imsmanifest.xml": manifest.encode("utf-8")}

    def adapter(self, options: BuildOptions) -> str:
        # Dual tracking: the xAPI core first, then the SCORM adapter, then the LRS wrapper.
        return "xapi+scorm+lrs" if options.tracking.get("lrs") else "scorm"


class Scorm12Format(_Scorm):
    name = "scorm12"
    label = "SCORM 1.2"
    edition = "scorm12"
    scorm = "1.2"


class Scorm2004Format(_Scorm):
    name = "scorm2004"
    label = "SCORM 2004 4th Edition"
    edition = "scorm2004"
    scorm = "2004"
