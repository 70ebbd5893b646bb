"""The cmi5 package as an AU: the test acts as the LMS (fetch URL, LMS.LaunchData and learner
preferences), statements go to the real LRS, and the cmi5 rules are checked on what arrived, in
the order it arrived. LMS.LaunchData lives in the site's in-memory State API stand-in
(xapi-statements has none). Each package is one language: the AU does not read the learner
preferences the LMS writes (see cmi5.js)."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from lxml import etree

from builder.check import check_package, cmi5_schema_path
from tests.builder.test_xapi import V, close, mine, settle
from tests.support.player import Player
from tests.support.xapi_site import validate_statements

pytestmark = [pytest.mark.browser, pytest.mark.lrs]
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"


def lms_launch(site, mode: str = "Normal", mastery: float | None = None,  # type: ignore[no-untyped-def]
               return_url: str | None = None, hotel: str = "NL-AMS-0042") -> tuple[str, str, str]:
    reg, session = str(uuid.uuid4()), str(uuid.uuid4())
    launch = {"launchMode": mode, "moveOn": "CompletedAndPassed",
              "contextTemplate": {"extensions": {V.session_extension: session,
                                                 V.hotel_extension: hotel}}}
    if mastery is not None:
        launch["masteryScore"] = mastery
    if return_url:
        launch["returnURL"] = return_url
    site.put_state("LMS.LaunchData", V.course_iri, reg, launch)
    site.profiles["cmi5LearnerPreferences"] = json.dumps({"languagePreference": "nl-NL,en-GB"})
    params = {"endpoint": site.endpoint, "fetch": site.url + "/fetch", "registration": reg,
              "actor": json.dumps({"objectType": "Agent",
                                   "account": {"homePage": "https://lms.example", "name": "E42"}}),
              "activityId": V.course_iri}
    return f"{site.url}/pkg/index.html?{urlencode(params)}", reg, session


def verb_of(s: dict) -> str:
    return s["verb"]["id"].rsplit("/", 1)[1]


def verbs(sts: list[dict]) -> list[str]:
    return [verb_of(s) for s in sts]


def ordered(lrs, site, reg: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The LRS's statements for `reg` in the order the LRS accepted them (the site's POST log)."""
    by_id = {s["id"]: s for s in mine(lrs, reg)}
    return [by_id[i] for i in site.delivered() if i in by_id]


def test_cmi5_rules_on_a_passing_session(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_nl_cmi5.zip")
    url, reg, session = lms_launch(site)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    page.click("#finish")
    settle(page, site)
    sts = ordered(lrs, site, reg)
    v = verbs(sts)
    assert v[0] == "initialized" and v[-1] == "terminated"
    assert v.count("passed") == 1 and v.count("completed") == 1
    for s in sts:
        assert s["context"]["extensions"][V.session_extension] == session
        assert s["context"]["extensions"][V.hotel_extension] == "NL-AMS-0042"  # the template's
        assert s["context"]["registration"] == reg and s["object"]["id"].startswith(V.course_iri)
        assert s["context"]["language"] == "nl"
    for s in sts:
        cats = {c["id"] for c in s["context"].get("contextActivities", {}).get("category", [])}
        name = s["verb"]["id"].rsplit("/", 1)[1]
        if name in ("passed", "completed"):
            assert cats == {CMI5, MOVEON} and "duration" in s["result"]
        elif name in ("initialized", "terminated"):
            assert cats == {CMI5}
        else:
            assert CMI5 not in cats
    passed = next(s for s in sts if s["verb"]["id"] == V.verbs["passed"])
    assert passed["result"]["score"]["scaled"] == 1 and passed["result"]["success"] is True
    assert site.fetches == 1
    assert validate_statements(sts) == []


def test_mastery_score_from_launch_data_wins(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, mastery=0.5)
    page.goto(url)
    player = Player(page, page.main_frame)
    # 3 of 4 right = 75%: below the course's 80%, above the LMS's 50%.
    questions = {q["id"]: q for q in player.data()["questions"]}
    wrong_once = True
    while player.step() != "result":
        step = player.step()
        if step == "role":
            player.choose_role("frontdesk")
        elif step.startswith("q:"):
            q = questions[step[2:]]
            bad = [o for o in q["options"] if o != q["correct"]][0]
            player.answer(bad if wrong_once else q["correct"])
            wrong_once = False
        player.next()
    page.click("#finish")
    settle(page, site)
    sts = ordered(lrs, site, reg)
    assert "passed" in verbs(sts) and "failed" not in verbs(sts)
    passed = next(s for s in sts if verb_of(s) == "passed")
    assert passed["result"]["score"]["scaled"] == 0.75 and passed["result"]["success"] is True
    assert validate_statements(sts) == []


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_no_verdict(lrs, xapi_site, page, mini_dist, mode):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, mode=mode)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    page.click("#finish")
    settle(page, site)
    sts = ordered(lrs, site, reg)
    v = verbs(sts)
    assert v[0] == "initialized" and v[-1] == "terminated"
    assert not {"passed", "failed", "completed"} & set(v)
    assert v.count("answered") == 4
    assert validate_statements(sts) == []


def test_a_reload_keeps_the_token_and_stays_tracked(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, session = lms_launch(site)
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", stop_at="quiz")
    settle(page, site)
    page.reload()  # the fetch URL would now answer its error JSON
    player = Player(page, page.main_frame)
    assert player.notice() != player.data()["ui"]["not_saved"]
    page.click("#resume-yes")
    player.play("frontdesk", correct=True)
    page.click("#finish")
    settle(page, site)
    assert site.fetches == 1
    sts = ordered(lrs, site, reg)
    assert verbs(sts).count("passed") == 1 and verbs(sts)[-1] == "terminated"
    assert all(s["context"]["extensions"][V.session_extension] == session for s in sts)
    assert page.js_errors == []


def test_a_fetch_url_answering_its_error_json_shows_a_notice(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    site.fetch_error = True  # e.g. the launch link was opened a second time
    url, reg, _ = lms_launch(site)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    player = Player(page, page.main_frame)
    assert player.notice() == player.data()["ui"]["not_saved"]
    assert any("already fetched" in e for e in errors)  # the LMS's error-text, for support
    player.play("frontdesk", stop_at="page:signals-guests")  # the course still works
    close(page)
    assert site.log == [] and mine(lrs, reg) == []
    assert page.js_errors == []


def test_exit_goes_to_the_return_url(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_cmi5.zip")
    url, reg, _ = lms_launch(site, return_url="about:blank#returned")
    page.goto(url)
    Player(page, page.main_frame).play("frontdesk", correct=True)
    page.click("#finish")
    page.wait_for_url("about:blank#returned", timeout=10000)


def test_cmi5_xml_is_valid_against_the_schema(mini_dist):
    schema = etree.XMLSchema(etree.parse(str(cmi5_schema_path())))
    for lang in ("nl", "en"):
        path = mini_dist / f"mini_{lang}_cmi5.zip"
        root = etree.fromstring(zipfile.ZipFile(path).read("cmi5.xml"))
        assert schema.validate(root), schema.error_log
        (au,) = root.iter("{*}au")
        assert au.get("id") == V.course_iri and au.get("moveOn") == "CompletedAndPassed"
        assert float(au.get("masteryScore")) == 0.8
        assert check_package(path).ok


def test_check_names_the_missing_cmi5_schema(mini_dist, tmp_path):
    """A copy of the code with no ../shared/ beside it, run as `noroom check` in its own process."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    project = tmp_path / "alone" / "project"
    for package in ("builder", "noroom"):
        shutil.copytree(root / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    package = str(mini_dist / "mini_en_cmi5.zip")
    code = f"from noroom.cli import cli; cli(['check', {package!r}])"
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(project)})
    missing = tmp_path / "alone" / "shared" / "schemas" / "cmi5" / "CourseStructure.xsd"
    assert result.returncode == 1, result.stderr
    assert f"the cmi5 schema is missing at {missing}" in result.stderr
    assert "Traceback" not in result.stderr


def rezip(src: Path, dest: Path, replace: dict[str, bytes | None]) -> Path:
    """A copy of a package with members replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            if name not in replace:
                zout.writestr(name, zin.read(name))
        for name, data in replace.items():
            if data is not None:
                zout.writestr(name, data)
    return dest


def test_check_reports_a_cmi5_xml_that_breaks_the_schema(mini_dist, tmp_path):
    src = mini_dist / "mini_en_cmi5.zip"
    xml = zipfile.ZipFile(src).read("cmi5.xml").replace(b' moveOn="CompletedAndPassed"',
                                                         b' moveOn="Whenever"')
    report = check_package(rezip(src, tmp_path / "bad.zip", {"cmi5.xml": xml}))
    assert not report.ok and report.format == "cmi5"
    (problem,) = report.problems
    assert str(problem).startswith("cmi5.xml:7: does not match the official schema: ")
    assert "moveOn" in str(problem) and "Whenever" in str(problem)


def test_check_reports_an_au_url_missing_from_the_zip(mini_dist, tmp_path):
    from click.testing import CliRunner

    from noroom.cli import cli

    bad = rezip(mini_dist / "mini_en_cmi5.zip", tmp_path / "bad.zip", {"index.html": None})
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: cmi5.xml:10: AU url 'index.html' is not in the zip" in result.output
