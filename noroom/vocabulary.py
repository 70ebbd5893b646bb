"""The xAPI vocabulary both halves share, read from `course_src/course.yaml` (DESIGN.md).

Only the `vocabulary` block is read here, with no dependency on the builder, so the reporter can
load it cheaply: `load_vocabulary()` returns a frozen `Vocabulary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from noroom.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE_YAML = PROJECT_ROOT / "course_src" / "course.yaml"

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@dataclass(frozen=True)
class Vocabulary:
    course_iri: str
    hotel_extension: str
    role_extension: str
    session_extension: str
    progress_extension: str
    verbs: dict[str, str] = field(default_factory=dict)
    counting_verbs: tuple[str, ...] = ()

    @property
    def counting_verb_iris(self) -> tuple[str, ...]:
        return tuple(self.verbs[v] for v in self.counting_verbs)

    def module_iri(self, module_id: str) -> str:
        return f"{self.course_iri}/module/{module_id}"

    def question_iri(self, question_id: str) -> str:
        return f"{self.course_iri}/question/{question_id}"


def vocabulary_from_dict(data: dict, path: Path | str = DEFAULT_COURSE_YAML) -> Vocabulary:
    """Build a `Vocabulary` from the parsed `vocabulary:` mapping; ConfigError on a missing key."""
    if not isinstance(data, dict):
        raise ConfigError("`vocabulary` must be a mapping; see DESIGN.md", path)
    try:
        ext = data["extensions"]
        return Vocabulary(
            course_iri=data["course_iri"],
            hotel_extension=ext["hotel"],
            role_extension=ext["role"],
            session_extension=ext["session"],
            progress_extension=ext["progress"],
            verbs=dict(data["verbs"]),
            counting_verbs=tuple(data["counting_verbs"]),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"vocabulary is missing key {exc}; add it to course.yaml", path) from exc


def _course_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path.name}: {exc.strerror}", path) from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = line + 1 if line is not None else None
        raise ConfigError("is not valid YAML; fix the syntax", path, where) from exc
    return data if isinstance(data, dict) else {}


def load_vocabulary(path: Path | str = DEFAULT_COURSE_YAML) -> Vocabulary:
    """Read the vocabulary block of course.yaml. Raises ConfigError when absent or incomplete."""
    path = Path(path)
    return vocabulary_from_dict(_course_yaml(path).get("vocabulary"), path)


def load_course_countries(path: Path | str = DEFAULT_COURSE_YAML) -> tuple[str, ...]:
    """The countries the course can be built for (course.yaml `contacts`), sorted."""
    contacts = _course_yaml(Path(path)).get("contacts")
    return tuple(sorted(str(c) for c in contacts)) if isinstance(contacts, dict) else ()


def load_course_languages(path: Path | str = DEFAULT_COURSE_YAML) -> tuple[str, ...]:
    """The course's languages (course.yaml `languages`), in its order."""
    languages = _course_yaml(Path(path)).get("languages")
    return tuple(str(x) for x in languages) if isinstance(languages, list) else ()
