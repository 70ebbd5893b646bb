"""Load and validate `course_src/` into a `Course` model per language.

    source = load_source(Path("course_src"))      # SourceError listing every problem, file:line
    course = source.course("pl", country="NL")    # frozen Course, Markdown rendered to HTML

course.yaml holds the structure (modules, pages, roles, questions, configuration, vocabulary);
text/<lang>.yaml holds every learner-facing string under dotted keys (`pages.welcome.body`).
The source language's file defines which keys exist; every other language must translate each.
A page may carry country notes, `pages.<id>.country.<CC>`, shown after its body in CC's builds
only; a country's build leaves out the Markdown blocks naming a contact it has no value for
(issue #13, README "Countries").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder import yamlsource
from builder.yamlsource import Located
from noroom.errors import NoroomError, SourceError
from noroom.vocabulary import Vocabulary, vocabulary_from_dict

COURSE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
CONTACT_KEYS = ("emergency", "police", "anonymous_line", "anonymous_phone", "support_line")
# Placeholders the runtime fills in UI strings; contacts are filled at build time.
UI_PLACEHOLDERS = {"n", "total", "score", "mastery", "example", "hotel", "page"}
# ui strings that name a contact (issue 16: the content note offers a confidential support line
# only where course.yaml has a verified one): filled and left out like a page's Markdown block.
CONTACT_UI_KEYS = frozenset({"ui.support_note"})
# The ui strings the pages and the runtime show (`ui.<key>` in templates and runtime code, and
# the keys passed to notify()): every course must have them in every language, or a learner
# would read "undefined" (tests/builder/test_course_source.py keeps this list in step with the
# code).
RUNTIME_UI_KEYS = frozenset({
    "back", "check_answer", "choose_answer_first", "choose_role_intro", "choose_role_title",
    "correct", "dismiss", "finish", "finished", "finished_retake", "hotel_confirm",
    "hotel_confirm_no", "hotel_confirm_yes", "hotel_hint", "hotel_invalid", "hotel_label",
    "hotel_title", "hotel_unknown", "incorrect", "language_name", "next", "not_saved", "page_of",
    "progress_label", "question_of", "quiz_intro", "quiz_title", "read_aloud", "read_stop",
    "result_failed", "result_passed", "result_review", "result_title", "result_unseen",
    "resume_no", "resume_question", "resume_title", "resume_where", "resume_yes", "retry",
    "review_mode", "save_failed", "save_refused", "save_restored", "skip_link", "web_saved",
})
# Issue 16 sections 2 and 3: the quiz's feedback, the missed-question list, the take-away card.
RUNTIME_UI_KEYS |= {"card_print", "card_title", "missed_title", "quiz_count", "right_answer",
                    "your_answer"}


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    feedback: str


@dataclass(frozen=True)
class Choice:
    """A practice choice (issue 16 §1): "What would you do?" on a scenario page (`page` set:
    asked before the page's model answer) or a check of its own after module `after`. Never
    scored, never sent to an LMS or LRS; `best` is the best option's id."""

    id: str
    page: str | None
    after: str | None
    question: str
    options: tuple[Option, ...]
    best: str
    explanation: str


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    prompt_html: str
    prompt_text: str
    options: tuple[Option, ...]
    correct: str


@dataclass(frozen=True)
class Page:
    id: str
    module: str
    title: str
    html: str
    words: int
    image: str = ""
    """Path in the package of the page's drawing (issue 16), or ""."""
    image_alt: str = ""
    """The drawing's alt text; "" marks it decorative."""


@dataclass(frozen=True)
class Module:
    id: str
    role: str | None
    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Course:
    """One language of the course, ready to render."""

    id: str
    version: str
    language: str
    languages: tuple[str, ...]
    title: str
    description: str
    content_note_html: str
    ui: dict[str, str]
    roles: tuple[Role, ...]
    modules: tuple[Module, ...]
    questions: tuple[Question, ...]
    mastery_score: float
    vocabulary: Vocabulary
    hotel_pattern: str
    hotel_example: str
    country: str
    assets: dict[str, bytes] = field(default_factory=dict)
    """Files every package carries besides the pages and runtime (the drawings), by zip path."""
    icon_sprite: str = ""
    """Inline <svg> with a <symbol> per signal icon the cards use, or ""."""
    # The country's verified contact values (course.yaml contacts), as filled into the text:
    # the renderer makes the phone numbers among them tel: links (issue 16 section 3).
    contacts: dict[str, str] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    """Scenario choices, then checks, in course.yaml order (the runtime bookmarks them so)."""
    practice: dict[str, str] = field(default_factory=dict)
    """The practice words (`practice.<key>`): question, not_scored, choose_first, ..."""

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(p for m in self.modules for p in m.pages)

    def path_modules(self, role: str) -> tuple[Module, ...]:
        """Modules one role's learner takes: the shared ones and the role's own, in order."""
        return tuple(m for m in self.modules if m.role in (None, role))

    def path_questions(self, role: str) -> tuple[Question, ...]:
        ids = {m.id for m in self.path_modules(role)}
        return tuple(q for q in self.questions if q.module in ids)


@dataclass(frozen=True)
class TextFile:
    """The strings of one language: dotted key -> text, and key -> line."""

    language: str
    path: Path
    strings: dict[str, str]
    lines: dict[str, int]


@dataclass
class _Problems:
    """Collects every problem, so one run reports them all (like mkdocs' config validation)."""

    items: list[NoroomError] = field(default_factory=list)

    def add(self, message: str, path: Path | str, line: int | None = None) -> None:
        self.items.append(SourceError(message, path, line))

    def raise_if_any(self) -> None:
        if self.items:
            raise SourceError(str(self.items[0]), problems=list(self.items))


@dataclass(frozen=True)
class CourseSource:
    """The validated course_src/ tree; `course(lang)` gives one language's model."""

    root: Path
    config: dict[str, Any]
    texts: dict[str, TextFile]
    vocabulary: Vocabulary
    warnings: tuple[str, ...] = ()
    """Unknown keys and similar: `file:line: ...`; `noroom build --strict` makes them fatal."""

    @property
    def id(self) -> str:
        return str(self.config["id"])

    @property
    def version(self) -> str:
        return str(self.config["version"])

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.config["languages"])

    @property
    def source_language(self) -> str:
        return str(self.config["source_language"])

    def required_keys(self) -> list[str]:
        """Every dotted key a language file must translate, in a stable order."""
        return required_keys(self.config, self.texts[self.source_language].strings)

    def contacts(self, country: str) -> dict[str, str]:
        """The verified contact values of `country` (course.yaml contacts); SourceError for a
        country course.yaml does not know."""
        contacts = self.config.get("contacts", {})
        if country not in contacts:
            known = ", ".join(sorted(contacts))
            raise SourceError(f"no contacts for country {country!r}; known: {known}",
                              self.root / "course.yaml")
        return contact_values(contacts[country])

    def course(self, language: str, country: str | None = None) -> Course:
        from builder.markdown import render_markdown, word_count

        if language not in self.texts:
            raise SourceError(f"language {language!r} is not in course.yaml languages")
        cfg = self.config
        country = country or cfg.get("default_country", "NL")
        fill = self.contacts(country)
        s, _ = country_strings(self.texts[language].strings, country, fill)
        self._check_contacts(country, fill, s)

        def md(key: str) -> str:
            return render_markdown(_fill(s.get(key, ""), fill))

        def body(pid: str) -> str:
            # Issue #13: a page's body is country-neutral; what only holds in one country
            # (statistics, a law, a national organisation) is `pages.<id>.country.<CC>`, shown
            # after the body in that country's builds only.
            note = s.get(f"pages.{pid}.country.{country}", "")
            return s[f"pages.{pid}.body"] + ("\n\n" + note if note.strip() else "")

        modules = []
        for m in cfg["modules"]:
            pages = tuple(
                Page(pid, m["id"], s[f"pages.{pid}.title"],
                     self._page_html(language, pid, body(pid), fill),
                     word_count(_fill(body(pid), fill)) + word_count(s[f"pages.{pid}.title"]),
                     *self._image(s, pid))
                for pid in m["pages"]
            )
            modules.append(Module(m["id"], m.get("role"), s[f"modules.{m['id']}.title"], pages))
        questions = tuple(
            Question(
                q["id"], q["module"], md(f"questions.{q['id']}.prompt"),
                _fill(s[f"questions.{q['id']}.prompt"], fill).strip(),
                tuple(Option(o, _fill(s[f"questions.{q['id']}.options.{o}.text"], fill),
                             _fill(s[f"questions.{q['id']}.options.{o}.feedback"], fill))
                      for o in q["options"]),
                q["correct"],
            )
            for q in cfg["quiz"]["questions"]
        )
        return Course(
            id=self.id, version=self.version, language=language, languages=self.languages,
            title=s["course.title"], description=s["course.description"],
            # Issue 16: the note offers a support line only where the country has a verified one
            # (ui.support_note is left out otherwise, like a page's paragraph).
            content_note_html="\n".join(h for h in (md("course.content_note"),
                                                     md("ui.support_note")) if h),
            ui={k[3:]: v for k, v in s.items() if k.startswith("ui.")},
            roles=tuple(Role(r, s[f"roles.{r}.name"], s.get(f"roles.{r}.description", ""))
                        for r in cfg["roles"]),
            modules=tuple(modules), questions=questions,
            mastery_score=float(cfg["mastery_score"]), vocabulary=self.vocabulary,
            hotel_pattern=cfg["hotel_code"]["pattern"], hotel_example=cfg["hotel_code"]["example"],
            country=country, assets=self._assets(), icon_sprite=self._sprite(),
            contacts=fill, choices=_choices(cfg, s, fill),
            practice={k[9:]: v for k, v in s.items() if k.startswith("practice.")},
        )

    def _page_html(self, language: str, pid: str, text: str, fill: dict[str, str]) -> str:
        """The page body as HTML; its first list as cards when course.yaml gives it icons."""
        from builder.illustrations import as_cards
        from builder.markdown import render_markdown

        html = render_markdown(_fill(text, fill))
        icons = (self.config.get("icons") or {}).get(pid)
        if not icons:
            return html
        try:
            return as_cards(html, list(icons))
        except ValueError as exc:
            t = self.texts[language]
            raise SourceError(f"pages.{pid}.body {exc}; give icons.{pid} in course.yaml one "
                              "icon per list item, in order", t.path,
                              t.lines.get(f"pages.{pid}.body")) from exc

    def _image(self, s: dict[str, str], pid: str) -> tuple[str, str]:
        from builder.illustrations import image_path

        name = (self.config.get("images") or {}).get(pid)
        return (image_path(name), s.get(f"images.{name}.alt", "").strip()) if name else ("", "")

    def _assets(self) -> dict[str, bytes]:
        from builder.illustrations import image_path

        names = sorted(set((self.config.get("images") or {}).values()))
        return {image_path(n): (self.root / "images" / f"{n}.svg").read_bytes() for n in names}

    def _sprite(self) -> str:
        from builder.illustrations import icon_sprite

        return icon_sprite(self.root, {i for v in (self.config.get("icons") or {}).values()
                                       for i in v})


    def _check_contacts(self, country: str, fill: dict[str, str], strings: dict[str, str]) -> None:
        """A country may lack a contact nobody has verified yet. Markdown blocks naming it are
        already left out (`country_strings`); one left elsewhere (an answer option, feedback)
        refuses the build rather than print a wrong number or a bare {placeholder}."""
        used = {name for key, text in strings.items() if not key.startswith("ui.")
                for name in PLACEHOLDER.findall(text)}
        missing = sorted(used - set(fill))
        if missing:
            contacts = self.config["contacts"]
            line = contacts.line_of(country) if isinstance(contacts, Located) else None
            raise SourceError(f"contacts.{country} has no {', '.join(missing)}, which the course "
                              f"text uses; add verified values before building with --country "
                              f"{country}", self.root / "course.yaml", line)


def _choices(cfg: dict[str, Any], s: dict[str, str], fill: dict[str, str]) -> tuple[Choice, ...]:
    def options(prefix: str, ids: list[str]) -> tuple[Option, ...]:
        return tuple(Option(o, _fill(s[f"{prefix}.{o}.text"], fill),
                            _fill(s[f"{prefix}.{o}.feedback"], fill)) for o in ids)

    scenarios = tuple(Choice(c["page"], c["page"], None, s["practice.question"],
                             options(f"pages.{c['page']}.choice", c["options"]), c["best"], "")
                      for c in cfg.get("scenarios", []))
    checks = tuple(Choice(c["id"], None, c["after"], _fill(s[f"checks.{c['id']}.question"], fill),
                          options(f"checks.{c['id']}.options", c["options"]), c["best"],
                          _fill(s[f"checks.{c['id']}.explanation"], fill))
                   for c in cfg.get("checks", []))
    return scenarios + checks


def contact_values(values: dict[str, Any] | None) -> dict[str, str]:
    """One country's contacts as placeholder values; an empty value counts as not verified."""
    return {k: str(v) for k, v in (values or {}).items() if str(v).strip()}


LIST_ITEM = re.compile(r"(?:[-*+]|\d+[.)])[ \t]")
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def is_markdown(key: str) -> bool:
    """Keys rendered as Markdown blocks: page bodies and country notes, question prompts and
    the content note. Answer options and titles are single strings, nothing to leave out."""
    return (key in ("course.content_note", *CONTACT_UI_KEYS) or (key.startswith("questions.") and
            key.endswith(".prompt")) or (key.startswith("pages.") and
            (key.endswith(".body") or country_note(key) is not None)))


def country_text(text: str, fill: dict[str, str]) -> tuple[str, list[str]]:
    """(`text` without the Markdown blocks that use a contact placeholder `fill` has no value
    for, those blocks). A block is a paragraph (or heading) between blank lines, or one item of
    a list with its continuation lines (issue #13: a country without a verified anonymous line
    builds without the sentences that name one, instead of being refused)."""
    def unverified(block: str) -> bool:
        return any(n in CONTACT_KEYS and n not in fill for n in PLACEHOLDER.findall(block))

    if not unverified(text):
        return text, []
    kept, dropped = [], []
    for chunk in BLANK_LINE.split(text):
        items: list[list[str]] = []
        for line in chunk.split("\n"):
            if not items or (LIST_ITEM.match(line) and LIST_ITEM.match(items[0][0])):
                items.append([line])
            else:
                items[-1].append(line)
        blocks = ["\n".join(lines) for lines in items]
        dropped += [b.strip("\n") for b in blocks if unverified(b)]
        if any(not unverified(b) for b in blocks):
            kept.append("\n".join(b for b in blocks if not unverified(b)))
    result = "\n\n".join(kept)
    return result + ("\n" if text.endswith("\n") and not result.endswith("\n") else ""), dropped


def country_strings(strings: dict[str, str], country: str, fill: dict[str, str],
                    ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """One language's strings as `country`'s build uses them, and what it leaves out (key ->
    blocks): other countries' notes go, and so does every Markdown block that uses a contact
    the country has no verified value for (`country_text`)."""
    out, left_out = {}, {}
    for key, text in strings.items():
        code = country_note(key)
        if code is not None and code != country:
            continue
        if is_markdown(key):
            text, dropped = country_text(text, fill)
            if dropped:
                left_out[key] = dropped
        out[key] = text
    return out, left_out


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def required_keys(config: dict[str, Any], source_strings: dict[str, str]) -> list[str]:
    """Keys every language needs: the runtime's ui keys, structure-derived keys, plus the source
    file's ui/course keys."""
    keys = ["course.title", "course.description"]
    keys += [f"ui.{k}" for k in sorted(RUNTIME_UI_KEYS)]
    # materials.*: the few words of the communication pack the course does not say (issue 17 §4)
    keys += [k for k in source_strings if k.startswith(("ui.", "course.", "materials."))
             and k not in keys]
    for r in config["roles"]:
        keys += [f"roles.{r}.name", f"roles.{r}.description"]
    for m in config["modules"]:
        keys.append(f"modules.{m['id']}.title")
        for p in m["pages"]:
            keys += [f"pages.{p}.title", f"pages.{p}.body"]
            keys += sorted(k for k in source_strings if k.startswith(f"pages.{p}.country."))
    # A drawing's alt text, once its source language has one (without it the drawing is
    # decorative, and `noroom lint` says so).
    keys += [f"images.{n}.alt" for n in sorted(set((config.get("images") or {}).values()))
             if f"images.{n}.alt" in source_strings]
    keys += choice_keys(config)
    for q in config["quiz"]["questions"]:
        keys.append(f"questions.{q['id']}.prompt")
        for o in q["options"]:
            keys += [f"questions.{q['id']}.options.{o}.text",
                     f"questions.{q['id']}.options.{o}.feedback"]
    return keys


PRACTICE_KEYS = ("question", "not_scored", "choose_first", "right", "wrong", "best",
                 "check_title")


def choice_keys(config: dict[str, Any]) -> list[str]:
    """The text keys of the practice choices (issue 16 §1): the shared words, each scenario's
    options and each check's question, options and explanation."""
    keys = [f"practice.{k}" for k in PRACTICE_KEYS] if config.get("scenarios") or \
        config.get("checks") else []
    for c in config.get("scenarios", []):
        keys += [f"pages.{c['page']}.choice.{o}.{part}" for o in c["options"]
                 for part in ("text", "feedback")]
    for c in config.get("checks", []):
        keys.append(f"checks.{c['id']}.question")
        keys += [f"checks.{c['id']}.options.{o}.{part}" for o in c["options"]
                 for part in ("text", "feedback")]
        keys.append(f"checks.{c['id']}.explanation")
    return keys


def flatten(data: Any, path: Path, prefix: str = "") -> tuple[dict[str, str], dict[str, int]]:
    """Dotted keys -> strings and -> lines. Non-string leaves become SourceError."""
    strings: dict[str, str] = {}
    lines: dict[str, int] = {}
    if not isinstance(data, dict):
        raise SourceError("must be a mapping of sections (course, ui, pages, ...)", path, 1)
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        line = data.line_of(key) if isinstance(data, Located) else 0
        if isinstance(value, dict):
            sub_s, sub_l = flatten(value, path, dotted + ".")
            strings.update(sub_s)
            lines.update(sub_l)
            lines[dotted] = line  # sections have lines too, for errors about a whole entry
        elif isinstance(value, str):
            strings[dotted] = value
            lines[dotted] = line
        elif value is None:
            strings[dotted] = ""
            lines[dotted] = line
        else:
            raise SourceError(f"{dotted} must be text, not {type(value).__name__}; quote it",
                              path, line)
    return strings, lines


def load_text(path: Path, language: str) -> TextFile:
    data = yamlsource.load(path)
    strings, lines = flatten(data or Located(), path)
    return TextFile(language, path, strings, lines)


def load_source(root: Path | str = "course_src") -> CourseSource:
    """Load and validate course_src/. Raises SourceError carrying every problem found."""
    root = Path(root)
    cfg_path = root / "course.yaml"
    config = yamlsource.load(cfg_path)
    problems = _Problems()
    _validate_config(config, cfg_path, problems)
    problems.raise_if_any()
    vocabulary = vocabulary_from_dict(config["vocabulary"], cfg_path)
    texts: dict[str, TextFile] = {}
    for lang in config["languages"]:
        try:
            texts[lang] = load_text(root / "text" / f"{lang}.yaml", lang)
        except SourceError as exc:
            problems.items.append(exc)
    problems.raise_if_any()
    source = CourseSource(root, config, texts, vocabulary, tuple(_unknown_keys(config, cfg_path)))
    untranslated = _validate_texts(source, problems)
    from builder.review import critical_problems  # it reads the state files of builder.xliff

    problems.items += critical_problems(config, texts[source.source_language].strings, cfg_path)
    _validate_links(source, problems)
    problems.raise_if_any()
    return replace(source, warnings=source.warnings + tuple(untranslated))


KNOWN_KEYS = {"id", "version", "source_language", "languages", "mastery_score", "reading",
              "vocabulary", "hotel_code", "default_country", "contacts", "roles", "modules",
              "quiz", "critical_keys", "images", "icons", "scenarios", "checks"}


def _unknown_keys(config: Located, path: Path) -> list[str]:
    """Unknown top-level keys are probably typos: warn (like mkdocs), fatal with --strict."""
    return [f"{path}:{config.line_of(k)}: unknown key `{k}` is ignored; check its spelling"
            for k in config if k not in KNOWN_KEYS]


def _validate_config(cfg: Any, path: Path, problems: _Problems) -> None:
    if not isinstance(cfg, dict):
        problems.add("must be a mapping; see the README section 'Course source'", path, 1)
        return
    at = cfg.line_of if isinstance(cfg, Located) else (lambda _k: None)
    for key in ("id", "version", "source_language", "languages", "mastery_score", "vocabulary",
                "roles", "modules", "quiz", "hotel_code", "contacts"):
        if key not in cfg:
            problems.add(f"missing key `{key}`; add it", path, 1)
    if problems.items:
        return
    if not COURSE_ID.match(str(cfg["id"])):
        problems.add(f"course id {cfg['id']!r} must be lowercase letters, digits and '-'",
                     path, at("id"))
    langs = cfg["languages"]
    if not isinstance(langs, list) or not all(isinstance(x, str) and LANG_CODE.match(x)
                                              for x in langs):
        problems.add("languages must be a list of language codes like [nl, en]", path,
                     at("languages"))
        return
    if cfg["source_language"] not in langs:
        problems.add("source_language must be one of languages", path, at("source_language"))
    ms = cfg["mastery_score"]
    if not isinstance(ms, int | float) or not 0 < ms <= 1:
        problems.add(f"mastery_score must be a fraction in (0, 1], got {ms!r}", path,
                     at("mastery_score"))
    try:
        if not re.fullmatch(cfg["hotel_code"]["pattern"], str(cfg["hotel_code"]["example"])):
            problems.add(f"hotel_code example {cfg['hotel_code']['example']!r} does not match "
                         "its own pattern; fix one of them", path, at("hotel_code"))
    except (re.error, KeyError, TypeError):
        problems.add("hotel_code needs a valid regular expression `pattern` and an `example`",
                     path, at("hotel_code"))
    _validate_structure(cfg, path, problems)
    from builder.illustrations import config_problems

    page_ids = {p for m in cfg["modules"] if isinstance(m, dict) for p in m.get("pages") or []}
    for key, message in config_problems(cfg, path.parent, page_ids):
        problems.add(message, path, at(key))
    _validate_choices(cfg, path, problems)


def _validate_choices(cfg: Located, path: Path, problems: _Problems) -> None:
    """`scenarios` name a page, `checks` an id and the module they follow; each has 2-36
    distinct options (one base-36 character in the bookmark) and a `best` among them."""
    pages = {p for m in cfg["modules"] if isinstance(m, dict) for p in m.get("pages") or []}
    modules = {m.get("id") for m in cfg["modules"] if isinstance(m, dict)}
    seen: set[str] = set()
    for kind, ref, known in (("scenarios", "page", pages), ("checks", "after", modules)):
        entries = cfg.get(kind) or []
        for c in entries if isinstance(entries, list) else [None]:
            line = c.line if isinstance(c, Located) else cfg.line_of(kind)
            if not isinstance(c, dict) or c.get(ref) not in known:
                problems.add(f"each of {kind} needs `{ref}` naming a known "
                             f"{'page' if ref == 'page' else 'module'}", path, line)
                continue
            cid = c.get("page") or c.get("id")
            if not isinstance(cid, str) or not COURSE_ID.match(cid) or cid in seen:
                problems.add(f"{kind}: id {cid!r} is missing, used twice or not lowercase "
                             "letters, digits and '-'", path, line)
            seen.add(str(cid))
            options = c.get("options") or []
            if not 2 <= len(options) <= 36 or len(set(options)) != len(options):
                problems.add(f"{cid} needs 2 to 36 distinct options", path, line)
            if c.get("best") not in options:
                problems.add(f"{cid} has no best option: `best` must name one of its options",
                             path, line)


def _validate_structure(cfg: Located, path: Path, problems: _Problems) -> None:
    roles = cfg["roles"] if isinstance(cfg["roles"], list) else []
    module_ids: set[str] = set()
    page_ids: set[str] = set()
    for m in cfg["modules"]:
        line = m.line if isinstance(m, Located) else None
        if not isinstance(m, dict) or "id" not in m or not isinstance(m.get("pages"), list):
            problems.add("each module needs an `id` and a list of `pages`", path, line)
            continue
        if m["id"] in module_ids:
            problems.add(f"module id {m['id']!r} is used twice", path, line)
        module_ids.add(m["id"])
        if m.get("role") is not None and m["role"] not in roles:
            problems.add(f"module {m['id']!r} has unknown role {m['role']!r}; "
                         f"roles are {', '.join(roles)}", path, line)
        for p in m["pages"]:
            if p in page_ids:
                problems.add(f"page id {p!r} is used twice", path, line)
            page_ids.add(p)
    q_ids: set[str] = set()
    for q in cfg["quiz"].get("questions", []) if isinstance(cfg["quiz"], dict) else []:
        line = q.line if isinstance(q, Located) else None
        qid = q.get("id") if isinstance(q, dict) else None
        if not qid:
            problems.add("each question needs an `id`", path, line)
            continue
        if qid in q_ids:
            problems.add(f"question id {qid!r} is used twice", path, line)
        q_ids.add(qid)
        if q.get("module") not in module_ids:
            problems.add(f"question {qid} tests unknown module {q.get('module')!r}", path, line)
        options = q.get("options") or []
        if len(options) < 2 or len(set(options)) != len(options):
            problems.add(f"question {qid} needs two or more distinct options", path, line)
        if len(options) > 36:  # the runtime bookmarks each answer as one base-36 character
            problems.add(f"question {qid} has {len(options)} options; "
                         "36 at most, split it into two questions", path, line)
        if q.get("correct") not in options:
            problems.add(f"{qid} has no correct answer: `correct` must name one of its options "
                         f"({', '.join(map(str, options))})", path, line)


def _validate_links(source: CourseSource, problems: _Problems) -> None:
    """A translation may carry only the links, images and raw HTML of its Dutch source: one
    typed into a YAML file would otherwise reach learners (issue #15; XLIFF imports refuse it)."""
    from builder.markdown import parts_not_in

    dutch = source.texts[source.source_language].strings
    for lang, text in source.texts.items():
        if lang == source.source_language:
            continue
        for key, value in text.strings.items():
            if "<" not in value and "]" not in value:
                continue  # no link, image or HTML can be written without one (quick path)
            for part in parts_not_in(value, dutch.get(key, "")):
                problems.add(f"{key} has {part}, which the Dutch source does not have; remove "
                             "it (a translation keeps only the source's links)", text.path,
                             text.lines.get(key))


def country_note(key: str) -> str | None:
    """The country code of a `pages.<id>.country.<CC>` key, else None."""
    parts = key.split(".")
    return parts[3] if len(parts) == 4 and parts[0] == "pages" and parts[2] == "country" else None


def _validate_texts(source: CourseSource, problems: _Problems) -> list[str]:
    """Problems go to `problems`; returns warnings: country notes not yet translated, which
    that language's builds leave out (a missing note loses a fact, never shows a wrong one),
    so a new note in the source does not stop every other language from building."""
    src = source.texts[source.source_language]
    required = required_keys(source.config, src.strings)
    warnings = []
    countries = source.config.get("contacts") or {}
    for key in required:
        code = country_note(key)
        if code is not None and code not in countries:
            problems.add(f"{key}: there are no contacts for country {code!r} in course.yaml; "
                         "add them or use one of " + ", ".join(sorted(countries)), src.path,
                         src.lines.get(key))
    for lang, text in source.texts.items():
        for key in required:
            if not text.strings.get(key, "").strip():
                parent = key.rsplit(".", 1)[0]
                line = text.lines.get(key) or text.lines.get(parent)
                if country_note(key) and lang != source.source_language:
                    warnings.append(f"{text.path}: {key} is not translated yet; the "
                                    f"{country_note(key)} builds in {lang} leave it out "
                                    f"(noroom xliff export --lang {lang})")
                    continue
                hint = ("write it" if lang == source.source_language
                        else f"translate it (noroom xliff export --lang {lang})")
                problems.add(f"missing translation for {key}; {hint}", text.path, line)
        known_pages = {p for m in source.config["modules"] for p in m["pages"]}
        for key, line in text.lines.items():
            parts = key.split(".")
            if len(parts) == 2 and parts[0] == "pages" and parts[1] not in known_pages:
                problems.add(f"unknown page id {parts[1]!r}: it is not in course.yaml modules; "
                             "add it to a module or remove it", text.path, line)
        for key in text.strings:
            parts, line = key.split("."), text.lines.get(key)
            for name in PLACEHOLDER.findall(text.strings[key]):
                allowed = (UI_PLACEHOLDERS if parts[0] == "ui" and key not in CONTACT_UI_KEYS
                           else set(CONTACT_KEYS))
                if name not in allowed:
                    problems.add(f"unknown placeholder {{{name}}} in {key}; "
                                 f"use one of {', '.join(sorted(allowed))}", text.path, line)
    return warnings
