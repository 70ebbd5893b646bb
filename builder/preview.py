"""`noroom preview`: the course of one language and format, served on 127.0.0.1, rebuilt and
reloaded whenever a file under course_src/ changes (issue 18), like `mkdocs serve` for docs.

    Preview(source_dir, lang, fmt).rebuild()    build in memory; keeps the last good build
    serve(preview, port) -> server              ThreadingHTTPServer on 127.0.0.1, with a watcher

Routes: `/` the preview page (the course in a frame, a side panel with the tracking data and the
lint findings, an error banner naming file and line when an edit breaks the source); `/course/…`
the package files; `/events` a server-sent event each time a build finishes; `/lrs/…` an
in-memory LRS (Statements, State and Agent Profile resources) for the xAPI format; `/lms/…`
scorm-again from node_modules for the SCORM formats; `/log` what the LRS received.
Nothing here is for production: it binds loopback only and keeps everything in memory.
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from noroom.errors import ConfigError, NoroomError

FORMATS = ("web", "xapi", "scorm2004", "scorm12")
ROOT = Path(__file__).resolve().parents[1]
SCORM_AGAIN = ROOT / "node_modules" / "scorm-again" / "dist"
POLL_SECONDS = 0.2


@dataclass
class Build:
    generation: int = 0
    version: int = 0
    """Bumped by every change the panel should see: a new build, then its lint findings."""
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)


class Preview:
    """One language and format of the course, rebuilt on demand; thread-safe."""

    def __init__(self, source_dir: Path, lang: str, fmt: str, country: str | None = None) -> None:
        if fmt not in FORMATS:
            raise ConfigError(f"preview shows {', '.join(FORMATS)}, not {fmt!r}")
        if fmt.startswith("scorm") and not (SCORM_AGAIN / "scorm2004.min.js").exists():
            raise ConfigError(f"the SCORM preview needs scorm-again in {SCORM_AGAIN}; run "
                              "`make node` once, or preview --format xapi or web")
        self.source_dir, self.lang, self.fmt, self.country = source_dir, lang, fmt, country
        self.build = Build()
        self.lrs = MemoryLRS()
        self.changed = threading.Condition()
        self._stamp: tuple = ()

    def rebuild(self) -> Build:
        """Build the package in memory. On a source error the last good files stay served and
        `error` names the file and line; lint findings are those of this language's file."""
        from builder.formats import FORMATS as PACKAGE_FORMATS
        from builder.formats import BuildOptions

        self._stamp = self._snapshot()
        files, error = self.build.files, None
        try:
            from builder.course import load_source

            source = load_source(self.source_dir)
            if self.lang not in source.languages:
                raise ConfigError(f"language {self.lang!r} is not in course.yaml languages "
                                  f"({', '.join(source.languages)})")
            course = source.course(self.lang, self.country)
            files = PACKAGE_FORMATS[self.fmt].files(course, BuildOptions())
        except NoroomError as exc:
            error = str(exc)
        old = self.build
        # Published before linting (lint reads every language): the page reloads at once and
        # the findings follow in a second event.
        self._publish(Build(old.generation + 1, old.version + 1, files, error, old.findings))
        findings = self._findings()
        with self.changed:
            build = self.build
        self._publish(Build(build.generation, build.version + 1, build.files, build.error,
                            findings))
        return self.build

    def _publish(self, build: Build) -> None:
        with self.changed:
            self.build = build
            self.changed.notify_all()

    def _findings(self) -> list[dict[str, Any]]:
        from builder.lint import lint

        mine = (f"{self.lang}.yaml", "course.yaml")
        return [{"level": f.level, "where": f"{f.path}:{f.line}" if f.line else str(f.path),
                 "message": f.message}
                for f in lint(self.source_dir).findings if Path(str(f.path)).name in mine]

    def _snapshot(self) -> tuple:
        entries = []
        for path in sorted(self.source_dir.rglob("*")):
            try:
                info = path.stat()
            except OSError:
                continue
            entries.append((str(path), info.st_mtime_ns, info.st_size))
        return tuple(entries)

    def watch(self, stop: threading.Event) -> None:
        """Rebuild whenever a file under the source folder changes, until `stop` is set."""
        while not stop.wait(POLL_SECONDS):
            if self._snapshot() != self._stamp:
                self.rebuild()


class MemoryLRS:
    """Just enough of an LRS for a preview: statements kept in order, state and agent profile
    documents by key. Every request is logged for the side panel."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: list[dict[str, Any]] = []
        self.documents: dict[tuple, bytes] = {}
        self.log: list[dict[str, Any]] = []

    def handle(self, method: str, resource: str, query: dict[str, str],
               body: bytes) -> tuple[int, bytes, str]:
        with self.lock:
            if resource == "statements":
                return self._statements(method, body)
            if resource in ("activities/state", "agents/profile", "activities/profile"):
                return self._document(method, resource, query, body)
            if resource == "about":
                return 200, b'{"version": ["1.0.3"]}', "application/json"
        return 404, b"", "text/plain"

    def _statements(self, method: str, body: bytes) -> tuple[int, bytes, str]:
        if method == "GET":
            return 200, json.dumps({"statements": self.statements[::-1], "more": ""}).encode(), \
                "application/json"
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return 400, b"statements must be JSON", "text/plain"
        batch = data if isinstance(data, list) else [data]
        ids = []
        for st in batch:
            if not isinstance(st, dict):
                return 400, b"a statement must be a JSON object", "text/plain"
            st.setdefault("id", str(uuid.uuid4()))
            if all(s.get("id") != st["id"] for s in self.statements):
                self.statements.append(st)
                self.log.append({"kind": "statement", "verb": _verb(st),
                                 "object": (st.get("object") or {}).get("id"), "data": st})
            ids.append(st["id"])
        return (204, b"", "text/plain") if method == "PUT" else \
            (200, json.dumps(ids).encode(), "application/json")

    def _document(self, method: str, resource: str, query: dict[str, str],
                  body: bytes) -> tuple[int, bytes, str]:
        key = (resource, query.get("activityId"), query.get("agent"),
               query.get("registration"), query.get("stateId") or query.get("profileId"))
        if method == "GET":
            found = self.documents.get(key)
            return (200, found, "application/json") if found is not None else \
                (404, b"", "text/plain")
        if method == "DELETE":
            self.documents.pop(key, None)
        else:
            self.documents[key] = body
            self.log.append({"kind": resource, "id": key[-1],
                             "data": body.decode("utf-8", "replace")[:2000]})
        return 204, b"", "text/plain"


def _verb(st: dict[str, Any]) -> str:
    verb = st.get("verb") or {}
    return str(verb.get("id", "")).rsplit("/", 1)[-1] if isinstance(verb, dict) else ""


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the preview prints nothing per request

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._route("PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            self._route("DELETE")

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            path, query = url.path, {k: v[0] for k, v in parse_qs(url.query).items()}
            body = self._body() if method in ("POST", "PUT") else b""
            if path.startswith("/lrs/"):
                self._send(*preview.lrs.handle(method, path[5:].strip("/"), query, body))
            elif path == "/":
                self._send(200, shell_page(preview), "text/html; charset=utf-8")
            elif path == "/events":
                self._events()
            elif path == "/log":
                with preview.lrs.lock:
                    log = preview.lrs.log[int(query.get("since", "0") or 0):]
                self._send(200, json.dumps(log).encode(), "application/json")
            elif path.startswith("/course/"):
                self._file(preview.build.files.get(path[len("/course/"):]), path)
            elif path.startswith("/lms/") and "/" not in path[5:]:
                target = SCORM_AGAIN / path[5:]
                self._file(target.read_bytes() if target.is_file() else None, path)
            else:
                self._send(404, b"not found", "text/plain")

        def _file(self, data: bytes | None, path: str) -> None:
            if data is None:
                self._send(404, b"not found", "text/plain")
                return
            ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype.endswith("javascript"):
                ctype += "; charset=utf-8"
            self._send(200, data, ctype)

        def _events(self) -> None:
            """Server-sent events: the state of the build now, then one per new build."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with preview.changed:
                        if preview.build.version == seen:
                            preview.changed.wait(timeout=15)
                        build = preview.build
                    if build.version == seen:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        seen = build.version
                        event = {"generation": build.generation, "error": build.error,
                                 "findings": build.findings}
                        self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                    self.wfile.flush()
            except OSError:
                return  # the browser went away

    return Handler


def shell_page(preview: Preview) -> bytes:
    template = resources.files("builder").joinpath("templates", "preview", "shell.html")
    config = {"format": preview.fmt, "lang": preview.lang,
              "actor": {"objectType": "Agent", "name": "Preview",
                        "mbox": "mailto:preview@example.invalid"},
              "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, "noroom-preview"))}
    data = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e")
    return template.read_text(encoding="utf-8").replace("{{config}}", data).encode("utf-8")


@dataclass
class Running:
    server: ThreadingHTTPServer
    stop: threading.Event
    threads: list[threading.Thread]

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser closed a tab or reloaded: nothing to report
        super().handle_error(request, client_address)


def serve(preview: Preview, port: int = 0) -> Running:
    """Build once, then serve on 127.0.0.1:`port` (0: a free port) and watch the source, both
    on daemon threads; `close()` stops them."""
    preview.rebuild()
    server = _Server(("127.0.0.1", port), _handler(preview))
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=preview.watch, args=(stop,), daemon=True)]
    for thread in threads:
        thread.start()
    return Running(server, stop, threads)


def wait_forever(running: Running) -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        running.close()
