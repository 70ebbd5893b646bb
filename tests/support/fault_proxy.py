"""A fault-injecting HTTP proxy in front of the real test LRS, on 127.0.0.1 only.

Deterministic by request number: `proxy.script = {2: Fault("status", 503, retry_after="1")}`
makes the second request answer 503. Faults:

- status: any code, optional Retry-After; delay: wait `seconds` first (read timeouts, kills);
  hold: wait until `proxy.released` is set (at most `seconds`), then answer;
- drop: close the connection a third into the body; stall: send a third of the body, then wait
  `seconds` (a kill mid-body); truncate: half a JSON page; garbage: not JSON;
- more: rewrite the page's `more` link: "absolute", "repeat", "relative", or `value` verbatim
  (e.g. a link to another host);
- split: a short page that still has `more`: the first half now, the rest behind a proxy link;
- empty: an empty page with a fresh `more` link (an LRS that pages forever);
- inject: add the JSON statement in `value` to the page (what a real LRS would have refused);
- consistent: set X-Experience-API-Consistent-Through to `value`.

`proxy.hidden` holds statement ids left out of every page while they are in it (a statement
that becomes visible late). Every request path is recorded in `proxy.seen`, and the number of
statements sent to the client in `proxy.statements_served`; the Authorization headers received
in `proxy.auth`; `proxy.stalled` is set once a stall has sent its part of the body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

REST = "/xAPI/statements/rest/"


@dataclass
class Fault:
    kind: str
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0
    value: str = ""


@dataclass
class FaultProxy:
    upstream: str
    url: str = ""
    script: dict[int, Fault] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    auth: list[str | None] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    closing: threading.Event = field(default_factory=threading.Event)  # ends delays and stalls
    released: threading.Event = field(default_factory=threading.Event)  # ends holds
    statements_served: int = 0
    server: ThreadingHTTPServer | None = None
    rests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.seen.append(handler.path)
        self.auth.append(handler.headers.get("Authorization"))
        fault = self.script.get(len(self.seen))
        if fault and fault.kind == "status":
            handler.send_response(fault.status)
            if fault.retry_after:
                handler.send_header("Retry-After", fault.retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if fault and fault.kind == "delay" and self.closing.wait(fault.seconds):
            return  # the test is over: nobody is waiting for this answer
        if fault and fault.kind == "hold":
            self.released.wait(fault.seconds)
        status, doc, body = self.answer(handler, fault)
        headers = {"Content-Type": "application/json"}
        if doc is not None:
            self.statements_served += len(doc.get("statements", []))
            body = json.dumps(doc).encode()
        if fault and fault.kind == "consistent":
            headers["X-Experience-API-Consistent-Through"] = fault.value
        if fault and fault.kind in ("truncate", "garbage"):
            body = body[: len(body) // 2] if fault.kind == "truncate" else b"<html>oops</html>"
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if fault and fault.kind in ("drop", "stall"):
            handler.wfile.write(body[: len(body) // 3])
            handler.wfile.flush()
            if fault.kind == "stall":
                self.stalled.set()
                self.closing.wait(fault.seconds)
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(body)

    def answer(self, handler: BaseHTTPRequestHandler,
               fault: Fault | None) -> tuple[int, dict[str, Any] | None, bytes]:
        """(status, statements document or None, raw body) for this request."""
        n = len(self.seen)
        if handler.path.startswith(REST):
            return 200, self.rests[handler.path.removeprefix(REST)], b""
        if fault and fault.kind == "empty":
            return 200, {"statements": [], "more": f"/xAPI/statements?page={n}"}, b""
        upstream = httpx.get(self.upstream.rstrip("/") + handler.path.removeprefix("/xAPI"),
                             headers={k: v for k, v in handler.headers.items()
                                      if k.lower() in ("authorization",
                                                       "x-experience-api-version")},
                             timeout=30)
        if upstream.status_code != 200 or not handler.path.startswith("/xAPI/statements"):
            return upstream.status_code, None, upstream.content
        doc = json.loads(upstream.content)
        doc["statements"] = [s for s in doc["statements"] if s.get("id") not in self.hidden]
        # The LRS answers with its own host in `more`; send the client back to the proxy.
        doc["more"] = doc.get("more", "").replace(self.upstream.rstrip("/"), self.url)
        if fault and fault.kind == "more" and doc["more"]:
            more = doc["more"]
            doc["more"] = {"absolute": self.url.rstrip("/") + more.removeprefix("/xAPI")
                           if more.startswith("/") else more,
                           "repeat": handler.path,
                           "relative": more.split("/xAPI/", 1)[-1]}.get(fault.value, fault.value)
        if fault and fault.kind == "inject":
            doc["statements"].append(json.loads(fault.value))
        if fault and fault.kind == "split" and len(doc["statements"]) > 1:
            half = len(doc["statements"]) // 2
            self.rests[str(n)] = {"statements": doc["statements"][half:], "more": doc["more"]}
            doc = {"statements": doc["statements"][:half], "more": f"{REST}{n}"}
        return 200, doc, b""


def start_proxy(upstream: str) -> FaultProxy:
    proxy = FaultProxy(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            proxy.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            # A client that went away (killed sync, closed proxy) is part of the tests; printing
            # its traceback would land in whichever test's captured stderr runs at that moment.
            if not proxy.closing.is_set():
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    proxy.server = server
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return proxy


@pytest.fixture
def fault_proxy(lrs: Any) -> Iterator[FaultProxy]:
    proxy = start_proxy(lrs.endpoint)
    yield proxy
    assert proxy.server is not None
    proxy.closing.set()
    proxy.released.set()
    proxy.server.shutdown()
    proxy.server.server_close()
