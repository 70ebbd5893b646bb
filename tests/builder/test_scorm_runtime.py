"""The SCORM packages in a real LMS runtime (scorm-again) in headless Chromium, over http."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.player import Player

pytestmark = pytest.mark.browser

VERSIONS = {"scorm12": "12", "scorm2004": "2004"}


def launch(lms_server: Any, page: Any, dist: Path, lang: str, fmt: str,
           preload: dict[str, Any] | None = None) -> tuple[Any, Player]:
    site = lms_server(dist / f"mini_{lang}_{fmt}.zip")
    if preload:
        site.preload(preload)
    page.goto(f"{site.url}/lms/host.html?v={VERSIONS[fmt]}")
    return site, Player(page)


def cmi(page: Any) -> dict[str, Any]:
    return page.evaluate("JSON.parse(JSON.stringify(window.LMS.cmi))")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_passing_learner_is_passed_with_score(lms_server, page, mini_dist, fmt, lang):
    site, player = launch(lms_server, page, mini_dist, lang, fmt)
    player.play("frontdesk", correct=True)
    assert "100%" in player.frame.inner_text("#result-text")
    data = cmi(page)
    if fmt == "scorm12":
        assert data["core"]["lesson_status"] == "passed"
        assert data["core"]["score"]["raw"] == "100"
        assert data["core"]["exit"] == ""
    else:
        assert data["completion_status"] == "completed"
        assert data["success_status"] == "passed"
        assert float(data["score"]["scaled"]) == 1.0
    assert site.lms.commits, "the runtime never committed to the LMS"
    assert page.js_errors == []
