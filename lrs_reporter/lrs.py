"""A read-only xAPI 1.0.3 client for GET /statements: paging, retries, auth -> LRSError.

    client = LRSClient("https://lrs.example/xAPI/", "key", "secret")
    for page in client.pages(since="2026-01-01T00:00:00Z"):
        ...  # page.statements, page.consistent_through

Retries 429, 5xx, timeouts, dropped connections and unreadable pages with exponential backoff
(honouring Retry-After), then gives up with one LRSError. Never puts credentials in a message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

from noroom.errors import LRSError

log = logging.getLogger(__name__)
VERSION = "1.0.3"
# An empty page that still has `more` can be legitimate once (a window with nothing in it); an
# LRS that keeps sending them with fresh links would page forever (issue 7).
MAX_EMPTY_PAGES = 3


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
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0

    def __post_init__(self) -> None:
        if not self.endpoint.endswith("/"):
            self.endpoint += "/"
        auth = (self.user or "", self.password or "") if self.user or self.password else None
        self._http = httpx.Client(auth=auth, timeout=self.timeout, follow_redirects=False,
                                  headers={"X-Experience-API-Version": VERSION,
                                           "Accept": "application/json"})

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
        return url

    def fetch(self, url: str) -> Page:
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self._delay(attempt, problem))
            self.requests += 1
            try:
                response = self._http.get(url)
            except httpx.TimeoutException:
                problem = "timed out"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__})"
                continue
            status = response.status_code
            if status in (401, 403):
                raise LRSError(f"the LRS refused the credentials (HTTP {status}); check "
                               "--lrs-user and the password (they are not shown here)")
            if status == 429 or status >= 500:
                problem = f"HTTP {status}"
                self._retry_after = response.headers.get("Retry-After")
                continue
            if status != 200:
                raise LRSError(f"the LRS answered HTTP {status} to GET statements; check the "
                               "endpoint URL (it usually ends in /xAPI/)")
            try:
                body = orjson.loads(response.content)
                statements = body["statements"]
                more = body.get("more") or ""
                if not isinstance(statements, list) or not isinstance(more, str):
                    raise TypeError
            except (orjson.JSONDecodeError, KeyError, TypeError):
                problem = "an unreadable or truncated page"
                continue
            return Page(statements, more,
                        response.headers.get("X-Experience-API-Consistent-Through"), url)
        raise LRSError(f"gave up after {self.attempts} attempts: {problem}; statements already "
                       "stored are kept, run the same command again later")

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
