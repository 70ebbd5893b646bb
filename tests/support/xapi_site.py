"""One origin (127.0.0.1) that serves an xAPI package under /pkg/ and an LRS under /xAPI/: the
statement resource is forwarded to the real test LRS (xapi-statements).

Limitation: xapi-statements has no State API or Agent Profile API, so those two resources are a
Python stand-in kept in memory here (GET/PUT by stateId, activityId and registration; the agent
is not part of the key). Tests of resume and of cmi5 LMS.LaunchData exercise the runtime's
requests against this stand-in, not against a real LRS's document store.

`mode` simulates outages: "down" drops connections, "hang" reads the request and never answers (the
connection is closed when the test ends), "lost" forwards the statements to the LRS and then drops
the connection, so the LRS stores them but the browser never learns it (logged with the LRS's
status negated); a number answers that HTTP status; `refuse` (a predicate on one statement) makes
any POST carrying a matching statement answer `refuse_status` (400), as a real LRS does for a batch
with one invalid statement (409: one it already holds otherwise). `log` records every statement
POST in arrival order (status, ids), including the ones an outage answered, so tests can compare
what the browser sent with what the LRS holds; `body_sizes` the bytes of each. The cmi5 `fetch` URL
hands out `fetch_token` once, then the spec's error JSON (`fetch_error` makes it answer the error
JSON from the start). Agent Profile reads (e.g. cmi5LearnerPreferences) are served from `profiles`
and logged in `profile_reads` (profile id, agent, Authorization).

With `lms` (a tests.support.cmi5_lms.Cmi5Lms, see `cmi5_launch`) the site is a cmi5 LMS that
refuses what ADL's CATAPULT player refuses: one session and token per launch (fetch URL
/fetch/<token>), every xAPI request checked against the session's rules first (403 with a
violatedReqId, kept in `lms.violations`), statements forwarded with the LMS's own credentials.
"""

from __future__ import annotations

import base64
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

from tests.support.cmi5_lms import Cmi5Lms, Refused

LRS_AUTH = "Basic " + base64.b64encode(b"test-key:test-secret").decode()
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
    lms: Cmi5Lms | None = None  # set: the site is a cmi5 LMS with CATAPULT's rules
    lock: threading.Lock = field(default_factory=threading.Lock)
    state_puts: list[str] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)  # ends "hang"

    def cmi5_launch(self, actor: dict[str, Any], activity_id: str, registration: str,
                    launch_data: dict[str, Any], move_on: str = "CompletedAndPassed") -> Any:
        """A new cmi5 session, as CATAPULT makes one per launch: LMS.LaunchData written with
        the session's context template (launch_data's contextTemplate plus the session id).
        Returns the Session; its fetch URL is fetch_url(session)."""
        from tests.support.cmi5_lms import Registration

        if self.lms is None:
            self.lms = Cmi5Lms()
        mastery = launch_data.get("masteryScore")
        session = self.lms.launch(Registration(registration, actor, activity_id, move_on),
                                  launch_data.get("launchMode", "Normal"), mastery,
                                  launch_data.get("contextTemplate", {}))
        self.put_state("LMS.LaunchData", activity_id, registration,
                       {**launch_data, "contextTemplate": session.template, "moveOn": move_on})
        return session

    def fetch_url(self, session: Any) -> str:
        return f"{self.url}/fetch/{session.token}"

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


def _list(body: bytes) -> list[dict[str, Any]]:
    try:
        payload = json.loads(body)
    except ValueError:
        return []
    return payload if isinstance(payload, list) else [payload]


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
            self.send_header("Access-Control-Allow-Origin", "*")  # an LRS another page posts to
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _outage(self) -> bool:
            if site.mode in ("up", "lost"):
                return False
            if site.mode == "hang":
                site.closing.wait(60)
                self.close_connection = True
                return True
            if site.mode == "down":
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            self._send(int(site.mode), b"{}")
            return True

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _lms(self, method: str, body: bytes = b"") -> tuple[Any, list[str]] | None:
            """As a cmi5 LMS (site.lms): the request's session and the cmi5 verbs it carries,
            or None when it was refused (answered here) or is no cmi5 request."""
            url = urlsplit(self.path)
            session = site.lms.session_of(self.headers.get("Authorization", ""))
            if session is None:
                self._send(401, b'{"message": "no session has this token"}')
                return None
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            try:
                verbs = site.lms.check(session, method, url.path.removeprefix("/xAPI/"), query,
                                       body)
            except Refused as refused:
                if url.path == "/xAPI/statements":
                    site.log.append((refused.status, [st.get("id") for st in _list(body)]))
                self._send(refused.status, refused.body())
                return None
            return session, verbs

        def _after(self, gate: tuple[Any, list[str]] | None, method: str, status: int) -> None:
            if gate:
                url = urlsplit(self.path)
                site.lms.accepted(gate[0], url.path.removeprefix("/xAPI/"), method,
                                  {k: v[0] for k, v in parse_qs(url.query).items()}, status,
                                  gate[1])

        def _xapi(self, method: str, body: bytes = b"") -> None:
            """An xAPI request; as a cmi5 LMS one request at a time, like CATAPULT's
            transaction per request."""
            if site.lms is None:
                return self._resource(method, body, None)
            with site.lock:
                gate = self._lms(method, body)
                if gate is not None:
                    self._resource(method, body, gate)
            return None

        def _resource(self, method: str, body: bytes, gate: Any) -> None:
            url = urlsplit(self.path)
            if url.path == "/xAPI/statements" and method == "POST":
                return self._statements(body, gate)
            if url.path == "/xAPI/activities/state" and method == "GET":
                key = query_state_key(url.query)
                status = 200 if key in site.state else 404
                self._send(status, site.state.get(key, "").encode(), "text/plain")
            elif url.path == "/xAPI/activities/state" and method == "PUT":
                site.state[query_state_key(url.query)] = body.decode()
                site.state_puts.append(query_state_key(url.query))
                status = 204
                self._send(status)
            elif url.path == "/xAPI/agents/profile" and method == "GET":
                query = parse_qs(url.query)
                profile = query.get("profileId", [""])[0]
                site.profile_reads.append((profile, query.get("agent", [""])[0],
                                           self.headers.get("Authorization", "")))
                status = 200 if profile in site.profiles else 404
                self._send(status, site.profiles.get(profile, "").encode())
            else:
                status = 404
                self._send(status)
            return self._after(gate, method, status)

        def do_OPTIONS(self) -> None:  # noqa: N802
            """CORS preflight, as an LRS answers it for a page of another origin."""
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, PUT, POST")
            self.send_header("Access-Control-Allow-Headers",
                             "Authorization, Content-Type, X-Experience-API-Version")
            self.send_header("Content-Length", "0")
            self.end_headers()

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
            return self._xapi("GET")

        def do_PUT(self) -> None:  # noqa: N802
            body = self._body()
            if self._outage():
                return None
            return self._xapi("PUT", body)

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            if urlsplit(self.path).path == "/commit":  # the SCORM LMS host's commits
                return self._send(200, b'{"result": true, "errorCode": 0}')
            if urlsplit(self.path).path.startswith("/fetch"):
                # cmi5 fetch URL: the token once, then the spec's error JSON.
                site.fetches += 1
                error = {"error-code": "1", "error-text": "already fetched"}
                token = urlsplit(self.path).path.removeprefix("/fetch/")
                if site.lms is not None and not site.fetch_error:
                    return self._send(200, json.dumps(site.lms.fetch(token)).encode())
                if site.fetches == 1 and not site.fetch_error:
                    return self._send(200, json.dumps({"auth-token": site.fetch_token}).encode())
                return self._send(200, json.dumps(error).encode())
            if site.mode not in ("up", "lost"):
                if urlsplit(self.path).path == "/xAPI/statements":
                    site.body_sizes.append(len(body))
                    site.log.append((0 if site.mode in ("down", "hang") else int(site.mode),
                                     [st.get("id") for st in _list(body)]))
                self._outage()
                return None
            return self._xapi("POST", body)

        def _statements(self, body: bytes, gate: Any) -> None:
            batch = _list(body)
            ids = [s["id"] for s in batch]
            if site.refuse and any(site.refuse(s) for s in batch):
                site.body_sizes.append(len(body))
                site.log.append((site.refuse_status, ids))
                return self._send(site.refuse_status,
                                  b'{"message": "the test LRS refuses this statement"}')
            site.posts.append(len(batch))
            # As a cmi5 LMS, the LMS's own credentials towards the LRS (as CATAPULT does).
            key = LRS_AUTH if gate else self.headers.get("Authorization", "")
            r = httpx.post(site.lrs_endpoint + "statements", content=body, timeout=30,
                           headers={"Content-Type": "application/json", "Authorization": key,
                                    "X-Experience-API-Version": "1.0.3"})
            site.body_sizes.append(len(body))
            self._after(gate, "POST", r.status_code)
            if site.mode == "lost":  # stored, but the answer never reaches the browser
                site.log.append((-r.status_code, ids))
                self.close_connection = True
                self.connection.shutdown(2)
                return None
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
        server.site = site  # type: ignore[attr-defined]
        site.server, site.url = server, f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return site

    yield start
    for server in servers:
        server.site.closing.set()  # type: ignore[attr-defined]

        server.shutdown()
        server.server_close()
