"""`sync_store()`: copy new statements from an LRS into the local store, crash-safely.

Each page is written in one transaction together with the cursor it advances, so a sync killed
at any moment resumes where the last committed page ended. The next `since` is the cursor minus
an overlap (late statements with an older `stored`), capped by X-Experience-API-Consistent-
Through; statements fetched twice are stored once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from lrs_reporter.lrs import LRSClient
from lrs_reporter.store import Store, statement_row

log = logging.getLogger(__name__)
OVERLAP = timedelta(minutes=10)


@dataclass
class SyncResult:
    pages: int = 0
    fetched: int = 0
    new: int = 0
    invalid: int = 0


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def sync_store(store_path: Path, endpoint: str, user: str | None, password: str | None,
               page_size: int = 500, client: LRSClient | None = None,
               progress: Callable[[SyncResult], None] | None = None) -> SyncResult:
    result = SyncResult()
    with Store.open(store_path) as store:
        cursor = store.get("cursor")
        since = None
        if cursor and (c := _iso(cursor)):
            since = (c - OVERLAP).isoformat().replace("+00:00", "Z")
        client = client or LRSClient(endpoint, user, password, page_size=page_size)
        with client:
            for page in client.pages(since):
                rows = [statement_row(st) for st in page.statements]
                good = [r for r in rows if r is not None]
                result.invalid += len(rows) - len(good)
                newest = max((r[7] for r in good if r[7]), default=None, key=lambda s: _iso(s))
                meta = {}
                if newest:
                    limit = _iso(page.consistent_through or "")
                    n = _iso(newest)
                    if limit and n and n > limit:
                        newest = page.consistent_through
                    old = _iso(store.get("cursor") or "")
                    if not old or (_iso(newest) or old) > old:
                        meta["cursor"] = newest
                result.new += store.add_page(good, meta)
                result.pages += 1
                result.fetched += len(rows)
                if progress:
                    progress(result)
    log.info("synced %d pages, %d statements, %d new", result.pages, result.fetched, result.new)
    return result
