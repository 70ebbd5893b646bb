"""Safety-critical keys and their review against the Dutch (issue #13 section 6).

    critical_keys(config, dutch) -> [key]              which keys a release needs reviewed
    critical_problems(config, dutch, path) -> [error]  a `critical_keys` entry matching no key
    review_status(text, dutch, keys, critical, states) -> ReviewStatus   counts for lint
    release_problems(source, langs) -> [error]         one per unreviewed critical key
    record_review(source, lang, keys, reviewer, on) -> int   the direct way to record a review
    review_signature(reviewer, on) -> (reviewer, date)      validated, for imports too

A key is *critical* when course.yaml `critical_keys` names it (an exact key or a glob such as
`pages.*-scenario.body`; an entry matching no key of the Dutch source is an error, so a renamed
key cannot silently drop out), and automatically when its Dutch text holds a contact placeholder
({emergency}, {police}, {anonymous_line}, {anonymous_phone}), 112 or another phone number, or
when it is per-country text (`pages.<id>.country.<CC>`).

A translation is *reviewed* while its record in text/state/<lang>.yaml says `state: reviewed`,
names the reviewer and holds the hashes of the Dutch and of the translation that were read side
by side (builder/xliff.py `reviewed_record`): a change to either text drops the key back to
needing review. `noroom build --release` refuses a language with a critical key not reviewed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.xliff import (
    _write_all,
    is_reviewed,
    load_states,
    reviewed_record,
    source_sha,
    state_path,
    states_text,
)
from noroom.errors import SourceError

if TYPE_CHECKING:
    from builder.course import CourseSource, TextFile

# A contact placeholder, a three-digit service number starting with 1 (112, 101, 116 000) or a
# longer phone number (0900 8844, +32 2 ...); not a figure such as 3.000 or a room number 214.
AUTO_CRITICAL = re.compile(r"\{(?:emergency|police|anonymous_line|anonymous_phone)\}"
                           r"|(?<![\w.,])(?:1\d\d|\+?\d[\d ]{5,}\d)(?![\w.,]?\d)")
REVIEWER_MAX = 100


def _patterns(config: dict[str, Any]) -> list[str]:
    entries = config.get("critical_keys") or []
    return [p for p in entries if isinstance(p, str)] if isinstance(entries, list) else []


def is_auto_critical(key: str, dutch: str) -> bool:
    return bool(AUTO_CRITICAL.search(dutch)) or ".country." in f".{key}."


def critical_keys(config: dict[str, Any], dutch: dict[str, str]) -> list[str]:
    """The critical keys of the course, in the Dutch file's order."""
    patterns = _patterns(config)
    return [k for k, text in dutch.items()
            if is_auto_critical(k, text) or any(fnmatchcase(k, p) for p in patterns)]


def critical_problems(config: Any, dutch: dict[str, str], path: Path) -> list[SourceError]:
    """`critical_keys` must be a list of keys or globs, each matching a key of the Dutch."""
    if "critical_keys" not in config:
        return []
    line = config.line_of("critical_keys") if hasattr(config, "line_of") else None
    entries = config["critical_keys"]
    if not isinstance(entries, list) or not all(isinstance(p, str) for p in entries):
        return [SourceError("critical_keys must be a list of text keys or globs such as "
                            "pages.*-scenario.body", path, line)]
    return [SourceError(f"critical_keys entry {p!r} matches no key of the source text; correct "
                        "it to a key of text/<source>.yaml or remove it", path, line)
            for p in entries if not any(fnmatchcase(k, p) for k in dutch)]


@dataclass(frozen=True)
class ReviewStatus:
    """How far one language is reviewed: counts over its keys, and the critical keys (with
    their lines) that a release still needs reviewed."""

    language: str
    path: Path
    keys: int
    reviewed: int
    lapsed: int  # reviewed once, but the Dutch or the translation changed since
    critical: int
    unreviewed_critical: tuple[tuple[str, int | None], ...]


def review_status(text: TextFile, dutch: dict[str, str], keys: list[str], critical: list[str],
                  states: dict[str, dict[str, str]]) -> ReviewStatus:
    """`keys` are the keys the language must translate; critical keys it lacks (per-country
    text not translated yet) are not counted."""
    def done(key: str) -> bool:
        return is_reviewed(states.get(key), dutch.get(key, ""), text.strings.get(key, ""))

    present = [k for k in critical if text.strings.get(k, "").strip()]
    counted = list(dict.fromkeys(keys + present))
    return ReviewStatus(
        text.language, text.path, len(counted), sum(map(done, counted)),
        sum(1 for k in counted if not done(k) and states.get(k, {}).get("state") == "reviewed"),
        len(present), tuple((k, text.lines.get(k)) for k in present if not done(k)))


def _why(record: dict[str, str] | None, dutch: str) -> str:
    if not record or record.get("state") != "reviewed":
        return "is not reviewed"
    if record.get("sha") != source_sha(dutch):
        return "was reviewed against an older Dutch text"
    return "changed after its review"


def release_problems(source: CourseSource, languages: list[str]) -> list[SourceError]:
    """One error per critical key of `languages` not reviewed against today's Dutch (file,
    line, key, what to do); the source language itself needs none."""
    dutch = source.texts[source.source_language].strings
    critical = critical_keys(source.config, dutch)
    problems = []
    for lang in languages:
        if lang == source.source_language:
            continue
        text, states = source.texts[lang], load_states(source.root, lang)
        status = review_status(text, dutch, source.required_keys(), critical, states)
        for key, line in status.unreviewed_critical:
            problems.append(SourceError(
                f"{key} is safety-critical and {_why(states.get(key), dutch[key])}; have it "
                f"reviewed against the Dutch (README, Translating: noroom review --lang {lang})",
                text.path, line))
    return problems


def record_review(source: CourseSource, lang: str, keys: list[str], reviewer: str,
                  on: str | None = None) -> int:
    """Record that `reviewer` read each key's translation against today's Dutch on `on`
    (YYYY-MM-DD, default today, UTC); returns how many reviews were new (a review that still
    holds is kept as it was). SourceError for an unknown or untranslated key or a
    reviewer that is empty or not one short line; nothing is written then."""
    if lang == source.source_language or lang not in source.languages:
        raise SourceError(f"language {lang!r} is not a target language of this course")
    reviewer, on = review_signature(reviewer, on)
    dutch, text = source.texts[source.source_language].strings, source.texts[lang]
    states = load_states(source.root, lang)
    recorded = 0
    for key in keys:
        if key not in dutch:
            raise SourceError(f"{key} is not a key of the source text; check its spelling")
        if not text.strings.get(key, "").strip():
            raise SourceError(f"{key} has no {lang} translation to review; translate it first",
                              text.path)
        if not is_reviewed(states.get(key), dutch[key], text.strings[key]):  # keep the first
            states[key] = reviewed_record(dutch[key], text.strings[key], reviewer, on)
            recorded += 1
    if recorded:
        _write_all({state_path(source.root, lang): states_text(states)})
    return recorded


def review_signature(reviewer: str, on: str | None = None) -> tuple[str, str]:
    """(reviewer, YYYY-MM-DD) as recorded: the reviewer as given, one printable line of at most
    REVIEWER_MAX characters (nothing else about the person is kept); the date `on`, default
    today (UTC). SourceError otherwise."""
    reviewer = reviewer.strip()
    if not reviewer or len(reviewer) > REVIEWER_MAX or not reviewer.isprintable():
        raise SourceError(f"give the reviewer as one line of at most {REVIEWER_MAX} characters, "
                          'e.g. --reviewer "A. Jansen, reviewer Polish"')
    if on is None:
        return reviewer, datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        return reviewer, datetime.date.fromisoformat(on).isoformat()
    except ValueError as exc:
        raise SourceError(f"date {on!r} is not YYYY-MM-DD; give the day of the review") from exc
