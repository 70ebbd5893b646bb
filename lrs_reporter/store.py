"""The embedded statement store: one SQLite file, no server.

SQLite because it ships with Python, is a single file programme staff can copy, survives a
killed process, and its file lock plus ours keep two syncs from writing at once. The store keeps
only what the rule needs, keyed by statement id (so re-sent statements are stored once), the
statements it could not use (id and reason, so the report can count and list them), and the sync
cursor, which moves only in the same transaction as the statements it covers.

Durability: write-ahead log with `synchronous=NORMAL`. A commit is complete once it is in the
WAL, so a process killed at any moment (SIGKILL, OOM) loses nothing committed and never half a
page. Only a power cut can roll back the last few commits, and because the cursor is in the same
transactions it rolls back with them: the next sync fetches those pages again. FULL would fsync
on every page and cost a third of the sync rate for no gain against process crashes.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from lrs_reporter.facts import RELEVANT_VERBS, SOURCE_STATEMENT, FactBuilder, parse_time
from lrs_reporter.identity import actor_key
from noroom.errors import ConfigError
from noroom.vocabulary import VOIDED

# A rowid table, not WITHOUT ROWID: rows are appended in arrival order and only the (id, rowid)
# index is kept in id order; with whole rows in a B-tree keyed by random UUIDs inserts were 4x
# slower (bench/sync.py). A partial index over the statements that can change a certification
# (completed, passed, voided: 2 in 27 in the course's own traffic), covering every column the
# report reads, lets the report read them in id order without a full scan or a lookup per row;
# a sync pays for indexing only those rows. The literal must match the query's WHERE exactly for
# SQLite to use it.
_RELEVANT_SQL = "verb IN (" + ",".join(f"'{v}'" for v in sorted(RELEVANT_VERBS)) + ")"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS statements (
  id TEXT PRIMARY KEY, verb TEXT NOT NULL, object TEXT NOT NULL, ref INTEGER NOT NULL,
  actor TEXT NOT NULL, time INTEGER NOT NULL, extensions TEXT, stored TEXT
);
CREATE INDEX IF NOT EXISTS relevant_statements
  ON statements(id, verb, object, ref, actor, time, extensions) WHERE {_RELEVANT_SQL};
CREATE TABLE IF NOT EXISTS skipped (key TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
Row = tuple[str, str, str, int, str, int, "str | None", "str | None"]


def check_statement(st: Any) -> tuple[Row | None, str | None]:
    """(stored columns, None) for a usable statement, else (None, why it is unusable).

    A void (verb voided, object a StatementRef) needs only its id and the id it voids: voids from
    an anonymous Group or without a time still void (issue 7). Every other statement needs an
    identifiable actor and a timestamp or stored time.
    """
    if not isinstance(st, dict) or not isinstance(st.get("id"), str):
        return None, "no statement id"
    verb, obj = st.get("verb"), st.get("object")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str):
        return None, "no verb id"
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return None, "no object id"
    ref = obj.get("objectType") == "StatementRef"
    actor = st.get("actor")
    mbox = actor.get("mbox") if isinstance(actor, dict) else None
    key = _mbox_key(mbox) if isinstance(mbox, str) else actor_key(actor)
    t = parse_time(st.get("timestamp")) or parse_time(st.get("stored"))
    if not (ref and verb["id"] == VOIDED):
        if key is None:
            return None, "no usable actor (mbox, mbox_sha1sum, account or openid)"
        if t is None:
            return None, "no valid timestamp or stored time"
    ctx = st.get("context")
    ext = ctx.get("extensions") if isinstance(ctx, dict) else None
    stored = st.get("stored") if isinstance(st.get("stored"), str) else None
    return (st["id"], verb["id"], obj["id"], int(ref), key or "", t or 0,
            orjson.dumps(ext).decode() if isinstance(ext, dict) and ext else None, stored), None


@functools.lru_cache(maxsize=1 << 16)
def _mbox_key(mbox: str) -> str | None:
    # The same learners send statement after statement: one SHA-1 per learner, not per statement.
    return actor_key({"mbox": mbox})


def statement_row(st: Any) -> Row | None:
    """The stored columns of one statement, or None when it is unusable."""
    return check_statement(st)[0]


def skipped_key(st: Any) -> str:
    """The statement id, or (no usable id) a digest of the statement, so a statement that is
    fetched twice is counted once."""
    if isinstance(st, dict) and isinstance(st.get("id"), str):
        return st["id"]
    raw = orjson.dumps(st, option=orjson.OPT_SORT_KEYS, default=str)
    return "sha1:" + hashlib.sha1(raw).hexdigest()  # noqa: S324 - a key, not a secret


@dataclass
class Store:
    path: Path
    db: sqlite3.Connection
    lock_fd: int | None = None
    _count: int | None = None  # writers hold the lock, so the count cannot change under us

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> Store:
        """Open (or create) a store. Writers take an exclusive lock: a second writer gets a
        ConfigError at once instead of waiting. ConfigError when the file is not a store."""
        path = Path(path)
        if readonly and not path.exists():
            raise ConfigError("no such store; create it with `noroom sync --store`", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = None if readonly else _lock(path)
        try:
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # why: see the module docstring
            # 64 MB of page cache: the id index takes random inserts (UUIDs) as the store grows.
            db.execute("PRAGMA cache_size=-65536")
            db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            if lock_fd is not None:
                os.close(lock_fd)
            raise ConfigError(f"is not a statement store ({exc}); give another --store path",
                              path) from exc
        return cls(path, db, lock_fd)

    def close(self) -> None:
        self.db.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def add_page(self, rows: Iterable[Row], meta: dict[str, str],
                 skipped: Iterable[tuple[str, str]] = (),
                 before_commit: Callable[[], None] | None = None) -> int:
        """Insert a page of rows, the (key, reason) of its unusable statements and the meta
        values (the cursor) in ONE transaction; return how many rows were new."""
        rows = list(rows)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            previous = self.count()
            before = self.db.total_changes
            self.db.executemany("INSERT OR IGNORE INTO statements VALUES (?,?,?,?,?,?,?,?)", rows)
            new = self.db.total_changes - before
            if skipped := list(skipped):
                self.db.executemany("INSERT OR IGNORE INTO skipped VALUES (?, ?)", skipped)
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [*meta.items(), ("statements", str(previous + new))])
            if before_commit:
                before_commit()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self._count = previous + new
        return new

    def count(self) -> int:
        """Statements stored (kept in meta by add_page; counted once for older stores)."""
        if self._count is None:
            kept = self.get("statements")
            self._count = int(kept if kept is not None else
                              self.db.execute("SELECT count(*) FROM statements").fetchone()[0])
        return self._count

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM statements ORDER BY id")]

    def invalid_count(self) -> int:
        """Statements the sync fetched but could not use (each counted once)."""
        return int(self.db.execute("SELECT count(*) FROM skipped").fetchone()[0])

    def invalid_reasons(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(statement id or digest, reason) of the unusable statements, sorted by key."""
        sql = "SELECT key, reason FROM skipped ORDER BY key"
        args = () if limit is None else (limit,)
        return list(self.db.execute(sql + (" LIMIT ?" if limit is not None else ""), args))

    def load_facts(self, facts: FactBuilder, log: Any,
                   progress: Callable[[int], None] | None = None) -> None:
        """Add the statements that can change a certification (facts.relevant_verbs) to `facts`;
        count every stored and every unusable statement in `log` (a files.ReadLog), with one
        warning per unusable statement naming its id."""
        log.statements_read += self.count() + self.invalid_count()
        for key, reason in self.invalid_reasons():
            log.skip(f"{self.path}: statement {key}", reason)
        append, hotels = facts.append, _HotelReader(facts.hotel_extension)
        for batch in self.batches(facts.relevant_verbs):
            for sid, verb, obj, ref, actor, t, ext in batch:
                append(sid, verb, obj, bool(ref), actor, t, hotels(ext), SOURCE_STATEMENT)
            if progress:
                progress(len(facts))

    def batches(self, verbs: Iterable[str] | None = None,
                size: int = 100_000) -> Iterator[list[tuple]]:
        """The stored rows (id, verb, object, ref, actor, time, extensions) in lists of `size`:
        with `verbs`, only those (in id order); without, every row in the order stored (a
        sequential read; callers that need an order sort)."""
        sql = "SELECT id, verb, object, ref, actor, time, extensions FROM statements"
        args: list[str] = []
        if verbs is not None and frozenset(verbs) == RELEVANT_VERBS:
            sql += f" INDEXED BY relevant_statements WHERE {_RELEVANT_SQL}"
        elif verbs is not None:
            args = sorted(verbs)
            sql += f" WHERE verb IN ({','.join('?' * len(args))})"
        cursor = self.db.execute(sql + (" ORDER BY id" if verbs is not None else ""), args)
        while batch := cursor.fetchmany(size):
            yield batch

    @staticmethod
    def rows(batch: list[tuple], hotel_extension: str) -> Iterator[tuple]:
        """Stored rows as FactBuilder.append() arguments (without the source)."""
        hotels = _HotelReader(hotel_extension)
        for sid, verb, obj, ref, actor, t, ext in batch:
            yield sid, verb, obj, bool(ref), actor, t, hotels(ext)


class _HotelReader:
    """The hotel in a stored extensions JSON; memoised, as the same few texts recur."""

    def __init__(self, hotel_extension: str) -> None:
        self.extension = hotel_extension
        self.seen: dict[str | None, str | None] = {None: None}

    def __call__(self, ext: str | None) -> str | None:
        try:
            return self.seen[ext]
        except KeyError:
            pass
        if len(self.seen) > 100_000:  # unbounded variety (per-statement data): stay flat
            self.seen.clear()
            self.seen[None] = None
        hotel = orjson.loads(ext).get(self.extension)  # type: ignore[arg-type]
        value = self.seen[ext] = str(hotel).strip() if isinstance(hotel, str | int) else None
        return value


def _lock(path: Path) -> int:
    lock_fd = os.open(str(path) + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(lock_fd)
        raise ConfigError("another `noroom sync` is writing to this store; wait for it "
                          "to finish, then run again", path) from exc
    return lock_fd
