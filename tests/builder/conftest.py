"""Builds once per session: packages of the fixture course and of the real course."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.build import build
from builder.formats import FORMATS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "courses"
COURSE_SRC = ROOT / "course_src"
# Read at collection time so tests parametrize over every language the real course declares.
REAL_LANGUAGES = tuple(yaml.safe_load((COURSE_SRC / "course.yaml").read_text("utf-8"))
                       ["languages"])
REAL_ID = yaml.safe_load((COURSE_SRC / "course.yaml").read_text("utf-8"))["id"]
ALL_FORMATS = tuple(FORMATS)


def real_package(dist: Path, lang: str, fmt: str) -> Path:
    return dist / f"{REAL_ID}_{lang}_{fmt}.zip"


@pytest.fixture(scope="session")
def mini_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini-dist")
    build(FIXTURES / "minimal", out)
    return out


@pytest.fixture(scope="session")
def course_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course (course_src/) built in every language and format."""
    out = tmp_path_factory.mktemp("course-dist")
    build(COURSE_SRC, out)
    return out


def copy_fixture(dest: Path, name: str = "minimal") -> Path:
    """A writable copy of a fixture course, for tests that change its source."""
    import shutil

    shutil.copytree(FIXTURES / name, dest)
    return dest


def course_with_options(dest: Path, count: int) -> Path:
    """The minimal course with `count` options (a, b, ... then a1, b1, ...) on q-picture, the
    correct one still `c`; every language gets text and feedback for the new options."""
    root = copy_fixture(dest)
    ids = [chr(97 + i % 26) + (str(i // 26) if i >= 26 else "") for i in range(count)]
    cfg = root / "course.yaml"
    head = "  - id: q-picture\n    module: signals\n    options:\n"
    old = head + "    - a\n    - b\n    - c\n    - d\n"
    text = cfg.read_text("utf-8")
    assert old in text, "the fixture's q-picture changed; update course_with_options"
    new = head + "".join(f"    - {o}\n" for o in ids)
    cfg.write_text(text.replace(old, new, 1), "utf-8")
    for path in (root / "text").glob("*.yaml"):
        texts = yaml.safe_load(path.read_text("utf-8"))
        options = texts["questions"]["q-picture"]["options"]
        for o in ids:
            options.setdefault(o, {"text": f"option {o}", "feedback": f"feedback {o}."})
        path.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False), "utf-8")
    return root
