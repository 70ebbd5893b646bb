"""`build()`: course_src/ -> one zip per (language, format) in the output folder."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from builder.check import SIZE_BUDGET
from builder.course import load_source
from builder.formats import FORMATS, BuildOptions
from builder.package import Shared, write_zip
from noroom.errors import SourceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    path: Path
    format: str
    language: str
    size: int


def package_name(course_id: str, language: str, fmt: str) -> str:
    return f"{course_id}_{language}_{fmt}.zip"


def build(
    source_dir: Path,
    out_dir: Path,
    languages: Iterable[str] = (),
    formats: Iterable[str] = (),
    options: BuildOptions | None = None,
    country: str | None = None,
    progress: Callable[[Built], None] | None = None,
    strict: bool = False,
) -> list[Built]:
    """Build packages; empty `languages`/`formats` mean all. SourceError on invalid source,
    and with `strict` also on source warnings (which are otherwise logged)."""
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
    fmts = list(formats) or list(FORMATS)
    options = options or BuildOptions()
    built = []
    # Pipelined: a package is compressed on a pool thread (zlib releases the GIL) while the main
    # thread renders the next ones, so rendering and compressing overlap on every core.
    # Results are collected in submission order, so output and progress order are fixed.
    shared: Shared = {}  # members common to many packages are compressed once
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = []
        for lang in langs:
            course = source.course(lang, country)
            for name in fmts:
                path = out_dir / package_name(course.id, lang, name)
                files = FORMATS[name].files(course, options)
                jobs.append((path, name, lang, pool.submit(write_zip, files, path, shared)))
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
