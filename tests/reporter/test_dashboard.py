"""dashboard.html in headless Chromium (issue 17 §1), made by the real `noroom report` from the
bundled samples (30 hotels) and from a generated programme of 2,000 hotels: no sideways scroll
on a phone, a histogram that agrees with certification.json, a hotel table that sorts and
filters by keyboard, nothing fetched, axe 0, a sensible height, and hostile names that cannot
break the page or its script."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from noroom.cli import cli
from tests.support.browser import run_axe
from tests.support.programme import AS_OF, write_programme
from tests.support.web import serve_folder

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
HOSTILE_NAMES = ['</script><script>window.pwned=1</script>', "Quote \" ' `${x}` \\ Hotel",
                 "\u0641\u0646\u062f\u0642 \u200fRTL\u200e mark",
                 '<img src=x onerror="window.pwned=1">', "Plain Hotel"]


def report(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["report", "--as-of", AS_OF, "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The three reports served over http on 127.0.0.1: {"url": {name: address}, "dir": ...}."""
    root = tmp_path_factory.mktemp("dashboards")
    report(root / "sample", "--roster", str(SAMPLES / "roster.csv"), "--staff",
           str(SAMPLES / "staff.csv"), "--statements", str(SAMPLES / "statements.ndjson"),
           "--completions", str(SAMPLES / "lms_export.csv"))
    for name, count, names in (("big", 2000, None), ("hostile", 12, HOSTILE_NAMES)):
        files = write_programme(root / f"{name}-in", hotels=count, names=names)
        report(root / name, "--roster", str(files["roster"]), "--statements",
               str(files["statements"]))
    server, _ = serve_folder(root)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"url": {n: f"{base}/{n}/dashboard.html" for n in ("sample", "big", "hostile")},
           "dir": root}
    server.shutdown()
    server.server_close()


def open_page(browser: Any, url: str, width: int, **options: Any) -> Any:
    """A page at `url`, `width` px wide, its script errors and console errors in .problems."""
    context = browser.new_context(viewport={"width": width, "height": 740 if width < 1000
                                            else 800}, **options)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return page


def visible_rows(page: Any) -> list[dict[str, str]]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#hotels tbody tr'))
        .filter(r => !r.hidden).map(r => Object.assign({text: r.cells[0].textContent},
                                                       r.dataset))""")


def hotels_json(site: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return json.loads((site["dir"] / name / "certification.json").read_text())["hotels"]


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("name", ["sample", "big"])
def test_a_phone_never_scrolls_sideways_and_sees_the_key_columns(browser, site, name, width):
    page = open_page(browser, site["url"][name], width)
    sizes = page.evaluate("({sw: document.documentElement.scrollWidth,"
                          " cw: document.documentElement.clientWidth})")
    assert sizes["sw"] <= sizes["cw"] == width
    # The first hotel's name, share, status and needs, and the 60 % line, within the screen.
    for selector in ["#hotels tbody tr:first-child th", '#hotels tbody tr:first-child '
                     'td[data-label="% trained"]', '#hotels tbody tr:first-child '
                     'td[data-label="Certified"]', "svg.chart line.threshold"]:
        box = page.locator(selector).bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, selector
    chart = page.locator("section[aria-labelledby=h-chart] svg.chart").bounding_box()
    assert chart["width"] > width * 0.8  # scaled to the phone, not a fixed drawing
    assert page.problems == []
    page.context.close()


def expected_bins(hotels: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """{label: (certified, not certified)} worked out here from certification.json."""
    bins: dict[str, list[int]] = {}
    for h in hotels:
        if not h["employees"]:
            continue
        share = h["trained"] / h["employees"]
        low = 10 * min(int(h["trained"] * 10 // h["employees"]), 9)
        label = "over 100 %" if share > 1 else f"{low} to {low + 10} %"
        bins.setdefault(label, [0, 0])[0 if h["certified"] else 1] += 1
    return {k: (v[0], v[1]) for k, v in bins.items()}


@pytest.mark.parametrize("name", ["sample", "big"])
def test_histogram_bins_match_certification_json(browser, site, name):
    page = open_page(browser, site["url"][name], 1280)
    table = page.evaluate("""() => Array.from(document.querySelectorAll('table.bins tbody tr'))
        .map(r => Array.from(r.cells).map(c => c.textContent))""")
    shown = {row[0]: (int(row[1].replace(",", "")), int(row[2].replace(",", "")))
             for row in table if row[3] != "0"}
    assert shown == expected_bins(hotels_json(site, name))
    # The bars draw the same counts, certified and not apart.
    bars = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart rect[data-n]'))
        .map(r => [r.getAttribute('class'), Number(r.dataset.n)])""")
    assert sum(n for kind, n in bars if kind == "certified") == sum(c for c, _ in shown.values())
    assert sum(n for kind, n in bars if kind != "certified") == sum(n for _, n in shown.values())
    page.context.close()


def test_the_table_sorts_by_keyboard_with_aria_sort(browser, site):
    page = open_page(browser, site["url"]["big"], 1280)
    hotels = hotels_json(site, "big")
    page.focus("th[data-key=share] button")
    page.keyboard.press("Enter")
    assert page.get_attribute("th[data-key=share]", "aria-sort") == "ascending"
    shares = [float(r["share"]) for r in visible_rows(page) if r["share"]]
    lowest = sorted(h["trained_pct"] for h in hotels if h["trained_pct"] is not None)[:50]
    assert shares == lowest
    page.keyboard.press("Space")
    assert page.get_attribute("th[data-key=share]", "aria-sort") == "descending"
    assert page.get_attribute("th[data-key=name]", "aria-sort") == "none"
    assert [float(r["share"]) for r in visible_rows(page)][:5] == sorted(
        (h["trained_pct"] for h in hotels if h["trained_pct"] is not None), reverse=True)[:5]
    page.focus("th[data-key=until] button")
    page.keyboard.press("Enter")
    until = [r["until"] for r in visible_rows(page)]
    assert until == sorted(h["valid_until"] for h in hotels if h["valid_until"])[:50]
    page.focus("th[data-key=name] button")
    page.keyboard.press("Enter")
    assert [r["name"] for r in visible_rows(page)] == sorted(
        (h["name"] for h in hotels), key=str.casefold)[:50]
    assert page.problems == []
    page.context.close()


def test_the_table_filters_by_keyboard_and_announces_the_count(browser, site):
    page = open_page(browser, site["url"]["big"], 1280)
    hotels = hotels_json(site, "big")
    live = page.locator("#hotel-count")
    assert live.get_attribute("role") == "status"
    assert live.text_content() == "2,000 hotels; showing the first 50."
    page.focus("#f-chain")
    page.keyboard.press("ArrowDown")  # the first chain in the list
    chain = page.input_value("#f-chain")
    page.focus("#f-status")
    page.keyboard.press("ArrowDown")  # "Certified"
    assert page.input_value("#f-status") == "certified"
    want = [h for h in hotels if h["chain"] == chain and h["certified"]]
    assert 0 < len(want) < 50
    rows = visible_rows(page)
    assert sorted(r["text"] for r in rows) == sorted(f"{h['name']} ({h['hotel_id']})"
                                                     for h in want)
    assert live.text_content() == f"{len(want)} of 2,000 hotels match."
    # Free text narrows further: a city, typed.
    city = want[0]["city"]
    page.focus("#f-q")
    page.keyboard.type(city.lower())
    want = [h for h in want if city.lower() in f"{h['name']} {h['hotel_id']} {h['city']} "
            f"{h['chain']}".lower()]
    expect(live).to_have_text(re.compile(f"^{len(want)} of "))
    assert len(visible_rows(page)) == len(want)
    page.fill("#f-q", "lapsing")  # a status word, not in any name, code, chain or place
    expect(live).to_have_text("No hotel matches; clear the filters to see all 2,000.")
    # Country, and then all again: "Show more" by keyboard.
    page.fill("#f-q", "")
    page.select_option("#f-chain", "*")
    page.select_option("#f-status", "*")
    page.focus("#f-country")
    page.keyboard.press("ArrowDown")
    country = page.input_value("#f-country")
    n = sum(h["country"] == country for h in hotels)
    expect(live).to_have_text(re.compile(f"^{n:,} of 2,000 hotels match"))
    assert {r["country"] for r in visible_rows(page)} == {country}
    page.focus("#hotel-more")
    page.keyboard.press("Enter")
    assert len(visible_rows(page)) == min(100, n)
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("name", ["sample", "big"])
def test_the_page_works_offline_and_asks_for_nothing(browser, site, name):
    """Every request but the page itself is refused and noted: none may be attempted."""
    url = site["url"][name]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    attempted: list[str] = []

    def only_the_page(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_page)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.locator("th[data-key=share] button").click()  # the script ran, under the page's CSP
    assert page.get_attribute("th[data-key=share]", "aria-sort") == "ascending"
    assert attempted == [] and problems == []
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", ["sample", "big"])
def test_axe_finds_nothing(browser, site, name, width):
    # bypass_csp: the page's own CSP would refuse the injected axe-core, as it should.
    page = open_page(browser, site["url"][name], width, bypass_csp=True)
    assert run_axe(page) == []
    page.context.close()


def test_the_page_at_2000_hotels_has_a_sensible_height(browser, site, capsys):
    """Issue 17 §1: it was 111,685 px tall; the summary comes first."""
    heights = {}
    for width in (375, 1280):
        page = open_page(browser, site["url"]["big"], width)
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
        cards = page.locator(".cards").bounding_box()
        assert cards["y"] < 300  # the summary in the first screen
        page.context.close()
    with capsys.disabled():
        sys.stdout.write(f"\ndashboard height at 2,000 hotels: {heights[375]:,} px at 375 px "
                         f"wide, {heights[1280]:,} px at 1280 px\n")
    assert heights[375] < 16_000 and heights[1280] < 8_000


def test_hostile_names_cannot_break_the_page_or_its_filter(browser, site):
    page = open_page(browser, site["url"]["hostile"], 1280)
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    names = [r["name"] for r in visible_rows(page)]
    for hostile in HOSTILE_NAMES:
        assert hostile in names  # shown as the text it is, not markup
    for typed, name in (("</script>", HOSTILE_NAMES[0]), ('" \'', HOSTILE_NAMES[1]),
                        ("rtl", HOSTILE_NAMES[2]), ("onerror", HOSTILE_NAMES[3])):
        page.fill("#f-q", "")
        expect(page.locator("#hotel-count")).to_have_text("12 hotels.")
        page.fill("#f-q", typed)
        expect(page.locator("#hotel-count")).to_have_text("1 of 12 hotels match.")
        assert [r["name"] for r in visible_rows(page)] == [name]
    page.fill("#f-q", "")
    page.focus("th[data-key=name] button")
    page.keyboard.press("Enter")
    assert len(visible_rows(page)) == 12
    assert page.problems == [] and page.evaluate("typeof window.pwned") == "undefined"
    assert re.search(r"<script>window\.pwned", (site["dir"] / "hostile" /
                                                 "dashboard.html").read_text()) is None
    page.context.close()


def test_without_javascript_every_hotel_shows_and_nothing_scrolls_sideways(browser, site):
    """Progressive enhancement: the script only adds sorting, filters and paging."""
    page = open_page(browser, site["url"]["big"], 375, java_script_enabled=False)
    assert page.locator("#hotels tbody tr:visible").count() == 2000
    assert page.locator("#hotel-filter").is_hidden() and page.locator("#hotel-more").is_hidden()
    assert page.locator("#hotel-count").text_content() == "2,000 hotels."
    sizes = page.evaluate("({sw: document.documentElement.scrollWidth,"
                          " cw: document.documentElement.clientWidth})")
    assert sizes["sw"] <= sizes["cw"] == 375
    page.context.close()
