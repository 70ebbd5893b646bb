"""`build()`: course_src/ -> one zip per (language, format) in the output folder, plus one
all-languages zip (language "mul") per format that has one (cmi5)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.check import SIZE_BUDGET
from builder.course import load_source
from builder.formats import FORMATS, BuildOptions, MultiLanguageFormat
from builder.package import Shared, write_zip
from noroom.errors import SourceError

if TYPE_CHECKING:
    from builder.course import Course, CourseSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    path: Path
    format: str
    language: str
    size: int


# ISO 639-2 "multiple languages": the language of a package holding every language of a build.
MULTIPLE = "mul"


def package_name(course_id: str, language: str, fmt: str) -> str:
    return f"{course_id}_{language}_{fmt}.zip"


def combined_packages(courses: list[Course], fmts: list[str],
                      options: BuildOptions) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(format, files) of each all-languages package: for the formats that have one
    (`MultiLanguageFormat`), when the build has more than one language (with one, the
    per-language package is the same course without the detour through a launcher)."""
    if len(courses) < 2:
        return
    for name in fmts:
        fmt = FORMATS[name]
        if isinstance(fmt, MultiLanguageFormat):
            yield name, fmt.combined_files(courses, options)


def build(
    source_dir: Path,
    out_dir: Path,
    languages: Iterable[str] = (),
    formats: Iterable[str] = (),
    options: BuildOptions | None = None,
    country: str | None = None,
    progress: Callable[[Built], None] | None = None,
    strict: bool = False,
    release: bool = False,
) -> list[Built]:
    """Build packages; empty `languages`/`formats` mean all. SourceError on invalid source,
    with `strict` also on source warnings (which are otherwise logged), and with `release` when
    a language has a safety-critical key not reviewed against today's Dutch (one line per key;
    nothing is written then)."""
    source = load_source(source_dir)
    for warning in source.warnings:
        log.warning("%s", warning)
    if strict and source.warnings:
        raise SourceError(f"{len(source.warnings)} warning(s) with --strict; fix them first")
    langs = list(languages) or list(source.languages)
    unknown = [lang for lang in langs if lang not in source.languages]
    if unknown:
        raise SourceError(f"language {unknown[0]!r} is not in course.yaml languages "
                          f"({', '.join(source.languages)})", source_dir / "course.yaml")
    if release:
        _check_reviewed(source, langs)
    fmts = list(formats) or list(FORMATS)
    options = options or BuildOptions()
    built = []
    # Pipelined: a package is compressed on a pool thread (zlib releases the GIL) while the main
    # thread renders the next ones, so rendering and compressing overlap on every core.
    # Results are collected in submission order, so output and progress order are fixed.
    shared: Shared = {}  # members common to many packages are compressed once
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = []
        courses = [source.course(lang, country) for lang in langs]
        for course in courses:
            for name in fmts:
                path = out_dir / package_name(course.id, course.language, name)
                files = FORMATS[name].files(course, options)
                jobs.append((path, name, course.language,
                             pool.submit(write_zip, files, path, shared)))
        for name, files in combined_packages(courses, fmts, options):
            path = out_dir / package_name(courses[0].id, MULTIPLE, name)
            jobs.append((path, name, MULTIPLE, pool.submit(write_zip, files, path, shared)))
        for path, name, lang, future in jobs:
            item = Built(path, name, lang, future.result())
            if item.size > SIZE_BUDGET:
                log.warning("%s: %d KB, over the %d KB budget for a package without media; "
                            "keep media out of the package or shorten the course", path,
                            item.size // 1024, SIZE_BUDGET // 1024)
            built.append(item)
            if progress:
                progress(item)
    return built


def _check_reviewed(source: CourseSource, langs: list[str]) -> None:
    from builder.review import release_problems

    problems = release_problems(source, langs)
    if problems:
        summary = SourceError(f"{len(problems)} safety-critical translation(s) not reviewed; "
                              "--release built nothing (issue #13: every critical key is "
                              "reviewed against the Dutch before release)")
        raise SourceError(str(problems[0]), problems=[*problems, summary])
