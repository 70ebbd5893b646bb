"""Readers for everything the reporter is given as files: statements (NDJSON or JSON), the hotel
roster, the staff list and LMS completion exports. All of it is untrusted.

Roster and staff problems stop the run with one ConfigError naming file and line (exit 2).
A bad statement or export row never stops it: it is skipped, counted, and described in the
warnings (`file:line: problem`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from lrs_reporter.facts import SOURCE_LMS, FactBuilder, parse_time
from lrs_reporter.identity import People, email_key, staff_keys
from lrs_reporter.parallel import parts_for, read_ndjson_parts
from noroom.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

ROSTER_COLUMNS = ["hotel_id", "name", "chain", "city", "country", "language", "employees"]
STAFF_COLUMNS = ["hotel_id", "email", "account_homepage", "account_name", "role"]
# LMS export statuses that mean the training was finished; everything else never counts.
COMPLETED_STATUSES = {"completed", "complete", "passed", "pass", "completed/passed"}


@dataclass
class ReadLog:
    """What reading saw: counters for data quality and one line per skipped record."""

    statements_read: int = 0
    invalid: int = 0
    lms_rows: int = 0
    lms_not_completed: int = 0
    warnings: list[str] = field(default_factory=list)

    def skip(self, where: str, why: str) -> None:
        self.invalid += 1
        self.warnings.append(f"{where}: skipped: {why}")


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError("file not found; check the path", path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("is not UTF-8 text (unreadable encoding); save it as UTF-8 CSV",
                          path) from exc


def _csv_rows(path: Path, required: list[str]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ConfigError(f"missing column {missing[0]!r}; the header must be "
                          f"{','.join(required)}", path, 1)
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def read_roster(path: Path) -> pd.DataFrame:
    """roster.csv -> one row per hotel; ConfigError on any bad row (exit 2)."""
    import pandas as pd

    rows, seen = [], {}
    for line, row in _csv_rows(path, ROSTER_COLUMNS):
        hid = row["hotel_id"]
        if not hid:
            raise ConfigError("empty hotel_id; every hotel needs an id", path, line)
        if hid in seen:
            raise ConfigError(f"duplicate hotel_id {hid!r} (first on line {seen[hid]}); "
                              "keep one row per hotel", path, line)
        seen[hid] = line
        raw = row["employees"]
        if not (raw.isascii() and raw.isdigit()):  # "²" and "٣" are digits to str.isdigit()
            raise ConfigError(f"employees must be a whole number of 0 or more, got {raw!r}",
                              path, line)
        rows.append({**{c: row[c] for c in ROSTER_COLUMNS[:-1]}, "employees": int(raw)})
    frame = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    frame["employees"] = frame["employees"].astype("int64")
    return frame.sort_values("hotel_id", kind="stable").reset_index(drop=True)


def read_staff(path: Path, roster_ids: set[str], people: People | None = None,
               ) -> dict[str, set[str]]:
    """staff.csv -> identity key -> hotel ids. Unknown hotels and unusable rows stop the run.

    A row is one person: when it gives both an email and an account, they are linked in
    `people`, so completing once under each still makes one trained learner.
    """
    staff: dict[str, set[str]] = {}
    for line, row in _csv_rows(path, STAFF_COLUMNS):
        if row["hotel_id"] not in roster_ids:
            raise ConfigError(f"hotel_id {row['hotel_id']!r} is not on the roster; add the "
                              "hotel to roster.csv or fix the id", path, line)
        if row["email"] and email_key(row["email"]) is None:
            raise ConfigError(f"email {row['email']!r} is not an email address; fix it or "
                              "leave it empty", path, line)
        keys = staff_keys(row["email"], row["account_homepage"], row["account_name"])
        if not keys:
            raise ConfigError("row names nobody: give an email or account_homepage and "
                              "account_name", path, line)
        for key in keys:
            staff.setdefault(key, set()).add(row["hotel_id"])
        if people is not None and len(keys) > 1:
            people.link(keys)
    return staff


def read_statement_file(path: Path, facts: FactBuilder, log: ReadLog,
                        progress: Callable[[int], None] | None = None) -> None:
    """NDJSON (one statement per line) or a JSON array / {"statements": [...]} document."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"cannot read statements: {exc.strerror}", path) from exc
    with fh:
        head = fh.read(64).lstrip()[:1]
        fh.seek(0)
        if head == b"[" or (path.suffix == ".json" and head == b"{"):
            _read_json_document(fh.read(), path, facts, log)
        elif (parts := parts_for(path)) > 1:  # a large file: every core reads a part
            read_ndjson_parts(path, fh, facts, log, _read_ndjson, parts, progress)
        else:
            _read_ndjson(fh, path, facts, log, progress)
    if progress:  # the final count of this file, however short it was
        progress(log.statements_read)


def _read_json_document(data: bytes, path: Path, facts: FactBuilder, log: ReadLog) -> None:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"is not valid JSON ({exc}); export it again", path) from exc
    items = doc.get("statements") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ConfigError('must hold a JSON array or {"statements": [...]}', path)
    for n, st in enumerate(items, 1):
        log.statements_read += 1
        if why := facts.add(st):
            log.skip(f"{path}: statement {n}", why)


def _read_ndjson(fh, path: Path, facts: FactBuilder, log: ReadLog,  # type: ignore[no-untyped-def]
                 progress: Callable[[int], None] | None, first_line: int = 1) -> None:
    """Streams line by line (`fh`: any iterable of lines, the first numbered `first_line`):
    memory stays flat however large the file is."""
    loads, add, read = orjson.loads, facts.add, 0
    for n, line in enumerate(fh, first_line):
        if not line or line.isspace():
            continue
        read += 1
        try:
            why = add(loads(line))
        except orjson.JSONDecodeError:
            why = "not valid JSON"
        if why:
            log.skip(f"{path}:{n}", why)
        if progress and not read % 100_000:
            progress(log.statements_read + read)
    log.statements_read += read


def read_completions(path: Path, facts: FactBuilder, activity: str, log: ReadLog,
                     people: People | None = None) -> None:
    """An LMS completion export; completed/passed rows become qualifying facts.

    A row with both an email and an account is one person (linked in `people`). Each row's id
    comes from the file's resolved path and line, so a/lms.csv and b/lms.csv never collide,
    while the same file given twice counts once.
    """
    required = ["status", "completed_at"]
    where = str(path.resolve())
    for line, row in _csv_rows(path, required):
        log.lms_rows += 1
        status = row["status"].lower()
        if status not in COMPLETED_STATUSES:
            log.lms_not_completed += 1
            continue
        keys = staff_keys(row.get("email", ""), row.get("account_homepage", ""),
                          row.get("account_name", ""))
        if not keys:
            log.skip(f"{path}:{line}", "no email or account_homepage+account_name")
            continue
        t = parse_time(row["completed_at"])
        if t is None:
            log.skip(f"{path}:{line}", f"completed_at {row['completed_at']!r} is not a date")
            continue
        if people is not None and len(keys) > 1:
            people.link(keys)
        facts.append(f"lms:{where}:{line}", "http://adlnet.gov/expapi/verbs/completed",
                     activity, False, keys[0], t, row.get("hotel_id") or None, SOURCE_LMS)
