"""The one-method interface every package format implements, and what formats share.

A format turns one language of the course into `{path in zip: bytes}`; `builder.package` writes
the zip. A new format is one module here and one line in `builder.formats.FORMATS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from builder.render import render_index, runtime_css, runtime_data, runtime_script

if TYPE_CHECKING:
    from builder.brand import Brand
    from builder.course import Course


@dataclass(frozen=True)
class BuildOptions:
    """What a build adds to the course source: chain branding and tracking configuration."""

    brand: Brand | None = None
    tracking: dict[str, Any] = field(default_factory=dict)
    """Extra runtime settings (e.g. dual tracking to an LRS); embedded in the page data."""
    hotels: tuple[tuple[str, str], ...] = ()
    """(hotel code, name) the learner may enter (`--hotels`, issue 16); empty: any code of the
    course's pattern."""


class Format(Protocol):
    name: str
    label: str

    def files(self, course: Course, options: BuildOptions) -> dict[str, bytes]:
        """Every file of the package, keyed by its path inside the zip."""
        ...


@runtime_checkable
class MultiLanguageFormat(Format, Protocol):
    """A format that can also put every language of a build into one package (cmi5)."""

    def combined_files(self, courses: list[Course], options: BuildOptions) -> dict[str, bytes]:
        """Every file of the one package holding all `courses` (one per language, build order)."""
        ...


def course_files(course: Course, fmt_name: str, options: BuildOptions,
                 adapter: str | None, extra: dict[str, Any] | None = None) -> dict[str, bytes]:
    """index.html, runtime.css and runtime.js, plus the course's drawings and brand assets.

    `adapter` names the tracking adapters ("scorm", "xapi+cmi5", ...; None for no tracking);
    they are concatenated before the core into the one runtime.js (issue 3: one JS file)."""
    known = {"hotels": dict(options.hotels)} if options.hotels else {}
    data = runtime_data(course, fmt_name, {**(extra or {}), **options.tracking, **known})
    files = {
        "index.html": render_index(course, data, options.brand),
        "runtime.css": runtime_css(),
        "runtime.js": runtime_script(adapter),
    }
    files.update(course.assets)  # the drawings (issue 16), the same bytes in every format
    if options.brand:
        files.update(options.brand.files())
    return files


def package_identifier(course: Course, fmt_name: str) -> str:
    """Stable across rebuilds of one version, so a re-upload never orphans learners' progress."""
    return f"{course.id}-{course.version}-{course.language}-{fmt_name}".replace(".", "_")
