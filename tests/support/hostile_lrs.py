"""A hostile or broken "LRS" on 127.0.0.1 for sync tests: every answer is written by the test.

    server.answer = lambda request: ...   # called for each GET, with the Request below

Helpers build the answers a hostile LRS sends: `page()` (a statements page, optionally gzip),
`gzip_bomb()` (a small body that inflates to gigabytes), `endless()` (a body that never ends),
`dribble()` (a byte every few seconds). Nothing waits longer than the test: closing the server
sets `closing`, which ends every dribble and endless body.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Request:
    n: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Answer:
    body: bytes | Iterable[bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class HostileLRS:
    url: str = ""
    answer: Callable[[Request], Answer] = lambda r: Answer(b'{"statements": [], "more": ""}')
    requests: list[Request] = field(default_factory=list)
    sent: int = 0  # body bytes written to clients
    closing: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        request = Request(len(self.requests) + 1, parts.path,
                          {k: v[-1] for k, v in parse_qs(parts.query).items()},
                          dict(handler.headers.items()))
        self.requests.append(request)
        answer = self.answer(request)
        handler.send_response(answer.status)
        headers = {"Content-Type": "application/json", **answer.headers}
        if isinstance(answer.body, bytes):
            headers.setdefault("Content-Length", str(len(answer.body)))
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        chunks = [answer.body] if isinstance(answer.body, bytes) else answer.body
        try:
            for chunk in chunks:
                if self.closing.is_set():
                    break
                handler.wfile.write(chunk)
                handler.wfile.flush()
                self.sent += len(chunk)
        except OSError:  # the client gave up: that is what most tests want
            pass
        handler.close_connection = True


def statements_page(statements: list[dict[str, Any]], more: str = "") -> bytes:
    return json.dumps({"statements": statements, "more": more}).encode()


def gzipped(body: bytes) -> Answer:
    return Answer(gzip.compress(body), headers={"Content-Encoding": "gzip"})


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body that inflates to a JSON page of about `inflated` bytes of blanks (1,000:1).

    Built in a second, not in the minutes compressing it would take: each megabyte of blanks is
    deflated once after a full flush, whose output is then the same for every megabyte, and the
    gzip trailer's CRC is computed over what the blocks stand for."""
    import struct

    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head, tail, block = b'{"statements": [', b'], "more": ""}', b" " * (1 << 20)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    one = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    n = inflated >> 20
    last = comp.compress(tail) + comp.flush()
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = (len(head) + n * len(block) + len(tail)) & 0xFFFFFFFF
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + first + one * n + last
            + struct.pack("<II", crc & 0xFFFFFFFF, size))


def endless(closing: threading.Event, chunk: bytes = b" " * (1 << 16)) -> Iterator[bytes]:
    """A page that never ends: the opening of a statements page, then blanks for ever."""
    yield b'{"statements": ['
    while not closing.is_set():
        yield chunk


def dribble(closing: threading.Event, every: float, body: bytes) -> Iterator[bytes]:
    """`body` one byte at a time, a byte every `every` seconds (a slow-loris LRS)."""
    for i in range(len(body)):
        if closing.wait(every):
            return
        yield body[i:i + 1]


def start_hostile() -> HostileLRS:
    lrs = HostileLRS()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            lrs.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # clients that give up mid-body are what these tests provoke

    server = Server(("127.0.0.1", 0), Handler)
    lrs.server = server
    lrs.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return lrs


@pytest.fixture
def hostile() -> Iterator[HostileLRS]:
    lrs = start_hostile()
    yield lrs
    assert lrs.server is not None
    lrs.closing.set()
    time.sleep(0.05)
    lrs.server.shutdown()
    lrs.server.server_close()
