"""The xAPI package in headless Chromium against a real LRS (xapi-statements) on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest

from builder.check import check_package
from noroom.vocabulary import load_vocabulary
from tests.support.player import Player
from tests.support.xapi_site import validate_statements

pytestmark = [pytest.mark.browser, pytest.mark.lrs]
V = load_vocabulary(Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "courses" /
                    "minimal" / "course.yaml")
AUTH = "Basic " + base64.b64encode(b"test-key:test-secret").decode()


def launch_url(site, email: str, registration: str, hotel: str | None = "NL-AMS-0042") -> str:
    params = {"endpoint": site.endpoint, "auth": AUTH, "registration": registration,
              "actor": json.dumps({"mbox": f"mailto:{email}", "name": "Learner"}),
              "activity_id": V.course_iri}
    if hotel:
        params["hotel"] = hotel
    return f"{site.url}/pkg/index.html?{urlencode(params)}"


def settle(page, site) -> None:  # type: ignore[no-untyped-def]
    """Wait until the runtime's queue is empty (everything delivered)."""
    page.wait_for_function("Object.keys(localStorage).filter(k => k.startsWith('noroom.queue.'))"
                           ".every(k => JSON.parse(localStorage.getItem(k)).length === 0)",
                           timeout=20000)


def mine(lrs, registration: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [s for s in lrs.all() if s.get("context", {}).get("registration") == registration]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_playthrough_sends_valid_statements_in_order(lrs, xapi_site, page, mini_dist, lang):
    site = xapi_site(mini_dist / f"mini_{lang}_xapi.zip")
    reg = str(uuid.uuid4())
    page.goto(launch_url(site, "ann@example.org", reg))
    player = Player(page, page.main_frame)
    player.play("frontdesk", correct=True)
    page.click("#finish")
    settle(page, site)
    sts = sorted(mine(lrs, reg), key=lambda s: (s["timestamp"], s["stored"]))
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in sts]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated"
    assert verbs.count("answered") == 4 and verbs.count("experienced") == 5
    assert verbs[-3:] == ["passed", "completed", "terminated"]
    for s in sts:
        assert s["actor"]["mbox"] == "mailto:ann@example.org"
        assert s["context"]["language"] == lang
        assert s["timestamp"].endswith("Z")
        assert s["context"]["extensions"][V.hotel_extension] == "NL-AMS-0042"
    passed = next(s for s in sts if s["verb"]["id"] == V.verbs["passed"])
    assert passed["object"]["id"] == V.course_iri and passed["result"]["score"]["scaled"] == 1
    answered = [s for s in sts if s["verb"]["id"] == V.verbs["answered"]]
    assert all(s["context"]["contextActivities"]["parent"][0]["id"] == V.course_iri
               for s in answered)
    assert all(s["object"]["id"].startswith(V.course_iri + "/question/") for s in answered)
    assert validate_statements(sts) == []
    assert page.js_errors == []


def test_failed_attempt_sends_failed_and_no_completion(lrs, xapi_site, page, mini_dist):
    site = xapi_site(mini_dist / "mini_en_xapi.zip")
    reg = str(uuid.uuid4())
    page.goto(launch_url(site, "bob@example.org", reg))
    Player(page, page.main_frame).play("housekeeping", correct=False)
    settle(page, site)
    verbs = {s["verb"]["id"] for s in mine(lrs, reg)}
    assert V.verbs["failed"] in verbs
    assert V.verbs["completed"] not in verbs and V.verbs["passed"] not in verbs


def test_offline_mid_course_then_relaunch_delivers_every_statement_once(lrs, xapi_site, browser,
                                                                       mini_dist):
    site = xapi_site(mini_dist / "mini_en_xapi.zip")
    reg = str(uuid.uuid4())
    context = browser.new_context()
    page = context.new_page()
    page.goto(launch_url(site, "cem@example.org", reg))
    player = Player(page, page.main_frame)
    player.play("frontdesk", stop_at="page:signals-rooms")
    settle(page, site)
    site.mode = "down"                      # the LRS disappears
    player.play("frontdesk", correct=True)  # ... the learner carries on to the end
    page.wait_for_timeout(500)
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('noroom.queue.{reg}')).length")
    assert queued > 0
    page.goto("about:blank")                # closes the course (pagehide: the flush fails too)
    site.mode = "up"
    page.goto(launch_url(site, "cem@example.org", reg))  # the next launch sends them first
    page.wait_for_selector(".step.current")
    settle(page, site)
    context.close()
    sts = mine(lrs, reg)
    ids = [s["id"] for s in sts]
    assert len(ids) == len(set(ids))
    verbs = [s["verb"]["id"] for s in sts]
    assert verbs.count(V.verbs["completed"]) == 1 and verbs.count(V.verbs["passed"]) == 1


@pytest.mark.parametrize("status", ["503", "429"])
def test_lrs_answering_errors_for_a_while_loses_nothing(lrs, xapi_site, page, mini_dist, status):
    site = xapi_site(mini_dist / "mini_en_xapi.zip")
    reg = str(uuid.uuid4())
    page.goto(launch_url(site, "dia@example.org", reg))
    site.mode = status
    Player(page, page.main_frame).play("frontdesk", correct=True)
    assert "could not be saved" in page.inner_text("#notice")
    site.mode = "up"
    page.click("#finish")  # the next statement triggers a send at once; the queue follows
    settle(page, site)
    sts = mine(lrs, reg)
    assert len({s["id"] for s in sts}) == len(sts)
    assert [s["verb"]["id"] for s in sts].count(V.verbs["completed"]) == 1


def test_resume_through_the_state_api(lrs, xapi_site, browser, mini_dist):
    site = xapi_site(mini_dist / "mini_nl_xapi.zip")
    reg = str(uuid.uuid4())
    first = browser.new_page()
    first.goto(launch_url(site, "eva@example.org", reg))
    player = Player(first, first.main_frame)
    player.play("housekeeping", stop_at="q:q-manager")
    answers = player.state()["answers"]
    first.wait_for_timeout(600)  # the bookmark is written 300 ms after the last change
    first.close()
    second = browser.new_page()
    second.goto(launch_url(site, "eva@example.org", reg))
    again = Player(second, second.main_frame)
    second.click("#resume-yes")
    assert again.step() == "q:q-manager" and again.state()["answers"] == answers
    second.close()


def test_without_a_hotel_parameter_the_learner_enters_a_hotel_code(lrs, xapi_site, page,
                                                                  mini_dist):
    site = xapi_site(mini_dist / "mini_en_xapi.zip")
    reg = str(uuid.uuid4())
    page.goto(launch_url(site, "fay@example.org", reg, hotel=None))
    player = Player(page, page.main_frame)
    player.play("frontdesk", stop_at="hotel")
    assert player.step() == "hotel"
    page.fill("#hotel-code", "nonsense")
    assert page.is_visible("#hotel-error") and page.is_disabled("#next")
    page.fill("#hotel-code", "nl-ams-0042")
    player.next()
    player.play("frontdesk", correct=True)
    settle(page, site)
    done = next(s for s in mine(lrs, reg) if s["verb"]["id"] == V.verbs["completed"])
    assert done["context"]["extensions"][V.hotel_extension] == "NL-AMS-0042"


def test_tincan_xml_has_one_launchable_course_activity(mini_dist):
    import zipfile

    from lxml import etree

    for lang in ("nl", "en"):
        path = mini_dist / f"mini_{lang}_xapi.zip"
        assert check_package(path).ok
        root = etree.fromstring(zipfile.ZipFile(path).read("tincan.xml"))
        (activity,) = root.iter("{*}activity")
        assert activity.get("id") == V.course_iri
        assert activity.find("{*}name").get("lang") == lang


def test_check_rejects_a_tincan_package_without_its_launch_file(mini_dist, tmp_path):
    import zipfile

    src = zipfile.ZipFile(mini_dist / "mini_en_xapi.zip")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name in src.namelist():
            if name != "index.html":
                zf.writestr(name, src.read(name))
    report = check_package(bad)
    assert [str(p) for p in report.problems] == ["tincan.xml:7: launch file 'index.html' is not "
                                                 "in the zip"]
