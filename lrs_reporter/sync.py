"""`sync_store()`: copy new statements from an LRS into the local store, crash-safely.

Each page is written in one transaction together with the cursor it advances, so a sync killed
at any moment resumes where the last committed page ended. The next `since` is the cursor minus
an overlap (late statements with an older `stored`), capped by X-Experience-API-Consistent-
Through; statements fetched twice are stored once. Unusable statements are recorded (id and
reason) in the same transaction, for the report's data quality.

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

    `progress` is called after each committed page, on the writer thread. Raises LRSError (the
    LRS refused, gave up, looped) with everything committed so far kept, ConfigError when
    another sync holds the store; an error of the writer (say, a full disk) is raised here, with
    every page committed before it kept.
    """
    result = SyncResult()
    with Store.open(store_path) as store:
        cursor = store.get("cursor")
        since = _since(c - overlap) if (c := _iso(cursor)) else None
        client = client or LRSClient(endpoint, user, password, page_size=page_size)
        with client, _PageWriter(store, cursor, result, progress) as writer:
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
                self.cursor = _store_page(self.store, page, self.result, self.cursor)
                if self.progress:
                    self.progress(self.result)
            except BaseException as exc:  # re-raised in the caller's thread
                self.error = exc


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
