"""`sync_store()`: copy new statements from an LRS into the local store, crash-safely.

Each page is written in one transaction together with the cursor it advances, so a sync killed
at any moment resumes where the last committed page ended. The next `since` is the cursor minus
an overlap (late statements with an older `stored`), capped by X-Experience-API-Consistent-
Through; statements fetched twice are stored once. Unusable statements are recorded (id and
reason) in the same transaction, for the report's data quality.

Page N+1 is fetched while page N is written (one background fetch at a time); the cursor still
moves only with the page it covers.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lrs_reporter.lrs import LRSClient, Page
from lrs_reporter.store import Store, check_statement, skipped_key

log = logging.getLogger(__name__)
# LRSs assign `stored` when a write commits, so a slow write can appear below statements already
# paged past; re-reading this much below the cursor picks those up (dedup makes it harmless).
OVERLAP = timedelta(minutes=10)


@dataclass
class SyncResult:
    pages: int = 0
    fetched: int = 0
    new: int = 0
    invalid: int = 0


def _iso(value: object) -> datetime | None:
    """An ISO 8601 time (without an offset: UTC, so any two compare), else None."""
    try:
        moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sync_store(store_path: Path, endpoint: str, user: str | None, password: str | None,
               page_size: int = 500, client: LRSClient | None = None,
               progress: Callable[[SyncResult], None] | None = None,
               overlap: timedelta = OVERLAP) -> SyncResult:
    """Fetch what is new since the store's cursor (minus `overlap`) and store it.

    Raises LRSError (the LRS refused, gave up, looped) with everything committed so far kept,
    ConfigError when another sync holds the store.
    """
    result = SyncResult()
    with Store.open(store_path) as store:
        cursor = store.get("cursor")
        since = _since(c - overlap) if (c := _iso(cursor)) else None
        client = client or LRSClient(endpoint, user, password, page_size=page_size)
        with client:
            for page in _prefetched(client.pages(since)):
                cursor = _store_page(store, page, result, cursor)
                if progress:
                    progress(result)
    log.info("synced %d pages, %d statements, %d new", result.pages, result.fetched, result.new)
    return result


def _since(moment: datetime) -> str:
    """`since` in milliseconds, truncated (re-reading a little is harmless, skipping is not):
    Learning Locker ignores a `since` with microseconds and sends everything again."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _prefetched(pages: Iterator[Page]) -> Iterator[Page]:
    """The same pages, the next one already being fetched while the caller handles this one."""
    with ThreadPoolExecutor(1, thread_name_prefix="lrs-fetch") as pool:
        ahead = pool.submit(next, pages, None)
        while (page := ahead.result()) is not None:
            ahead = pool.submit(next, pages, None)
            yield page


def _store_page(store: Store, page: Page, result: SyncResult, cursor: str | None) -> str | None:
    """Write one page with the cursor it advances; return the cursor now stored."""
    good, skipped = [], []
    for st in page.statements:
        row, why = check_statement(st)
        if row is None:
            skipped.append((skipped_key(st), why or "unusable"))
        else:
            good.append(row)
    meta = {}
    if moved := _next_cursor(cursor, _newest_stored(page.statements), page.consistent_through):
        meta["cursor"] = moved
    result.pages += 1
    n = result.pages
    result.new += store.add_page(good, meta, skipped,
                                 before_commit=lambda: _test_crash("before-commit", n))
    _test_crash("after-commit", result.pages)
    result.fetched += len(page.statements)
    result.invalid += len(skipped)
    return moved or cursor


def _newest_stored(statements: list) -> tuple[datetime, str] | None:
    """(time, text) of the newest `stored` among all statements of the page, usable or not (they
    are recorded in the same transaction); read from the page, as most rows keep no `stored`."""
    times = ((t, s) for st in statements
             if isinstance(st, dict) and (t := _iso(s := st.get("stored"))))
    return max(times, default=None, key=lambda pair: pair[0])


def _next_cursor(old: str | None, newest: tuple[datetime, str] | None,
                 consistent_through: str | None) -> str | None:
    """The newest `stored` of the page, never past Consistent-Through, never backwards."""
    if newest is None:
        return None
    n, text = newest
    limit = _iso(consistent_through)
    if limit and n > limit:
        n, text = limit, str(consistent_through)
    previous = _iso(old)
    if previous and n <= previous:
        return None
    return text


def _test_crash(point: str, page: int) -> None:
    # Test-only: NOROOM_TEST_CRASH=<point>:<page> SIGKILLs this process at that point, a moment a
    # signal sent from outside cannot hit reliably (tests/reporter/test_faults.py).
    if os.environ.get("NOROOM_TEST_CRASH") == f"{point}:{page}":
        os.kill(os.getpid(), signal.SIGKILL)
