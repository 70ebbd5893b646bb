"""Builds once per session: packages of the fixture course and of the real course."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.build import build

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "courses"


@pytest.fixture(scope="session")
def mini_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini-dist")
    build(FIXTURES / "minimal", out)
    return out


@pytest.fixture(scope="session")
def course_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course (course_src/) built in every language and format."""
    out = tmp_path_factory.mktemp("course-dist")
    build(ROOT / "course_src", out)
    return out
