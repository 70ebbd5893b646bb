"""End to end: learners of two hotels take the xAPI package in Chromium, statements land in a real
LRS, `noroom report --lrs` certifies the right hotel."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from noroom.cli import cli
from tests.builder.test_xapi import V, launch_url, settle
from tests.support.player import Player

pytestmark = [pytest.mark.browser, pytest.mark.lrs]


def test_learners_of_two_hotels_play_and_the_right_hotel_is_certified(lrs, xapi_site, browser,
                                                                     mini_dist, tmp_path):
    site = xapi_site(mini_dist / "mini_nl_xapi.zip")
    for email, hotel, role in [("ann@example.org", "NL-AMS-0001", "frontdesk"),
                               ("bob@example.org", "NL-AMS-0002", "housekeeping")]:
        page = browser.new_page()
        page.goto(launch_url(site, email, str(uuid.uuid4()), hotel=hotel))
        Player(page, page.main_frame).play(role, correct=True)
        page.click("#finish")
        settle(page, site)
        page.close()
    roster = tmp_path / "roster.csv"
    roster.write_text("hotel_id,name,chain,city,country,language,employees\n"
                      "NL-AMS-0001,Canal House,,Amsterdam,NL,nl,1\n"
                      "NL-AMS-0002,Dam Hotel,,Amsterdam,NL,nl,2\n")
    result = CliRunner().invoke(cli, [
        "report", "--roster", str(roster), "--lrs", lrs.endpoint, "--lrs-user", "test-key",
        "--store", str(tmp_path / "store.sqlite"), "--activity", V.course_iri,
        "--out", str(tmp_path / "out")], env={"NOROOM_LRS_PASSWORD": "test-secret"})
    assert result.exit_code == 0, result.output
    hotels = {h["hotel_id"]: h for h in
              json.loads((tmp_path / "out" / "certification.json").read_text())["hotels"]}
    assert (hotels["NL-AMS-0001"]["trained"], hotels["NL-AMS-0001"]["certified"]) == (1, True)
    assert (hotels["NL-AMS-0002"]["trained"], hotels["NL-AMS-0002"]["certified"]) == (1, False)
    assert (tmp_path / "out" / "certificates" / "NL-AMS-0001.pdf").exists()
