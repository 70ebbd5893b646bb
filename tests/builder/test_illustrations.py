"""Issue 16 §1: the course's drawings and signal cards.

Every drawing and icon course.yaml names exists and passes the SVG allow-list; every package of
every format carries the drawings its pages show (SCORM manifests list them); each has alt text
in every language (or lint says it is decorative); signal lists render as cards with an icon
each in Chromium; the pages with drawings or cards pass axe and fit 320 px in every language;
every package stays under the 300 KB budget (bench/sizes.py prints the figures)."""

from __future__ import annotations

import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from builder.course import load_source
from builder.lint import lint
from builder.svg import svg_problems
from noroom.errors import SourceError
from tests.builder.conftest import ALL_FORMATS, COURSE_SRC, REAL_ID, REAL_LANGUAGES, real_package
from tests.support.browser import run_axe
from tests.support.player import Player

CONFIG = yaml.safe_load((COURSE_SRC / "course.yaml").read_text("utf-8"))
IMAGES: dict[str, str] = CONFIG["images"]
ICONS: dict[str, list[str]] = CONFIG["icons"]
PACKAGE_BUDGET = 300 * 1024
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and ("class", "illus") in attrs:
            self.found.append(dict(attrs))


def drawings_in(page: bytes) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed(page.decode("utf-8"))
    return parser.found


def test_every_drawing_and_icon_named_exists_and_passes_the_svg_allow_list():
    names = [("images", n) for n in set(IMAGES.values())]
    names += [("icons", n) for icons in ICONS.values() for n in set(icons)]
    assert len(set(IMAGES.values())) >= 5 and names
    for folder, name in names:
        data = (COURSE_SRC / folder / f"{name}.svg").read_bytes()
        assert svg_problems(data) == [], f"{folder}/{name}.svg"
    assert max(len((COURSE_SRC / "images" / f"{n}.svg").read_bytes())
               for n in IMAGES.values()) <= 6 * 1024


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_each_package_carries_the_drawings_its_pages_show(course_dist, lang, fmt):
    with zipfile.ZipFile(real_package(course_dist, lang, fmt)) as zf:
        page = zf.read("index.html")
        shown = {d["src"] for d in drawings_in(page)}
        assert shown == {f"images/{n}.svg" for n in IMAGES.values()}
        for src in shown:
            assert zf.read(src) == (COURSE_SRC / src).read_bytes()
        if fmt.startswith("scorm"):
            manifest = zf.read("imsmanifest.xml").decode("utf-8")
            assert all(f'<file href="{src}"/>' in manifest for src in shown)


def test_the_all_languages_cmi5_package_links_its_drawings_from_each_language_folder(course_dist):
    with zipfile.ZipFile(course_dist / f"{REAL_ID}_mul_cmi5.zip") as zf:
        names = set(zf.namelist())
        for lang in REAL_LANGUAGES:
            for drawing in drawings_in(zf.read(f"{lang}/index.html")):
                src = str(drawing["src"])
                assert src.startswith("../images/") and src[3:] in names


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_every_drawing_has_alt_text_in_the_pages_language(course_dist, lang):
    course = load_source(COURSE_SRC).course(lang)
    with zipfile.ZipFile(real_package(course_dist, lang, "web")) as zf:
        drawings = drawings_in(zf.read("index.html"))
    assert len(drawings) == len(IMAGES)
    for drawing in drawings:
        name = Path(str(drawing["src"])).stem
        assert (drawing["alt"] or "").strip(), f"{lang}: {name} has no alt text"
        assert drawing["alt"] == next(p.image_alt for p in course.pages
                                      if p.image.endswith(f"/{name}.svg"))


def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "course_src"
    shutil.copytree(COURSE_SRC, root)
    return root


def test_a_drawing_without_alt_text_is_decorative_and_lint_warns(tmp_path):
    root = course_copy(tmp_path)
    for path in (root / "text").glob("*.yaml"):
        text = path.read_text("utf-8")
        path.write_text(re.sub(r'  bar:\n    alt: "[^\n]*"\n', "", text), "utf-8")
    page = next(p for p in load_source(root).course("nl").pages if p.id == "bar-signals")
    assert page.image == "images/bar.svg" and page.image_alt == ""
    warnings = [str(f) for f in lint(root).warnings]
    assert any("drawing bar has no alt text" in w for w in warnings), warnings


def test_an_icon_list_that_does_not_match_the_signal_list_stops_the_build(tmp_path):
    root = course_copy(tmp_path)
    cfg = root / "course.yaml"
    text = cfg.read_text("utf-8")
    cfg.write_text(text.replace("bar-signals: [glass, eye, young, keycard, balloon]",
                                "bar-signals: [glass, eye, young, keycard]"), "utf-8")
    with pytest.raises(SourceError, match=r"pages\.bar-signals\.body has 5 list items but "
                                          r"course\.yaml gives 4 icons"):
        load_source(root).course("nl")


def test_a_missing_or_unsafe_drawing_is_refused_with_its_line(tmp_path):
    root = course_copy(tmp_path)
    (root / "images" / "bar.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "utf-8")
    cfg = root / "course.yaml"
    cfg.write_text(cfg.read_text("utf-8").replace("[glass,", "[glas,"), "utf-8")
    with pytest.raises(SourceError) as caught:
        load_source(root)
    messages = [str(p) for p in caught.value.problems]
    assert any("images/bar.svg line 1: <script> is not allowed" in m for m in messages), messages
    assert any("icons/glas.svg does not exist" in m and "course.yaml:" in m for m in messages)


@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_every_package_is_under_the_size_budget(course_dist, lang):
    for fmt in ALL_FORMATS:
        size = real_package(course_dist, lang, fmt).stat().st_size
        assert size <= PACKAGE_BUDGET, f"{lang} {fmt}: {size} bytes"
    assert (course_dist / f"{REAL_ID}_mul_cmi5.zip").stat().st_size <= PACKAGE_BUDGET


# -- in Chromium ---------------------------------------------------------------------------------

# Roles with a module of their own ("other" takes the shared modules only).
ROLE_PAGES = {m["role"]: m["pages"] for m in CONFIG["modules"] if m.get("role")}
SHARED = [p for m in CONFIG["modules"] if not m.get("role") for p in m["pages"]
          if p in IMAGES or p in ICONS]


def visit(page, url: str, role: str, wanted: list[str], inspect) -> None:  # type: ignore[no-untyped-def]
    """Play `role`'s path from the start, calling inspect(page id) on each page in `wanted`."""
    page.goto(url)
    page.evaluate("localStorage.clear()")  # the web package resumes from the browser (issue 16)
    page.reload()
    player = Player(page, page.main_frame)
    left = list(wanted)
    while left:
        step = player.step()
        if step.startswith("page:") and step[5:] in left:
            inspect(step[5:])
            left.remove(step[5:])
        if step == "role":
            player.choose_role(role)
        player.choose_if_asked()  # a scenario's or a check's practice choice (issue 16)
        player.next()


CARDS_JS = """() => [...document.querySelectorAll('.step.current ul.cards > li')].map(li => {
    const svg = li.querySelector(':scope > svg.icon');
    const ref = svg && svg.querySelector('use').getAttribute('href');
    const box = svg && svg.getBoundingClientRect();
    return {ref, hidden: svg && svg.getAttribute('aria-hidden'), symbol: !!(ref &&
            document.querySelector('symbol' + ref)), drawn: !!(svg &&
            svg.querySelector('use').getBBox().width > 0), size: box ? box.width : 0,
            lead: (li.querySelector('strong') || {}).textContent || ''};
})"""
IMAGE_JS = """() => { const i = document.querySelector('.step.current img.illus');
    return i ? {loaded: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width}
             : null; }"""


@pytest.mark.browser
def test_signal_lists_render_as_cards_with_their_icons(lms_server, browser, course_dist):
    site = lms_server(real_package(course_dist, "en", "web"))
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    seen = {}

    def inspect(pid: str) -> None:
        seen[pid] = (page.evaluate(CARDS_JS), page.evaluate(IMAGE_JS))

    for role, pages in ROLE_PAGES.items():
        visit(page, f"{site.url}/pkg/index.html", role,
              [p for p in SHARED + pages if p not in seen], inspect)
    context.close()
    for pid, icons in ICONS.items():
        cards, _ = seen[pid]
        assert [c["ref"] for c in cards] == [f"#i-{i}" for i in icons], pid
        assert all(c["symbol"] and c["drawn"] and c["size"] >= 30 and c["hidden"] == "true"
                   for c in cards), (pid, cards)
    assert all(c["lead"] for c in seen["signals-guests"][0])  # the bold lead stays
    for pid in IMAGES:
        assert seen[pid][1] == {"loaded": True, "width": pytest.approx(343, abs=1)}, pid


@pytest.mark.browser
@pytest.mark.parametrize("lang", REAL_LANGUAGES)
def test_illustrated_and_card_pages_pass_axe_and_fit_320px(lms_server, browser, course_dist,
                                                           lang):
    site = lms_server(real_package(course_dist, lang, "web"))
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    found, overflow, done = {}, {}, set()

    def inspect(pid: str) -> None:
        done.add(pid)
        violations = run_axe(page.main_frame)
        if violations:
            found[pid] = violations
        if page.evaluate(OVERFLOW) > 0:
            overflow[pid] = page.evaluate(OVERFLOW)

    for role, pages in ROLE_PAGES.items():
        visit(page, f"{site.url}/pkg/index.html", role,
              [p for p in SHARED + pages if p not in done and (p in IMAGES or p in ICONS)],
              inspect)
    context.close()
    assert done == set(IMAGES) | set(ICONS)
    assert found == {}
    assert overflow == {}
