"""The embedded statement store: one SQLite file, no server.

SQLite because it ships with Python, is a single file programme staff can copy, survives a
killed process (write-ahead log, one transaction per LRS page), and its file lock plus ours keep
two syncs from writing at once. The store keeps only what the rule needs, keyed by statement id
(so re-sent statements are stored once), and the sync cursor, which moves only in the same
transaction as the statements it covers.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from lrs_reporter.facts import SOURCE_STATEMENT, FactBuilder, parse_time
from lrs_reporter.identity import actor_key
from noroom.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS statements (
  id TEXT PRIMARY KEY, verb TEXT NOT NULL, object TEXT NOT NULL, ref INTEGER NOT NULL,
  actor TEXT NOT NULL, time INTEGER NOT NULL, extensions TEXT, stored TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def statement_row(st: Any) -> tuple | None:
    """The stored columns of one statement, or None when it is unusable."""
    if not isinstance(st, dict) or not isinstance(st.get("id"), str):
        return None
    verb, obj = st.get("verb"), st.get("object")
    if not isinstance(verb, dict) or not isinstance(obj, dict):
        return None
    if not isinstance(verb.get("id"), str) or not isinstance(obj.get("id"), str):
        return None
    key = actor_key(st.get("actor"))
    t = parse_time(st.get("timestamp")) or parse_time(st.get("stored"))
    if key is None or t is None:
        return None
    ctx = st.get("context")
    ext = ctx.get("extensions") if isinstance(ctx, dict) else None
    return (st["id"], verb["id"], obj["id"], int(obj.get("objectType") == "StatementRef"), key, t,
            orjson.dumps(ext).decode() if isinstance(ext, dict) and ext else None,
            st.get("stored") if isinstance(st.get("stored"), str) else None)


@dataclass
class Store:
    path: Path
    db: sqlite3.Connection
    lock_fd: int | None = None

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> Store:
        path = Path(path)
        if readonly and not path.exists():
            raise ConfigError("no such store; create it with `noroom sync --store`", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = None
        if not readonly:
            lock_fd = os.open(str(path) + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                os.close(lock_fd)
                raise ConfigError("another `noroom sync` is writing to this store; wait for it "
                                  "to finish, then run again", path) from exc
        try:
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
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

    def add_page(self, rows: Iterable[tuple], meta: dict[str, str]) -> int:
        """Insert a page of rows and update meta in ONE transaction; return how many were new."""
        rows = list(rows)
        with_tx = self.db
        with_tx.execute("BEGIN IMMEDIATE")
        try:
            before = self.db.total_changes
            self.db.executemany("INSERT OR IGNORE INTO statements VALUES (?,?,?,?,?,?,?,?)", rows)
            new = self.db.total_changes - before
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            with_tx.execute("COMMIT")
        except BaseException:
            with_tx.execute("ROLLBACK")
            raise
        return new

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM statements").fetchone()[0])

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM statements ORDER BY id")]

    def load_facts(self, facts: FactBuilder, log: Any,
                   progress: Callable[[int], None] | None = None) -> None:
        """Only statements that can change a certification (facts.relevant_verbs) are loaded;
        all of them are counted."""
        log.statements_read += self.count()
        for batch in self.batches(facts.relevant_verbs):
            for sid, verb, obj, ref, actor, t, hotel in self.rows(batch, facts.hotel_extension):
                facts.append(sid, verb, obj, ref, actor, t, hotel, SOURCE_STATEMENT)
            if progress:
                progress(len(facts))

    def batches(self, verbs: Iterable[str] | None = None, size: int = 100_000):  # type: ignore[no-untyped-def]
        sql = "SELECT id, verb, object, ref, actor, time, extensions FROM statements"
        args: list[str] = []
        if verbs is not None:
            args = sorted(verbs)
            sql += f" WHERE verb IN ({','.join('?' * len(args))})"
        cursor = self.db.execute(sql + " ORDER BY id", args)
        while batch := cursor.fetchmany(size):
            yield batch

    @staticmethod
    def rows(batch: list[tuple], hotel_extension: str):  # type: ignore[no-untyped-def]
        for sid, verb, obj, ref, actor, t, ext in batch:
            hotel = orjson.loads(ext).get(hotel_extension) if ext else None
            yield (sid, verb, obj, bool(ref), actor, t,
                   str(hotel).strip() if isinstance(hotel, str | int) else None)
