"""Dual tracking: a SCORM 1.2 package in scorm-again that also reports to the programme's LRS."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from noroom.cli import cli
from tests.builder.test_xapi import V, settle
from tests.support.player import Player
from tests.support.web import HOST_PAGE, NODE
from tests.support.xapi_site import validate_statements

from .conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.lrs]


def dual_package(tmp_path: Path, endpoint: str, hotel_from: str) -> Path:
    out = tmp_path / f"dual-{hotel_from}"
    result = CliRunner().invoke(cli, [
        "build", "--source", str(FIXTURES / "minimal"), "--format", "scorm12", "--lang", "en",
        "--out", str(out), "--lrs-endpoint", endpoint, "--lrs-key", "test-key",
        "--lrs-secret", "test-secret", "--lms-homepage", "https://lms.grachten.example",
        "--hotel-from", hotel_from])
    assert result.exit_code == 0, result.output
    return out / "mini_en_scorm12.zip"


@pytest.mark.parametrize(("hotel_from", "expected"), [
    ("student_id", "NL-AMS-0042"), ("NL-UTR-0007", "NL-UTR-0007"), ("ask", "NL-DH-0101")])
def test_scorm_package_also_reports_to_the_lrs_with_the_lms_account(
        lrs, xapi_site, page, mini_dist, tmp_path, hotel_from, expected):
    site = xapi_site(mini_dist / "mini_en_scorm12.zip")
    package = dual_package(tmp_path, site.endpoint, hotel_from)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(site.root)
    (site.root / "lms").mkdir()
    shutil.copy(NODE / "scorm-again" / "dist" / "scorm12.min.js", site.root / "lms")
    shutil.copy(HOST_PAGE, site.root / "lms" / "host.html")
    (site.root / "lms" / "preload.json").write_text(
        '{"core": {"student_id": "NL-AMS-0042/E0815", "student_name": "Ann"}}')
    page.goto(f"{site.url}/pkg/lms/host.html?v=12&lms=/pkg/lms/&pkg=/pkg/index.html")
    player = Player(page)
    if hotel_from == "ask":  # the learner types the hotel code after choosing a role
        player.play("frontdesk", stop_at="hotel")
        player.frame.fill("#hotel-code", expected.lower())
        player.next()
    player.play("frontdesk", correct=True)
    assert page.evaluate("window.LMS.cmi.core.lesson_status") == "passed"
    settle(player.frame, site)
    sts = lrs.all()
    assert [s["verb"]["id"] for s in sts].count(V.verbs["completed"]) == 1
    for s in sts:
        assert s["actor"]["account"] == {"homePage": "https://lms.grachten.example",
                                          "name": "NL-AMS-0042/E0815"}
        assert s["context"]["language"] == "en"
    done = next(s for s in sts if s["verb"]["id"] == V.verbs["completed"])
    assert done["context"]["extensions"][V.hotel_extension] == expected
    assert validate_statements(sts) == []


def test_dual_tracking_needs_key_and_secret(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--source", str(FIXTURES / "minimal"),
                                      "--format", "scorm12", "--out", str(tmp_path),
                                      "--lrs-endpoint", "https://lrs.example/xAPI/"],
                                env={"NOROOM_LRS_SECRET": ""})
    assert result.exit_code == 2 and "--lrs-endpoint needs --lrs-key and --lrs-secret" in \
        result.output


def test_dual_tracking_needs_the_lms_homepage(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--source", str(FIXTURES / "minimal"),
                                      "--format", "scorm12", "--out", str(tmp_path),
                                      "--lrs-endpoint", "https://lrs.example/xAPI/",
                                      "--lrs-key", "k", "--lrs-secret", "very-secret"])
    assert result.exit_code == 2
    assert "Error: --lrs-endpoint needs --lms-homepage, the LMS's URL" in result.output
    assert "very-secret" not in result.output
    assert not list(tmp_path.iterdir())  # nothing built
