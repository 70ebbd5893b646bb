"""A fault-injecting HTTP proxy in front of the real test LRS, on 127.0.0.1 only.

Deterministic by request number: `proxy.script = {2: Fault("status", 503, retry_after="1")}`
makes the second request answer 503. Faults: status (any code, optional Retry-After), drop (close
the connection mid-body), truncate (half a JSON page), garbage (not JSON), delay (seconds, for read
timeouts), more (rewrite the page's `more` link: "absolute", "repeat" or "relative"), consistent
(set X-Experience-API-Consistent-Through). Every request is recorded in `proxy.seen`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest


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
    statements_served: int = 0
    server: ThreadingHTTPServer | None = None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.seen.append(handler.path)
        fault = self.script.get(len(self.seen))
        if fault and fault.kind == "status":
            handler.send_response(fault.status)
            if fault.retry_after:
                handler.send_header("Retry-After", fault.retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
        upstream = httpx.get(self.upstream.rstrip("/") + handler.path.removeprefix("/xAPI"),
                             headers={k: v for k, v in handler.headers.items()
                                      if k.lower() in ("authorization",
                                                       "x-experience-api-version")},
                             timeout=30)
        body, headers = upstream.content, {"Content-Type": "application/json"}
        if upstream.status_code == 200 and handler.path.startswith("/xAPI/statements"):
            doc = json.loads(body)
            if fault and fault.kind == "more" and doc.get("more"):
                more = doc["more"]
                doc["more"] = {"absolute": self.url.rstrip("/") + more.removeprefix("/xAPI")
                               if more.startswith("/") else more,
                               "repeat": handler.path,
                               "relative": more.split("/xAPI/", 1)[-1]}[fault.value]
            else:
                # The LRS answers with its own host in `more`; send the client back to the proxy.
                doc["more"] = doc.get("more", "").replace(self.upstream.rstrip("/"), self.url)
            self.statements_served += len(doc.get("statements", []))
            body = json.dumps(doc).encode()
        if fault and fault.kind == "consistent":
            headers["X-Experience-API-Consistent-Through"] = fault.value
        if fault and fault.kind in ("truncate", "garbage"):
            body = body[: len(body) // 2] if fault.kind == "truncate" else b"<html>oops</html>"
        handler.send_response(upstream.status_code)
        for k, v in headers.items():
            handler.send_header(k, v)
        if fault and fault.kind == "drop":
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 3])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def start_proxy(upstream: str) -> FaultProxy:
    proxy = FaultProxy(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            proxy.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.server = server
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return proxy


@pytest.fixture
def fault_proxy(lrs: Any) -> Iterator[FaultProxy]:
    proxy = start_proxy(lrs.endpoint)
    yield proxy
    assert proxy.server is not None
    proxy.server.shutdown()
    proxy.server.server_close()
