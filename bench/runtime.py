"""Benchmark: the runtime's size per format, and how fast the xAPI queue drains into a real LRS.

    .venv/bin/python bench/runtime.py [--statements 2000]

Sizes: runtime.js (adapters included) + runtime.css of each built package, gzipped (budget 20 KB).
Throughput: N statements are put in a learner's localStorage queue, the xAPI package is launched
in headless Chromium with that registration, and the time until the queue is empty is measured
against the local LRS (Learning Locker's xapi-statements on 127.0.0.1); the floor is POSTing the
same statements from Python in the same batch size. Prints figures; judges nothing.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from builder.build import build  # noqa: E402
from noroom.vocabulary import load_vocabulary  # noqa: E402
from tests.support.browser import CHROMIUM, FLAGS  # noqa: E402
from tests.support.lrs import start_lrs, stop_lrs  # noqa: E402
from tests.support.xapi_site import XapiSite, _handler  # noqa: E402

AUTH = "Basic " + base64.b64encode(b"bench-key:bench-secret").decode()


def sizes(dist: Path) -> None:
    print("runtime JS + CSS per format (gzipped; budget 20 KB)")
    for path in sorted(dist.glob("*_en_*.zip")):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in ("runtime.js", "runtime.css") if n in zf.namelist()]
            raw = b"".join(zf.read(n) for n in names)
        fmt = path.stem.rsplit("_", 1)[1]
        packed = len(gzip.compress(raw, 9)) / 1024
        print(f"  {fmt:<10} {len(raw) / 1024:6.1f} KB raw  {packed:5.1f} KB gzipped")


def statements(n: int, reg: str) -> list[dict]:
    v = load_vocabulary()
    return [{"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:bench@example.org"},
             "verb": {"id": v.verbs["experienced"]},
             "object": {"id": v.module_iri("signals"), "objectType": "Activity"},
             "context": {"registration": reg, "language": "en"},
             "timestamp": "2026-11-24T10:00:00.000Z"} for _ in range(n)]


def throughput(dist: Path, n: int, tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    lrs = start_lrs(tmp)
    try:
        root = tmp / "pkg"
        with zipfile.ZipFile(dist / "no-room_en_xapi.zip") as zf:
            zf.extractall(root)
        site = XapiSite(root.resolve(), lrs.endpoint)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
        site.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # Floor: the same statements POSTed from Python in batches of 25.
        floor_sts = statements(n, str(uuid.uuid4()))
        t0 = time.perf_counter()
        with httpx.Client(headers={"Authorization": AUTH, "X-Experience-API-Version": "1.0.3"},
                          timeout=30) as client:
            for i in range(0, n, 25):
                client.post(site.endpoint + "statements", json=floor_sts[i:i + 25])
        floor = time.perf_counter() - t0
        reg = str(uuid.uuid4())
        queued = statements(n, reg)
        params = {"endpoint": site.endpoint, "auth": AUTH, "registration": reg, "hotel": "NL-X-01",
                  "actor": json.dumps({"mbox": "mailto:bench@example.org"})}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            page.goto(f"{site.url}/pkg/runtime.css")  # same origin, to seed localStorage
            page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                          [f"noroom.queue.{reg}", json.dumps(queued)])
            t0 = time.perf_counter()
            page.goto(f"{site.url}/pkg/index.html?{urlencode(params)}")
            page.wait_for_function(f"JSON.parse(localStorage.getItem('noroom.queue.{reg}'))"
                                   ".length === 0", timeout=300_000, polling=50)
            runtime = time.perf_counter() - t0
            browser.close()
        server.shutdown()
        print(f"queue to LRS: {n} statements in {runtime:.2f} s = {n / runtime:,.0f} statements/s "
              f"(floor, Python POSTs in batches of 25: {n / floor:,.0f}/s; ratio "
              f"{runtime / floor:.2f}x)")
    finally:
        stop_lrs(lrs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        build(ROOT / "course_src", dist, languages=["en"])
        sizes(dist)
        throughput(dist, args.statements, Path(tmp))


if __name__ == "__main__":
    main()
