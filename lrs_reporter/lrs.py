"""A read-only xAPI 1.0.3 client for GET /statements: paging, retries, auth -> LRSError.

    client = LRSClient("https://lrs.example/xAPI/", "key", "secret")
    for page in client.pages(since="2026-01-01T00:00:00Z"):
        ...  # page.statements, page.consistent_through

Retries 429, 5xx, timeouts, dropped connections, pages slower than `page_deadline` and
unreadable pages with exponential backoff (honouring Retry-After), then gives up with one LRSError.
Never puts credentials in a message or a log line: an endpoint URL with a user or password in it
is refused (ConfigError), and httpx's request log shows URLs without them (issue 14, item 3).

A page is streamed and inflated here, not by httpx, so that it can be capped: more than
`max_page_bytes` after decompression (a gzip bomb inflates 1,000 times) stops the sync with one
LRSError instead of taking the machine's memory.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

from noroom.errors import ConfigError, LRSError

log = logging.getLogger(__name__)
VERSION = "1.0.3"
# An empty page that still has `more` can be legitimate once (a window with nothing in it); an
# LRS that keeps sending them with fresh links would page forever (issue 7).
MAX_EMPTY_PAGES = 3
# A page of 500 statements is a few MB; 64 MiB leaves room for large statements while a page
# parsed into Python objects (about 6x its size) stays far below 1 GiB.
MAX_PAGE_BYTES = 64 << 20
_CODINGS = {"": None, "identity": None, "gzip": 16 + zlib.MAX_WBITS,
            "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Redact(logging.Filter):
    """Drops user and password from the URLs in httpx's request log (`-v` shows it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_userinfo(a) if isinstance(a, httpx.URL) else a
                                for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_Redact())


def _without_userinfo(url: httpx.URL) -> httpx.URL:
    return url.copy_with(username=None, password=None) if url.userinfo else url


class _TooSlow(Exception):
    """A page did not arrive whole within the page deadline."""


@dataclass
class Page:
    statements: list[dict[str, Any]]
    more: str
    consistent_through: str | None
    url: str


@dataclass
class LRSClient:
    endpoint: str
    user: str | None = None
    password: str | None = None
    page_size: int = 500
    attempts: int = 6
    max_backoff: float = 30.0
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(30.0, connect=5.0))
    # One request, from sending it to its last byte. httpx's read timeout only bounds the wait
    # for each chunk: an LRS sending a byte every 10 s held a page for minutes (issue 14).
    page_deadline: float = 30.0
    max_page_bytes: int = MAX_PAGE_BYTES
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0

    def __post_init__(self) -> None:
        """ConfigError when the endpoint URL holds a user or password: they would be shown in
        logs and messages, and belong in --lrs-user and the password variable."""
        try:
            if httpx.URL(self.endpoint).userinfo:
                raise ConfigError("the LRS endpoint URL holds a user name or password; give the "
                                  "URL without them, the key with --lrs-user and the secret in "
                                  "NOROOM_LRS_PASSWORD (or --lrs-config)")
        except httpx.InvalidURL as exc:
            raise ConfigError("the LRS endpoint is not a URL; give it like "
                              "https://lrs.example/xAPI/") from exc
        if not self.endpoint.endswith("/"):
            self.endpoint += "/"
        auth = (self.user or "", self.password or "") if self.user or self.password else None
        # We inflate pages ourselves (capped), so offer only what zlib reads: an LRS that sends
        # another coding anyway gets one clear error.
        self._http = httpx.Client(auth=auth, timeout=self.timeout, follow_redirects=False,
                                  headers={"X-Experience-API-Version": VERSION,
                                           "Accept": "application/json",
                                           "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LRSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pages(self, since: str | None = None) -> Iterator[Page]:
        """Every page from `since` (exclusive, per xAPI) in ascending `stored` order.

        Follows `more` (absolute or relative) until it is empty, also after short pages. Raises
        LRSError when `more` repeats, points at another origin than the endpoint (the Basic-auth
        header would go there), or keeps coming with empty pages (MAX_EMPTY_PAGES in a row).
        """
        params = {"ascending": "true", "limit": str(self.page_size)}
        if since:
            params["since"] = since
        url = str(httpx.URL(urljoin(self.endpoint, "statements"), params=params))
        seen: set[str] = set()
        empty = 0
        while url:
            if url in seen:
                raise LRSError(f"the LRS sent a `more` link that repeats ({self._safe(url)}); "
                               "stopping to avoid a loop; report this to the LRS vendor")
            seen.add(url)
            page = self.fetch(url)
            yield page
            empty = empty + 1 if page.more and not page.statements else 0
            if empty >= MAX_EMPTY_PAGES:
                raise LRSError(f"the LRS sent {empty} empty pages in a row that still link to "
                               "more; stopping to avoid an endless loop; statements already "
                               "stored are kept; report this to the LRS vendor")
            url = self._next(page.more) if page.more else ""

    def _next(self, more: str) -> str:
        url = urljoin(self.endpoint, more)
        if _origin(url) != _origin(self.endpoint):
            raise LRSError(f"the LRS sent a `more` link to another server ({_origin(url)}), not "
                           f"to {_origin(self.endpoint)}; not following it, the credentials would "
                           "go there; check the endpoint URL or report this to the LRS vendor")
        return self._safe(url)  # a user or password in the link is neither used nor logged

    def fetch(self, url: str) -> Page:
        """One page, retried as the module docstring says; LRSError when it cannot be had."""
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self._delay(attempt, problem))
            self.requests += 1
            try:
                page = self._get(url)
            except httpx.TimeoutException:
                problem = "timed out"
                continue
            except _TooSlow:
                problem = f"no whole page within {self.page_deadline:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__})"
                continue
            except zlib.error:
                problem = "an unreadable or truncated page"
                continue
            if isinstance(page, str):
                problem = page
                continue
            return page
        raise LRSError(f"gave up after {self.attempts} attempts: {problem}; statements already "
                       "stored are kept, run the same command again later")

    def _get(self, url: str) -> Page | str:
        """The page at `url`, or the problem to retry after; LRSError when retrying is useless."""
        deadline = time.monotonic() + self.page_deadline
        with self._http.stream("GET", url) as response:
            status = response.status_code
            if status in (401, 403):
                raise LRSError(f"the LRS refused the credentials (HTTP {status}); check "
                               "--lrs-user and the password (they are not shown here)")
            if status == 429 or status >= 500:
                self._retry_after = response.headers.get("Retry-After")
                return f"HTTP {status}"
            if status != 200:
                raise LRSError(f"the LRS answered HTTP {status} to GET statements; check the "
                               "endpoint URL (it usually ends in /xAPI/)")
            body = self._body(response, deadline)
            consistent = response.headers.get("X-Experience-API-Consistent-Through")
        try:
            doc = orjson.loads(body)
            statements = doc["statements"]
            more = doc.get("more") or ""
            if not isinstance(statements, list) or not isinstance(more, str):
                raise TypeError
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return "an unreadable or truncated page"
        return Page(statements, more, consistent, url)

    def _body(self, response: httpx.Response, deadline: float) -> bytes:
        """The page's bytes, inflated, streamed: _TooSlow past the deadline, LRSError beyond
        max_page_bytes (checked as it inflates, so a bomb never inflates further)."""
        coding = response.headers.get("Content-Encoding", "").strip().lower()
        if coding not in _CODINGS:
            raise LRSError(f"the LRS sent a page encoded as {coding[:40]!r}, which noroom does "
                           "not read (it asks for gzip or deflate); report this to the LRS "
                           "vendor")
        wbits = _CODINGS[coding]
        inflate = zlib.decompressobj(wbits) if wbits is not None else None
        cap, parts, size = self.max_page_bytes, [], 0
        for raw in response.iter_raw():
            if time.monotonic() > deadline:
                raise _TooSlow
            while raw:
                if inflate is None:
                    data, raw = raw, b""
                else:  # at most one byte past the cap per call, whatever the ratio
                    data = inflate.decompress(raw, cap - size + 1)
                    raw = inflate.unconsumed_tail
                    if inflate.eof and inflate.unused_data:
                        # RFC 1952 2.2: gzip is a series of members; read the next one too
                        # (the cap counts them together, so splitting a bomb gains nothing).
                        raw, inflate = inflate.unused_data + raw, zlib.decompressobj(wbits)
                size += len(data)
                if size > cap:
                    raise LRSError(f"the LRS sent a page of more than {cap >> 20} MB (after "
                                   "decompression); stopping; statements already stored are "
                                   "kept; try a smaller --page-size, or report this to the LRS "
                                   "vendor")
                parts.append(data)
        if inflate is not None:  # what zlib still holds (a few KB at most)
            parts.append(inflate.flush())
        return b"".join(parts)

    _retry_after: str | None = None

    def _delay(self, attempt: int, problem: str) -> float:
        delay = min(self.max_backoff, 0.5 * 2 ** (attempt - 1))
        retry_after, self._retry_after = self._retry_after, None
        if retry_after:
            try:
                delay = float(retry_after)
            except ValueError:
                try:
                    delay = parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    pass
            delay = max(0.0, min(delay, self.max_backoff))
        log.info("LRS %s; retrying in %.1f s", problem, delay)
        return delay

    def _safe(self, url: str) -> str:
        u = httpx.URL(url)
        return str(u.copy_with(username=None, password=None))


def _origin(url: str) -> str:
    """scheme://host:port, with the scheme's default port made explicit."""
    u = httpx.URL(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme, 0)
    return f"{u.scheme}://{u.host}:{port}"
