"""`build()`: course_src/ -> one zip per (language, format) in the output folder."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.course import load_source
from builder.formats import FORMATS, BuildOptions
from builder.package import write_zip
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
    for lang in langs:
        course = source.course(lang, country)
        for name in fmts:
            files = FORMATS[name].files(course, options)
            path = out_dir / package_name(course.id, lang, name)
            item = Built(path, name, lang, write_zip(files, path))
            built.append(item)
            if progress:
                progress(item)
    return built
