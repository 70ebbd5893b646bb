"""HTTP on 127.0.0.1 for the browser tests: a package folder plus a scorm-again "LMS".

`lms_server(package_zip, version, preload)` unzips the package under /pkg/, serves scorm-again
under /lms/ and records every commit the runtime's LMS API sends to /commit. `commit_mode` makes
/commit fail on purpose ("fail" answers {"result": false}). The host page reports every API call
made after LMSFinish/Terminate to /violation; a test during which one arrived fails (issue 12:
Moodle records nothing after the session ended, so such a call is a lost result).
"""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules"
HOST_PAGE = Path(__file__).with_name("lms") / "host.html"


@dataclass
class LmsState:
    commits: list[dict[str, Any]] = field(default_factory=list)
    commit_mode: str = "ok"
    failures: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def last(self) -> dict[str, Any]:
        return self.commits[-1] if self.commits else {}


class _Handler(SimpleHTTPRequestHandler):
    lms: LmsState

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path.startswith("/violation"):
            self.lms.violations.append(body.decode("utf-8", "replace"))
            self.send_response(204)
            self.end_headers()
            return
        if self.path.startswith("/commit"):
            ok = self.lms.commit_mode == "ok"
            if ok:
                try:
                    self.lms.commits.append(json.loads(body or b"{}"))
                except ValueError:
                    self.lms.commits.append({"raw": body.decode("utf-8", "replace")})
            else:
                self.lms.failures += 1
            payload = json.dumps({"result": ok, "errorCode": 0 if ok else 101}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_error(404)


@dataclass
class Served:
    url: str
    root: Path
    lms: LmsState
    server: ThreadingHTTPServer

    def preload(self, data: dict[str, Any]) -> None:
        (self.root / "lms" / "preload.json").write_text(json.dumps(data))


def serve_folder(root: Path) -> tuple[ThreadingHTTPServer, LmsState]:
    lms = LmsState()
    handler = type("Handler", (_Handler,), {"lms": lms})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, lms


def unpack(package: Path, dest: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        zf.extractall(dest)


@pytest.fixture
def lms_server(tmp_path: Path) -> Iterator[Any]:
    """Factory: lms_server(zip) -> Served, with the package at /pkg/ and the LMS at /lms/.
    Fails the test if the course called any site's LMS API after its session ended."""
    sites: list[Served] = []

    def start(package: Path) -> Served:
        root = tmp_path / f"site{len(sites)}"
        unpack(package, root / "pkg")
        (root / "lms").mkdir(parents=True)
        for name in ("scorm12.min.js", "scorm2004.min.js"):
            shutil.copy(NODE / "scorm-again" / "dist" / name, root / "lms" / name)
        shutil.copy(HOST_PAGE, root / "lms" / "host.html")
        (root / "lms" / "preload.json").write_text("{}")
        server, lms = serve_folder(root)
        sites.append(Served(f"http://127.0.0.1:{server.server_address[1]}", root, lms, server))
        return sites[-1]

    yield start
    for site in sites:
        site.server.shutdown()
        site.server.server_close()
    violations = [v for site in sites for v in site.lms.violations]
    assert violations == [], f"the course called the LMS after the session ended: {violations}"
