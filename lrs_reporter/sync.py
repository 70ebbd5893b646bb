"""`sync_store()`: copy new statements from an LRS into the local store, crash-safely.

Each page is written in one transaction together with the cursor it advances, so a sync killed
at any moment resumes where the last committed page ended. The cursor is the newest `stored` of
the page, never past X-Experience-API-Consistent-Through nor past now, and `stored` times before
1970 or in the future are ignored: one poisoned statement (year 9999 or 0001) froze or crashed
every later sync (issue 14, item 3). When the LRS sent Consistent-Through with the page, every
statement stored up to the cursor was visible, so the next `since` is the cursor itself;
otherwise it is the cursor minus an overlap (late statements with an older `stored`).
Statements fetched twice are stored once. Unusable statements are recorded (id and reason) in
the same transaction, for the report's data quality. A chain of pages that brings nothing new
(statements already stored, `stored` not moving on, yet another `more`) is stopped after
MAX_STALE_PAGES with one LRSError.

Pages are checked and written on a writer thread, in order, while the caller's thread fetches
and parses the next ones (at most two wait, so memory stays at a few pages): SQLite releases the
GIL while it inserts and commits, so its work overlaps the LRS's and the parsing. The cursor
still moves only with the page it covers, so crash safety is the same as writing in line; an
error on the writer thread stops the sync and is raised by `sync_store()`, with every page
committed before it kept.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lrs_reporter.lrs import LRSClient, Page
from lrs_reporter.store import Store, check_statement, skipped_key
from noroom.errors import LRSError

log = logging.getLogger(__name__)
# LRSs assign `stored` when a write commits, so a slow write can appear below statements already
# paged past; re-reading this much below the cursor picks those up (dedup makes it harmless).
# Only for an LRS that does not send X-Experience-API-Consistent-Through (see the docstring).
OVERLAP = timedelta(minutes=10)
# The meta key that says the cursor was capped by the LRS's Consistent-Through.
CONSISTENT = "cursor_consistent"
# `stored` before this is no LRS's: xAPI dates from 2013 (a year 0001 cursor overflowed).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# Pages in a row that bring nothing new yet link to more (one LRS sent 671 in 30 s). Re-read
# overlap pages do not count while their `stored` moves on.
MAX_STALE_PAGES = 10


@dataclass
class SyncResult:
    pages: int = 0
    fetched: int = 0
    new: int = 0
    invalid: int = 0


def _iso(value: object, now: datetime | None = None) -> datetime | None:
    """An ISO 8601 time (without an offset: UTC, so any two compare) from 1970 up to `now`
    (default: this moment), else None: nothing else can be a real `stored` or cursor."""
    try:
        moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return moment if EARLIEST <= moment <= (now or datetime.now(UTC)) else None
    except OverflowError:  # an offset that pushes it out of datetime's range
        return None


def sync_store(store_path: Path, endpoint: str, user: str | None, password: str | None,
               page_size: int = 500, client: LRSClient | None = None,
               progress: Callable[[SyncResult], None] | None = None,
               overlap: timedelta = OVERLAP) -> SyncResult:
    """Fetch what is new since the store's cursor (minus `overlap`) and store it.

    `progress` is called after each committed page, on the writer thread. Raises LRSError (the
    LRS refused, gave up, looped) with everything committed so far kept, ConfigError when
    another sync holds the store; an error of the writer (say, a full disk) is raised here, with
    every page committed before it kept.
    """
    result = SyncResult()
    # The client first: an endpoint it refuses (credentials in the URL) leaves no store behind.
    client = client or LRSClient(endpoint, user, password, page_size=page_size)
    with client, Store.open(store_path) as store:
        cursor = store.get("cursor")
        if (c := _iso(cursor)) is None and cursor is not None:
            log.warning("the store's cursor %r is not a plausible time (poisoned by an earlier "
                        "version); fetching everything again, statements already stored are "
                        "kept once", cursor[:40])
            cursor = None
        if c is not None and store.get(CONSISTENT) == "1":
            overlap = timedelta(0)  # the LRS said everything up to the cursor was visible
        since = _since(c - overlap) if c else None
        with _PageWriter(store, cursor, result, progress) as writer:
            for page in client.pages(since):
                writer.put(page)
    log.info("synced %d pages, %d statements, %d new", result.pages, result.fetched, result.new)
    return result


def _since(moment: datetime) -> str:
    """`since` in milliseconds, truncated (re-reading a little is harmless, skipping is not):
    Learning Locker ignores a `since` with microseconds and sends everything again."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _PageWriter:
    """Checks and writes pages on its own thread, in the order put, each in one transaction with
    the cursor it advances (_store_page), while the caller fetches the next pages: SQLite
    releases the GIL while it inserts and commits. At most QUEUED pages wait; `put` blocks
    beyond that. After an error the writer commits nothing more; `put` and the exit raise it.
    On exit the waiting pages are written (also when the caller failed: they were fetched
    whole), then the thread is joined."""

    QUEUED = 2

    def __init__(self, store: Store, cursor: str | None, result: SyncResult,
                 progress: Callable[[SyncResult], None] | None) -> None:
        self.store, self.cursor, self.result, self.progress = store, cursor, result, progress
        self.queue: queue.Queue[Page | None] = queue.Queue(self.QUEUED)
        self.error: BaseException | None = None
        self.start = _iso(cursor)  # pages up to it are the overlap, read again on purpose
        self.newest: datetime | None = None
        self.stale = 0
        self.thread = threading.Thread(target=self._run, name="store-writer", daemon=True)

    def __enter__(self) -> _PageWriter:
        self.thread.start()
        return self

    def put(self, page: Page) -> None:
        self._raise()
        self.queue.put(page)

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if error is not self.error:  # not raised by `put` already
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (page := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drained, so that `put` never waits for a writer that stopped
            try:
                before, now = self.result.new, datetime.now(UTC)
                newest = _newest_stored(page.statements, now)
                self.cursor = _store_page(self.store, page, self.result, self.cursor, newest, now)
                if self.progress:
                    self.progress(self.result)
                self._check_progress(page, self.result.new - before, newest)
            except BaseException as exc:  # re-raised in the caller's thread
                self.error = exc

    def _check_progress(self, page: Page, new: int, newest: tuple[datetime, str] | None) -> None:
        """LRSError after MAX_STALE_PAGES pages in a row that brought nothing new but link to
        more. A page of statements already stored is expected in the overlap below the cursor
        the sync started from, as long as its `stored` moves on; anywhere else it is stale."""
        moved = newest is not None and (self.newest is None or newest[0] > self.newest)
        in_overlap = newest is not None and self.start is not None and newest[0] <= self.start
        self.stale = 0 if new or not page.statements or (moved and in_overlap) else self.stale + 1
        if moved:
            self.newest = newest[0]  # type: ignore[index]
        if self.stale >= MAX_STALE_PAGES and page.more:
            raise LRSError(f"the LRS sent {self.stale} pages in a row that bring nothing new "
                           "(statements already stored) but still link to more; stopping to "
                           "avoid an endless loop; statements already stored are kept; report "
                           "this to the LRS vendor")


def _store_page(store: Store, page: Page, result: SyncResult, cursor: str | None,
                newest: tuple[datetime, str] | None, now: datetime) -> str | None:
    """Write one page with the cursor it advances; return the cursor now stored."""
    good, skipped = [], []
    for st in page.statements:
        row, why = check_statement(st)
        if row is None:
            skipped.append((skipped_key(st), why or "unusable"))
        else:
            good.append(row)
    meta = {}
    limit = _limit(page.consistent_through, now)
    if moved := _next_cursor(cursor, newest, limit, now):
        meta["cursor"] = moved
        meta[CONSISTENT] = "1" if limit else "0"
    result.pages += 1
    n = result.pages
    result.new += store.add_page(good, meta, skipped,
                                 before_commit=lambda: _test_crash("before-commit", n))
    _test_crash("after-commit", result.pages)
    result.fetched += len(page.statements)
    result.invalid += len(skipped)
    return moved or cursor


def _newest_stored(statements: list, now: datetime) -> tuple[datetime, str] | None:
    """(time, text) of the newest plausible `stored` (1970 to now) among all statements of the
    page, usable or not (they are recorded in the same transaction); read from the page, as
    most rows keep no `stored`."""
    times = ((t, s) for st in statements
             if isinstance(st, dict) and (t := _iso(s := st.get("stored"), now)))
    return max(times, default=None, key=lambda pair: pair[0])


def _limit(consistent_through: str | None, now: datetime) -> tuple[datetime, str] | None:
    """Consistent-Through as (time, text), capped at now (an LRS whose clock is ahead, or that
    claims year 9999, cannot vouch for the future); None when absent or before 1970."""
    if (t := _iso(consistent_through, datetime.max.replace(tzinfo=UTC))) is None:
        return None
    if t > now:
        return now, now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return t, str(consistent_through)


def _next_cursor(old: str | None, newest: tuple[datetime, str] | None,
                 limit: tuple[datetime, str] | None, now: datetime) -> str | None:
    """The newest `stored` of the page, never past the limit (Consistent-Through, now), never
    backwards; None when it does not move."""
    if newest is None:
        return None
    if limit and newest[0] > limit[0]:
        newest = limit
    previous = _iso(old, now)
    if previous and newest[0] <= previous:
        return None
    return newest[1]


def _test_crash(point: str, page: int) -> None:
    # Test-only: NOROOM_TEST_CRASH=<point>:<page> SIGKILLs this process at that point, a moment a
    # signal sent from outside cannot hit reliably (tests/reporter/test_faults.py).
    if os.environ.get("NOROOM_TEST_CRASH") == f"{point}:{page}":
        os.kill(os.getpid(), signal.SIGKILL)
