"""Limits the loader enforces for the builder: course id pattern, options per question."""

from __future__ import annotations

import pytest

from builder.build import build
from builder.course import load_source
from noroom.errors import SourceError

from .conftest import copy_fixture, course_with_options


@pytest.mark.parametrize("bad_id", ["No-Room", "no_room", "no room", "-no-room", "no.room"])
def test_course_id_must_be_lowercase_letters_digits_and_dashes(tmp_path, bad_id):
    root = copy_fixture(tmp_path / "course")
    cfg = root / "course.yaml"
    lines = cfg.read_text("utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("id: "))
    lines[line - 1] = f"id: {bad_id!r}\n"
    cfg.write_text("".join(lines), "utf-8")
    with pytest.raises(SourceError) as exc:
        load_source(root)
    assert str(exc.value) == (f"{cfg}:{line}: course id {bad_id!r} must be lowercase letters, "
                              "digits and '-'")


def test_course_id_with_digits_and_dashes_is_accepted(tmp_path):
    root = copy_fixture(tmp_path / "course")
    cfg = root / "course.yaml"
    cfg.write_text(cfg.read_text("utf-8").replace("id: mini\n", "id: no-room-2\n", 1), "utf-8")
    (built, *_) = build(root, tmp_path / "dist", ["en"], ["web"])
    assert built.path.name == "no-room-2_en_web.zip"


def test_a_question_may_have_36_options_but_not_37(tmp_path):
    assert len(load_source(course_with_options(tmp_path / "ok", 36)).course("en").questions[0]
               .options) == 36
    root = course_with_options(tmp_path / "bad", 37)
    cfg = root / "course.yaml"
    line = cfg.read_text("utf-8").splitlines().index("  - id: q-picture") + 1
    with pytest.raises(SourceError) as exc:
        load_source(root)
    assert str(exc.value) == (f"{cfg}:{line}: question q-picture has 37 options; 36 at most, "
                              "split it into two questions")
