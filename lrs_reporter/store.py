"""The embedded statement store: one SQLite file, no server.

SQLite because it ships with Python, is a single file programme staff can copy, survives a
killed process, and its file lock plus ours keep two syncs from writing at once. The store keeps
only what the rule can ever need, keyed by statement id (so re-sent statements are stored once):
the statements that can change a certification (completions, passes, voids) with the columns the
rule reads; of every other statement only its id and time (so it is counted once and exported by
month); the statements it could not use (id and reason, so the report can count and list them);
and the sync cursor, which moves only in the same transaction as the statements it covers.

Layout: two statement tables (SCHEMA says why). A store written before the `others` table
existed holds every statement as a whole row in `statements`; it opens, reports, exports and
syncs as it is, without a migration: new statements go to the new layout, and add_page never
stores an id that either table already holds.

Durability: write-ahead log with `synchronous=NORMAL`. A commit is complete once it is in the
WAL, so a process killed at any moment (SIGKILL, OOM) loses nothing committed and never half a
page. Only a power cut can roll back the last few commits, and because the cursor is in the same
transactions it rolls back with them: the next sync fetches those pages again. FULL would fsync
on every page and cost a third of the sync rate for no gain against process crashes. With
NORMAL the fsyncs happen at SQLite's automatic checkpoints (every 1000 WAL pages, the default):
about half the time of a sync's commits, the rest being the WAL writes of the pages each commit
dirtied (random ids touch a leaf per insert). A larger `wal_autocheckpoint` did not help: the
close then checkpoints what is left, in the sync's time (bench/sync.py, RESULTS.md). The writes
run on sync's writer thread, so the fetching does not wait for them.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from lrs_reporter.facts import (
    NO_ACTOR,
    RELEVANT_VERBS,
    SOURCE_STATEMENT,
    FactBuilder,
    cmi5_grouping,
    parse_time,
)
from lrs_reporter.identity import actor_key
from noroom.errors import ConfigError
from noroom.vocabulary import VOIDED

# Two tables, each statement id in exactly one of them (add_page checks the other table too).
# `statements`: the statements that can change a certification (completed, passed, voided: 2 in
# 27 in the course's own traffic) with every column the report reads, WITHOUT ROWID: one B-tree
# in id order, which the report reads in order without a sort or a lookup per row.
# `others`: every other statement, which the rule never reads: only its id (stored once, counted)
# and its time (the Parquet export's month), its actor not even hashed. As whole rows in
# `statements` they took half the inserts' time (bench/sync.py's 30,000 statements, 1 in 10
# counting: 0.15 s of SQLite, 0.09 s this way) and most of the file.
# Stores written before `others` existed keep their own `statements`: a rowid table holding every
# statement (whole rows in a B-tree keyed by random UUIDs were 4x slower to insert, when every
# statement was one), with the partial index `relevant_statements` over the counting verbs,
# covering the report's columns. The report reads them through that index; its WHERE literal
# must match the query's exactly for SQLite to use it. For counting rows alone the one B-tree
# is cheaper: 3,000 rows took 22 ms of CPU against 37 ms with table, id index and partial index.
_RELEVANT_SQL = "verb IN (" + ",".join(f"'{v}'" for v in sorted(RELEVANT_VERBS)) + ")"
_OLD_INDEX = "relevant_statements"
SCHEMA = """
CREATE TABLE IF NOT EXISTS statements (
  id TEXT PRIMARY KEY, verb TEXT NOT NULL, object TEXT NOT NULL, ref INTEGER NOT NULL,
  actor TEXT NOT NULL, time INTEGER NOT NULL, extensions TEXT, stored TEXT, grouping TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS others (id TEXT PRIMARY KEY, time INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS skipped (key TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Every layout this module ever wrote, as SQLite keeps the CREATE statements (sqlite_master.sql,
# "IF NOT EXISTS" dropped), compared with white space normalised: the current SCHEMA, the
# earlier `statements` as a rowid table, and the earlier partial index in its two forms (on id
# alone, then covering the report's columns), over the counting verbs as string literals.
_OLD_COLUMNS = ("id TEXT PRIMARY KEY, verb TEXT NOT NULL, object TEXT NOT NULL, "
                "ref INTEGER NOT NULL, actor TEXT NOT NULL, time INTEGER NOT NULL, "
                "extensions TEXT, stored TEXT")
# The statements table as each layout wrote it: rowid or WITHOUT ROWID, with or without the
# `grouping` column (which ALTER TABLE appends to an older store's table on sync).
_OLD_STATEMENTS = [f"CREATE TABLE statements ({_OLD_COLUMNS}{extra}){rowid}"
                   for extra in ("", ", grouping TEXT") for rowid in ("", " WITHOUT ROWID")]
_OLD_INDEX_RE = re.compile(r"CREATE INDEX relevant_statements ON statements\((id|id,verb,"
                           r"object,ref,actor,time,extensions)\)WHERE verb IN"
                           r"\('[^']*'(,'[^']*')*\)")
_REQUIRED = ("statements", "meta")  # the first layout had only these two
_TEMP_TABLES = {"others": "CREATE TEMP TABLE others (id TEXT PRIMARY KEY, time INTEGER)",
                "skipped": "CREATE TEMP TABLE skipped (key TEXT PRIMARY KEY, reason TEXT)"}


def _normal(sql: str) -> str:
    """The CREATE statement with white space folded, none around brackets and commas (ALTER
    TABLE writes ", grouping TEXT" after the old text's line break)."""
    sql = " ".join(sql.replace("IF NOT EXISTS ", "").split())
    return re.sub(r" ?([(),]) ?", r"\1", sql)


_KNOWN_TABLES = {_normal(t) for t in [*SCHEMA.split(";"), *_OLD_STATEMENTS] if t.strip()}


def check_schema(db: sqlite3.Connection, path: Path, empty_ok: bool) -> list[str]:
    """Check that every object in the file is a table or index of a store layout (no views, no
    triggers, no other tables or columns); return the optional tables it lacks. ConfigError
    naming the first foreign object. An empty file is a new store when `empty_ok`."""
    objects = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    if not objects and empty_ok:
        return []
    tables = set()
    for kind, name, sql in objects:
        if kind == "table" and _normal(sql or "") in _KNOWN_TABLES:
            tables.add(name)
        elif kind == "table" and name.startswith("sqlite_stat"):
            pass  # ANALYZE's statistics: data for the query planner, not SQL
        elif kind == "index" and (sql is None and name.startswith("sqlite_autoindex_")
                                  or name == _OLD_INDEX and _OLD_INDEX_RE.fullmatch(
                                      _normal(sql or ""))):
            pass  # a primary key's index, or the earlier layout's partial index
        else:
            raise ConfigError(f"is not a statement store: it holds the {kind} {name!r}, which "
                              "no store has; give a store made by `noroom sync`", path)
    if missing := [t for t in _REQUIRED if t not in tables]:
        raise ConfigError(f"is not a statement store: it has no table {missing[0]!r}; give a "
                          "store made by `noroom sync`", path)
    return sorted(set(_TEMP_TABLES) - tables)


# `grouping`: the grouping activities of a cmi5-defined statement (facts.cmi5_grouping), which
# the rule reads (issue 12, item 6). Stores made before it get the column (NULL) when a sync
# opens them: their cmi5 statements cannot be judged again (README: sync into a new store).
_GROUPING = "grouping"
# Numbered parameters: the id is bound once and used twice.
_INSERT_STATEMENT = ("INSERT OR IGNORE INTO statements "
                     "(id, verb, object, ref, actor, time, extensions, stored, grouping) "
                     "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
                     "WHERE NOT EXISTS (SELECT 1 FROM others WHERE id = ?1)")
_INSERT_OTHER = ("INSERT OR IGNORE INTO others SELECT ?1, ?2 "
                 "WHERE NOT EXISTS (SELECT 1 FROM statements WHERE id = ?1)")
Row = tuple[str, str, str, int, str, int, "str | None", "str | None", "str | None"]


def check_statement(st: Any) -> tuple[Row | None, str | None]:
    """(stored columns, None) for a usable statement, else (None, why it is unusable).

    The same verdicts as FactBuilder.add (the NDJSON path), so both count the same statements as
    invalid: every statement needs an id, a verb id and an object id. A statement whose verb can
    never count (not in RELEVANT_VERBS) also needs an actor object, and nothing more: its row
    carries only id, verb and time (timestamp, else stored, else 0), which is all the store keeps
    of it. Completions, passes and voids also keep their extensions, `stored` and, when
    cmi5-defined, their grouping activities (facts.cmi5_grouping). A void (verb voided, object
    a StatementRef) needs only its id and the id it voids: voids from an anonymous Group or
    without a time still void (issue 7). Completions and passes need an identifiable actor and
    a timestamp or stored time.
    """
    if not isinstance(st, dict) or not isinstance(sid := st.get("id"), str):
        return None, "no statement id"
    verb, obj = st.get("verb"), st.get("object")
    vid = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(vid, str):
        return None, "no verb id"
    if not isinstance(obj, dict) or not isinstance(oid := obj.get("id"), str):
        return None, "no object id"
    actor = st.get("actor")
    if vid not in RELEVANT_VERBS:
        if not isinstance(actor, dict):
            return None, NO_ACTOR
        t = parse_time(st.get("timestamp")) or parse_time(st.get("stored"))
        return (sid, vid, "", 0, "", t or 0, None, None, None), None
    ref = obj.get("objectType") == "StatementRef"
    mbox = actor.get("mbox") if isinstance(actor, dict) else None
    key = _mbox_key(mbox) if isinstance(mbox, str) else actor_key(actor)
    t = parse_time(st.get("timestamp")) or parse_time(st.get("stored"))
    if not (ref and vid == VOIDED):
        if key is None:
            return None, NO_ACTOR
        if t is None:
            return None, "no valid timestamp or stored time"
    ctx = st.get("context")
    ext = ctx.get("extensions") if isinstance(ctx, dict) else None
    stored = st.get("stored") if isinstance(st.get("stored"), str) else None
    return (sid, vid, oid, int(ref), key or "", t or 0,
            orjson.dumps(ext).decode() if isinstance(ext, dict) and ext else None, stored,
            None if ref else cmi5_grouping(ctx)), None


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
        ConfigError at once instead of waiting.

        A store file may come from someone else, and SQLite runs the SQL a file holds (a view
        named `statements` would feed the report, a trigger would run on every sync; issue 14).
        So before anything else reads it, its schema must be one this module wrote (check_schema,
        with SQLite's trusted_schema off), else ConfigError and the file is left as it was. A
        read-only open is a read-only connection (`mode=ro`): it never creates, changes or
        switches the journal of the file; the tables an older layout lacks are empty TEMP tables.
        """
        path = Path(path)
        if readonly and not path.is_file():
            raise ConfigError("no such store; create it with `noroom sync --store`", path)
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = None if readonly else _lock(path)
        db = None
        try:
            # One thread at a time, but not always the opener: sync writes on its own thread.
            uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
            db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA trusted_schema=OFF")
            missing = check_schema(db, path, empty_ok=not readonly)
            if readonly:
                for name in missing:
                    db.execute(_TEMP_TABLES[name])
            else:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # why: see the module docstring
                # 64 MB of page cache: the id index takes random inserts (UUIDs) as it grows.
                db.execute("PRAGMA cache_size=-65536")
                db.executescript(SCHEMA)
                if not _has_column(db, _GROUPING):
                    db.execute(f"ALTER TABLE statements ADD COLUMN {_GROUPING} TEXT")
        except (sqlite3.DatabaseError, ConfigError) as exc:
            if db is not None:
                db.close()
            if lock_fd is not None:
                os.close(lock_fd)
            if isinstance(exc, ConfigError):
                raise
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
        values (the cursor) in ONE transaction; return how many rows were new (ids not stored
        before). Rows whose verb cannot count keep only their id and time (see SCHEMA)."""
        facts, others = [], []
        for row in rows:
            if row[1] in RELEVANT_VERBS:
                facts.append(row)
            else:
                others.append((row[0], row[5] or None))
        self.db.execute("BEGIN IMMEDIATE")
        try:
            previous = self.count()
            before = self.db.total_changes
            self.db.executemany(_INSERT_STATEMENT, facts)
            self.db.executemany(_INSERT_OTHER, others)
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
            if isinstance(kept, str) and kept.isascii() and kept.isdigit() and len(kept) < 19:
                self._count = int(kept)
            else:  # never kept (an older store), or not a number (edited): count them
                self._count = int(self.db.execute(
                    "SELECT (SELECT count(*) FROM statements) + (SELECT count(*) FROM others)"
                ).fetchone()[0])
        return self._count

    def ids(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM statements UNION ALL SELECT id FROM others ORDER BY id")]

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
            for row in batch:
                sid, verb, obj, ref, actor, t, ext, grouping = row
                hotel = hotels(ext) if _well_formed(row) else _MALFORMED
                if hotel is _MALFORMED:  # a store edited by hand or by another program
                    log.skip(f"{self.path}: statement {str(sid)[:80]!r}", "malformed row in the "
                             "store (a column of the wrong type); sync into a new store")
                    continue
                append(sid, verb, obj, bool(ref), actor, t, hotel, SOURCE_STATEMENT, grouping)
            if progress:
                progress(len(facts))

    def batches(self, verbs: Iterable[str] | None = None,
                size: int = 100_000) -> Iterator[list[tuple]]:
        """The stored rows (id, verb, object, ref, actor, time, extensions, grouping) in lists
        of `size`.

        With `verbs` (a subset of RELEVANT_VERBS, else ValueError: the store keeps no more of
        the others), only those, in id order. Without, every statement in the order stored (a
        sequential read; callers that need an order sort): the statements whose verb cannot
        count last, as (id, "", "", 0, "", time or 0, None, None)."""
        grouping = _GROUPING if _has_column(self.db, _GROUPING) else "NULL"  # read-only, old
        sql = f"SELECT id, verb, object, ref, actor, time, extensions, {grouping} FROM statements"
        if verbs is None:
            sql += " UNION ALL SELECT id, '', '', 0, '', coalesce(time, 0), NULL, NULL FROM others"
            args: list[str] = []
        elif (wanted := frozenset(verbs)) == RELEVANT_VERBS:
            index = f" INDEXED BY {_OLD_INDEX}" if self._has_old_index() else ""
            sql += f"{index} WHERE {_RELEVANT_SQL} ORDER BY id"
            args = []
        elif wanted <= RELEVANT_VERBS:
            args = sorted(wanted)
            sql += f" WHERE verb IN ({','.join('?' * len(args))}) ORDER BY id"
        else:
            raise ValueError("the store keeps whole rows only of RELEVANT_VERBS, not of "
                             f"{sorted(wanted - RELEVANT_VERBS)}")
        cursor = self.db.execute(sql, args)
        while batch := cursor.fetchmany(size):
            yield batch

    def _has_old_index(self) -> bool:
        """Whether this store has the earlier layout's partial index (see SCHEMA)."""
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                               (_OLD_INDEX,)).fetchone() is not None

    @staticmethod
    def rows(batch: list[tuple], hotel_extension: str) -> Iterator[tuple]:
        """Stored rows as (id, verb, object, ref, actor, time, hotel, grouping)."""
        hotels = _HotelReader(hotel_extension)
        for sid, verb, obj, ref, actor, t, ext, grouping in batch:
            hotel = hotels(ext)
            yield (sid, verb, obj, bool(ref), actor, t, None if hotel is _MALFORMED else hotel,
                   grouping)


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
        try:
            doc = orjson.loads(ext)  # type: ignore[arg-type]
        except orjson.JSONDecodeError:
            doc = None
        if not isinstance(doc, dict):
            self.seen[ext] = _MALFORMED
            return _MALFORMED
        hotel = doc.get(self.extension)
        value = self.seen[ext] = str(hotel).strip() if isinstance(hotel, str | int) else None
        return value


_MALFORMED = "\0malformed"  # _HotelReader's answer for extensions that are no JSON object


def _well_formed(row: tuple) -> bool:
    """Whether a stored row has the types the store writes (the schema cannot hold them:
    SQLite stores any type in any column)."""
    sid, verb, obj, ref, actor, t, ext, grouping = row
    return (type(sid) is str and type(verb) is str and type(obj) is str and type(ref) is int
            and type(actor) is str and type(t) is int and (ext is None or type(ext) is str)
            and (grouping is None or type(grouping) is str))


def _has_column(db: sqlite3.Connection, name: str) -> bool:
    return any(row[1] == name for row in db.execute("PRAGMA table_info(statements)"))


def _lock(path: Path) -> int:
    lock_fd = os.open(str(path) + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(lock_fd)
        raise ConfigError("another `noroom sync` is writing to this store; wait for it "
                          "to finish, then run again", path) from exc
    return lock_fd
