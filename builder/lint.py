"""`lint()`: everything a translator or author should fix, and the reading time per path.

Unlike `load_source()`, which stops at the first broken file, lint reads what it can and reports
every problem: missing or stale translations, translations still identical to the Dutch,
placeholders and Markdown markup (bold, list items, headings) that differ from the Dutch,
links/images/raw HTML the Dutch does not have, pages missing in a language, strings over SCORM
limits, questions without a correct answer, images without alt text; plus the estimated
minutes per language and role path, and per language what is reviewed against the Dutch
(counts, and the safety-critical keys not reviewed, which `noroom build --release` refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder import yamlsource
from builder.course import (
    CONTACT_KEYS,
    TextFile,
    contact_values,
    country_strings,
    flatten,
    required_keys,
)
from builder.markdown import parts_not_in, word_count
from builder.render import DESCRIPTION_LIMIT, interaction_description
from noroom.errors import SourceError

if TYPE_CHECKING:
    from builder.review import ReviewStatus

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
IMAGE = re.compile(r"!\[([^\]]*)\]\(")
MARKUP = {"bold": re.compile(r"\*\*"), "list items": re.compile(r"^[ \t]*(?:- |\d+\. )", re.M),
          "headings": re.compile(r"^#{1,6} ", re.M)}
# A translation equal to the Dutch is probably a copy nobody translated yet. Short strings may be
# the same on purpose (a name, "Hotel", "OK"), so only texts of more than this many words count.
IDENTICAL_MIN_WORDS = 3


@dataclass(frozen=True)
class Finding:
    level: str  # "error" | "warning"
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.level}: {self.message}"


@dataclass(frozen=True)
class LeftOut:
    """A Markdown block a country's builds leave out: it uses a contact placeholder the country
    has no verified value for (`unverified`, every such contact of the country)."""

    country: str
    unverified: tuple[str, ...]
    language: str
    key: str
    block: str


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    reading: list[tuple[str, str, int, int, float, float | None]] = field(default_factory=list)
    """(language, role, words, questions, minutes at words_per_minute, minutes at
    second_language_words_per_minute or None when course.yaml sets none)."""
    slow_wpm: int | None = None
    """reading.second_language_words_per_minute (issue 16), for the reading table's header."""
    review: list[ReviewStatus] = field(default_factory=list)
    """Per target language: what is reviewed against the Dutch, and the critical keys not."""
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def add(self, level: str, path: Path, line: int | None, message: str) -> None:
        self.findings.append(Finding(level, path, line, message))


def _load(root: Path, report: LintReport) -> tuple[dict[str, Any], dict[str, TextFile]] | None:
    cfg_path = root / "course.yaml"
    try:
        config = yamlsource.load(cfg_path)
    except SourceError as exc:
        report.add("error", cfg_path, exc.line, exc.message)
        return None
    texts = {}
    for lang in config.get("languages", []):
        path = root / "text" / f"{lang}.yaml"
        try:
            data = yamlsource.load(path)
            strings, lines = flatten(data or {}, path)
            texts[lang] = TextFile(lang, path, strings, lines)
        except SourceError as exc:
            report.add("error", exc.path or path, exc.line, exc.message)
    return config, texts


def lint(root: Path) -> LintReport:
    report = LintReport()
    loaded = _load(Path(root), report)
    if loaded is None:
        return report
    config, texts = loaded
    source_lang = config.get("source_language", "nl")
    if source_lang not in texts:
        return report
    src = texts[source_lang]
    keys = required_keys(config, src.strings)
    cfg_path = Path(root) / "course.yaml"
    for q in config.get("quiz", {}).get("questions", []):
        if q.get("correct") not in (q.get("options") or []):
            report.add("error", cfg_path, getattr(q, "line", None),
                       f"question {q.get('id')} has no correct answer among its options")
    pages = [p for m in config.get("modules", []) for p in m.get("pages", [])]
    from builder.xliff import load_states, source_sha

    for lang, text in texts.items():
        states = load_states(Path(root), lang) if lang != source_lang else {}
        for page in pages:
            if not text.strings.get(f"pages.{page}.body", "").strip():
                report.add("error", text.path, text.lines.get(f"pages.{page}"),
                           f"page {page} is missing in {lang}")
        for key in keys:
            value, line = text.strings.get(key, ""), text.lines.get(key)
            if not value.strip():
                page_missing = key.startswith("pages.") and key.endswith(".body")
                if not page_missing:  # a missing page is reported once, above
                    report.add("error", text.path, line or text.lines.get(key.rsplit(".", 1)[0]),
                               f"missing translation for {key}")
                continue
            _check_string(report, text, key, value, src.strings.get(key, ""), lang,
                          source_lang)
            record = states.get(key)
            if record and record.get("sha") != source_sha(src.strings.get(key, "")):
                report.add("warning", text.path, line, f"stale translation of {key}: the Dutch "
                           "changed since; review it (noroom xliff export)")
        _reading_time(report, config, text)
    _review(report, Path(root), config, texts, source_lang, keys)
    _countries(report, config, texts)
    _decorative_images(report, config, src, cfg_path)
    return report


def _decorative_images(report: LintReport, config: dict[str, Any], src: TextFile,
                       cfg_path: Path) -> None:
    """Issue 16: a drawing without alt text is shown as decorative (alt=""); say so, since a
    drawing usually carries meaning for a second-language reader."""
    images = config.get("images") or {}
    for name in sorted(set(images.values()) if isinstance(images, dict) else ()):
        if not str(src.strings.get(f"images.{name}.alt", "")).strip():
            first_page = next(p for p, n in images.items() if n == name)
            line = images.line_of(first_page) if hasattr(images, "line_of") else None
            report.add("warning", cfg_path, line, f"drawing {name} has no alt text, so it is "
                       f"shown as decorative; write images.{name}.alt in {src.path.name} if it "
                       "carries meaning")


def _review(report: LintReport, root: Path, config: dict[str, Any], texts: dict[str, TextFile],
            source_lang: str, keys: list[str]) -> None:
    from builder.review import critical_keys, critical_problems, review_status
    from builder.xliff import load_states

    dutch = texts[source_lang].strings
    for problem in critical_problems(config, dutch, root / "course.yaml"):
        report.add("error", Path(problem.path or ""), problem.line, problem.message)
    critical = critical_keys(config, dutch)
    for lang, text in texts.items():
        if lang != source_lang:
            report.review.append(review_status(text, dutch, keys, critical,
                                               load_states(root, lang)))


def _words(blocks: list[str]) -> int:
    return sum(len(PLACEHOLDER.sub("", b).split()) for b in blocks)


def _countries(report: LintReport, config: dict[str, Any], texts: dict[str, TextFile]) -> None:
    """Issue #13: per country, what its builds leave out for want of a verified contact, and
    the texts that would make its build refused (a placeholder outside a Markdown block)."""
    source_lang = config.get("source_language", "nl")
    for country, values in (config.get("contacts") or {}).items():
        fill = contact_values(values)
        unverified = tuple(k for k in CONTACT_KEYS if k not in fill)
        source_left = country_strings(texts[source_lang].strings, country, fill)[1]
        for lang, text in texts.items():
            strings, left = country_strings(text.strings, country, fill)
            for key, blocks in left.items():
                report.left_out += [LeftOut(country, unverified, lang, key, b) for b in blocks]
                # The same sentences must go in every language: a translation that joined
                # the Dutch paragraphs would lose more than the Dutch does.
                if lang != source_lang and _words(blocks) > 1.5 * _words(source_left.get(key, [])):
                    report.add("warning", text.path, text.lines.get(key), f"the {country} "
                               f"builds leave more of {key} out in {lang} than in {source_lang}; "
                               f"keep the {source_lang} paragraphs and list items apart")
            for key, value in strings.items():
                names = {n for n in PLACEHOLDER.findall(value) if n[1:-1] in unverified}
                if names and not key.startswith("ui."):
                    report.add("error", text.path, text.lines.get(key), f"{key} uses "
                               f"{', '.join(sorted(names))}, which contacts.{country} has no "
                               f"verified value for: `noroom build --country {country}` is "
                               "refused; add the value or move it into a paragraph of a page")


def _check_string(report: LintReport, text: TextFile, key: str, value: str, source: str,
                  lang: str, source_lang: str) -> None:
    line = text.lines.get(key)
    for alt in IMAGE.findall(value):
        if not alt.strip():
            report.add("error", text.path, line, f"image without alt text in {key}; describe "
                       "it between the brackets: ![what it shows](file.svg)")
    if key.startswith("questions.") and key.endswith(".prompt"):
        if len(re.sub(r"\s+", " ", value).strip()) > DESCRIPTION_LIMIT:
            shown = interaction_description(value)
            report.add("warning", text.path, line, f"{key} is over SCORM's {DESCRIPTION_LIMIT} "
                       f"characters for an interaction description; the LMS gets {shown[:40]!r}…")
    if lang == source_lang:
        return
    if value.strip() == source.strip() and word_count(source) > IDENTICAL_MIN_WORDS:
        report.add("warning", text.path, line, f"{key} is identical to the {source_lang} source; "
                   f"translate it into {lang} (noroom xliff export --lang {lang})")
    if sorted(PLACEHOLDER.findall(value)) != sorted(PLACEHOLDER.findall(source)):
        report.add("error", text.path, line, f"placeholders in {key} differ from the source: "
                   f"{sorted(set(PLACEHOLDER.findall(source)))} expected")
    for part in parts_not_in(value, source):
        report.add("error", text.path, line, f"{key} has {part}, which the {source_lang} source "
                   "does not have; remove it (a translation keeps only the source's links)")
    for name, pattern in MARKUP.items():
        if len(pattern.findall(value)) != len(pattern.findall(source)):
            report.add("error", text.path, line, f"{name} in {key} differ from the source "
                       f"({len(pattern.findall(value))} here, {len(pattern.findall(source))} in "
                       f"{source_lang})")


def _reading_time(report: LintReport, config: dict[str, Any], text: TextFile) -> None:
    reading = config.get("reading", {})
    wpm = reading.get("words_per_minute", 200)
    per_q = reading.get("seconds_per_question", 45)
    low, high = reading.get("minimum_minutes", 15), reading.get("maximum_minutes", 25)
    # Issue 16: a second-language reader reads slower; reported, not held to the range.
    slow = report.slow_wpm = reading.get("second_language_words_per_minute")
    for role in config.get("roles", []):
        modules = [m for m in config.get("modules", []) if m.get("role") in (None, role)]
        ids = {m["id"] for m in modules}
        words = sum(word_count(text.strings.get(f"pages.{p}.title", "") + " " +
                               text.strings.get(f"pages.{p}.body", ""))
                    for m in modules for p in m.get("pages", []))
        questions = [q for q in config.get("quiz", {}).get("questions", [])
                     if q.get("module") in ids]
        minutes = words / wpm + len(questions) * per_q / 60
        slow_minutes = words / slow + len(questions) * per_q / 60 if slow else None
        report.reading.append((text.language, role, words, len(questions), minutes,
                               slow_minutes))
        if not low <= minutes <= high:
            report.add("warning", text.path, None, f"the {role} path takes about {minutes:.0f} "
                       f"minutes in {text.language}, outside {low}-{high}")
