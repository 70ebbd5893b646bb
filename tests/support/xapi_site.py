"""One origin (127.0.0.1) that serves an xAPI package under /pkg/ and an LRS under /xAPI/: the
statement resource is forwarded to the real test LRS (xapi-statements).

Limitation: xapi-statements has no State API or Agent Profile API, so those two resources are a
Python stand-in kept in memory here (GET/PUT by stateId, activityId and registration; the agent
is not part of the key). Tests of resume and of cmi5 LMS.LaunchData exercise the runtime's
requests against this stand-in, not against a real LRS's document store.

`mode` simulates outages: "down" drops connections, a number answers that HTTP status; `refuse`
(a predicate on one statement) makes any POST carrying a matching statement answer
`refuse_status` (400), as a real LRS does for a batch with one invalid statement (409: one it
already holds otherwise). `log` records every statement POST in arrival order (status, ids),
including the ones an outage answered, so tests can compare what the browser sent with what the
LRS holds; `body_sizes` the bytes of each. The cmi5 `fetch` URL hands out `fetch_token` once, then
the spec's error JSON (`fetch_error` makes it answer the error JSON from the start). Agent
Profile reads (e.g. cmi5LearnerPreferences) are served from `profiles` and logged in
`profile_reads` (profile id, agent, Authorization).
"""

from __future__ import annotations

import json
import subprocess
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

VALIDATOR = Path(__file__).with_name("xapi_validate.js")
ROOT = Path(__file__).resolve().parents[2]


def state_key(state_id: str, activity: str, registration: str) -> str:
    return f"{state_id}|{activity}|{registration}"


def query_state_key(query: str) -> str:
    q = parse_qs(query)
    return state_key(q.get("stateId", [""])[0], q.get("activityId", [""])[0],
                     q.get("registration", [""])[0])


@dataclass
class XapiSite:
    root: Path
    lrs_endpoint: str
    url: str = ""
    mode: str = "up"
    state: dict[str, str] = field(default_factory=dict)
    posts: list[int] = field(default_factory=list)
    log: list[tuple[int, list[str]]] = field(default_factory=list)
    body_sizes: list[int] = field(default_factory=list)  # bytes of each POST in `log`
    refuse: Callable[[dict[str, Any]], bool] | None = None
    refuse_status: int = 400
    fetch_error: bool = False
    profiles: dict[str, str] = field(default_factory=dict)
    profile_reads: list[tuple[str, str, str]] = field(default_factory=list)  # id, agent, auth
    fetch_token: str = "dGVzdC1rZXk6dGVzdC1zZWNyZXQ="  # test-key:test-secret
    fetches: int = 0

    def put_state(self, state_id: str, activity: str, registration: str, value: Any) -> None:
        """As the LMS does before launch, e.g. LMS.LaunchData for a cmi5 AU."""
        self.state[state_key(state_id, activity, registration)] = json.dumps(value)

    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return self.url + "/xAPI/"

    def posted(self, status: int | None = None) -> list[str]:
        """Statement ids the browser POSTed, in arrival order (only answers with `status`)."""
        return [i for code, ids in self.log if status in (None, code) for i in ids]

    def delivered(self) -> list[str]:
        """Ids of statements in POSTs the LRS accepted (2xx), in arrival order."""
        return [i for code, ids in self.log if 200 <= code < 300 for i in ids]


def validate_statements(statements: list[dict[str, Any]]) -> list[Any]:
    out = subprocess.run(["node", str(VALIDATOR)], input=json.dumps(statements), text=True,
                         capture_output=True, check=True, cwd=ROOT, timeout=60).stdout
    return json.loads(out)


def _handler(site: XapiSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _outage(self) -> bool:
            if site.mode == "up":
                return False
            if site.mode == "down":
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            self._send(int(site.mode), b"{}")
            return True

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if url.path.startswith("/pkg/"):
                file = (site.root / url.path[5:]).resolve()
                if site.root in file.parents and file.is_file():
                    ctype = {".html": "text/html", ".js": "text/javascript",
                             ".css": "text/css", ".svg": "image/svg+xml",
                             ".png": "image/png"}.get(file.suffix, "application/octet-stream")
                    return self._send(200, file.read_bytes(), ctype)
                return self._send(404)
            if self._outage():
                return None
            if url.path == "/xAPI/activities/state":
                key = query_state_key(url.query)
                if key in site.state:
                    return self._send(200, site.state[key].encode(), "text/plain")
                return self._send(404)
            if url.path == "/xAPI/agents/profile":
                query = parse_qs(url.query)
                profile = query.get("profileId", [""])[0]
                site.profile_reads.append((profile, query.get("agent", [""])[0],
                                           self.headers.get("Authorization", "")))
                if profile in site.profiles:
                    return self._send(200, site.profiles[profile].encode())
                return self._send(404)
            return self._send(404)

        def do_PUT(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            body = self._body()
            if self._outage():
                return None
            if url.path == "/xAPI/activities/state":
                site.state[query_state_key(url.query)] = body.decode()
                return self._send(204)
            return self._send(404)

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            if urlsplit(self.path).path == "/commit":  # the SCORM LMS host's commits
                return self._send(200, b'{"result": true, "errorCode": 0}')
            if urlsplit(self.path).path == "/fetch":
                # cmi5 fetch URL: the token once, then the spec's error JSON.
                site.fetches += 1
                if site.fetches == 1 and not site.fetch_error:
                    return self._send(200, json.dumps({"auth-token": site.fetch_token}).encode())
                return self._send(200, json.dumps({"error-code": "1", "error-text":
                                                   "already fetched"}).encode())
            if urlsplit(self.path).path != "/xAPI/statements":
                return None if self._outage() else self._send(404)
            batch = json.loads(body)
            ids = [s["id"] for s in batch]
            if site.mode != "up":
                site.body_sizes.append(len(body))
                site.log.append((0 if site.mode == "down" else int(site.mode), ids))
                self._outage()
                return None
            if site.refuse and any(site.refuse(s) for s in batch):
                site.body_sizes.append(len(body))
                site.log.append((site.refuse_status, ids))
                return self._send(site.refuse_status,
                                  b'{"message": "the test LRS refuses this statement"}')
            site.posts.append(len(batch))
            r = httpx.post(site.lrs_endpoint + "statements", content=body, timeout=30,
                           headers={"Content-Type": "application/json",
                                    "Authorization": self.headers.get("Authorization", ""),
                                    "X-Experience-API-Version": "1.0.3"})
            site.body_sizes.append(len(body))
            site.log.append((r.status_code, ids))
            return self._send(r.status_code, r.content)

    return Handler


@pytest.fixture
def xapi_site(lrs: Any, tmp_path: Path) -> Iterator[Any]:
    """Factory: xapi_site(package_zip) -> XapiSite serving it beside the LRS."""
    servers: list[ThreadingHTTPServer] = []

    def start(package: Path) -> XapiSite:
        root = tmp_path / f"pkg{len(servers)}"
        with zipfile.ZipFile(package) as zf:
            zf.extractall(root)
        site = XapiSite(root.resolve(), lrs.endpoint)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
        server.daemon_threads = True
        site.server, site.url = server, f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
