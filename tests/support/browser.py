"""Headless Debian Chromium driven by Playwright (never a downloaded browser).

Every context the session's browser opens records its requests; a test that used the browser
fails when anything went elsewhere than 127.0.0.1 (issue 3: nothing fetched from the internet).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_SCHEMES = ("about", "data", "blob")


class RecordingBrowser:
    """The Playwright Browser, with every request of every context and page noted in
    `requests` (pages made by browser.new_page() and popups included)."""

    def __init__(self, browser: Any):
        self._browser = browser
        self.requests: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def _record(self, context: Any) -> Any:
        context.on("request", lambda request: self.requests.append(request.url))
        return context

    def new_context(self, **kwargs: Any) -> Any:
        return self._record(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs: Any) -> Any:
        page = self._browser.new_page(**kwargs)
        self._record(page.context)
        return page


def offsite(urls: list[str]) -> list[str]:
    """The URLs that leave the machine's loopback address."""
    return [u for u in urls
            if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).hostname != "127.0.0.1"]


@pytest.fixture(scope="session")
def browser() -> Iterator[RecordingBrowser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing at /usr/bin/chromium: run `make test`, "
                    "which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield RecordingBrowser(b)
        b.close()


@pytest.fixture(autouse=True)
def nothing_fetched_from_the_internet(request: pytest.FixtureRequest) -> Iterator[None]:
    """For tests that use the browser: every request it made went to 127.0.0.1."""
    if "browser" not in request.fixturenames:
        yield
        return
    recorder = request.getfixturevalue("browser")
    start = len(recorder.requests)
    yield
    assert offsite(recorder.requests[start:]) == [], "the browser fetched from off the machine"


@pytest.fixture
def page(browser: RecordingBrowser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def run_axe(frame: Any) -> list[dict[str, Any]]:
    """axe-core WCAG 2.1 A/AA violations in a frame (injected from node_modules)."""
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return frame.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
