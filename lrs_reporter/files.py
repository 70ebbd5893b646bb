"""Readers for everything the reporter is given as files: statements (NDJSON or JSON), the hotel
roster, the staff list and LMS completion exports. All of it is untrusted.

Roster and staff problems stop the run with one ConfigError naming file and line (exit 2).
A bad statement or export row never stops it: it is skipped, counted, and described in the
warnings (`file:line: problem`). A statements file that is mostly not statements at all (an
HTML error page, a CSV saved under the wrong name) stops it: see NOT_STATEMENTS_SHARE.

CSV files may be separated by commas, semicolons (Excel with a Dutch or Belgian locale) or
tabs: the header line decides. A UTF-8 byte order mark is dropped from every file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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
# A roster's headcount: more than any hotel has, few enough digits for int() and int64 (a value
# of 4,300 digits or beyond 64 bits must be one error line, not a traceback; issue 14).
MAX_EMPLOYEES = 1_000_000
# A statements file stops the run when more than this share of its records (lines, or items
# of a JSON array) are not statements at all: not JSON, not an object, or without a verb id.
# Such a file is something else (an HTML error page, a CSV, a truncated download); reading it
# as "0 statements, all skipped" would certify nobody and replace a good report (issue 14).
# A file with some broken lines among statements is still read, the lines skipped and listed.
NOT_STATEMENTS_SHARE = 0.5
EARLY_VERDICT = 1000  # records, all of them not statements: stop reading there
NOT_A_STATEMENT = frozenset({"not valid JSON", "not a JSON object", "no verb id"})
DELIMITERS = (",", ";", "\t")
BOM = b"\xef\xbb\xbf"


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


def delimiter(header: str, required: list[str]) -> str:
    """The separator of a CSV whose first line is `header`: the first of comma, semicolon and
    tab that splits it into all the `required` columns; else the one it holds most of."""
    for sep in DELIMITERS:
        if set(required) <= {h.strip() for h in header.split(sep)}:
            return sep
    return max(DELIMITERS, key=header.count)


def csv_rows(path: Path, required: list[str], log: ReadLog | None = None,
              ) -> Iterable[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV file with the `required` columns; ConfigError when one is missing.

    A row the csv module refuses (a field over its 128 KB limit) is a ConfigError naming its
    line, or with `log` a skipped row. With `log`, a quoted field running over several lines (an
    unclosed quote swallows every line up to the next quote) is a warning naming where it starts.
    """
    text = _text(path)
    sep = delimiter(text[:text.find("\n")] if "\n" in text else text, required)
    read = 0  # lines handed to the reader: its own line_num misses a line it failed on

    def lines() -> Iterable[str]:
        nonlocal read
        for line in io.StringIO(text, newline=""):
            read += 1
            yield line

    reader = csv.DictReader(lines(), delimiter=sep)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise ConfigError(f"the header is not readable CSV ({exc})", path, 1) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise ConfigError(f"missing column {missing[0]!r}; the header must be "
                          f"{','.join(required)}", path, 1)
    reader.fieldnames = header
    while True:
        start = read + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if log is None:
                raise ConfigError(f"unreadable row ({exc}); fix or remove it", path,
                                  start) from exc
            log.skip(f"{path}:{start}", f"unreadable row ({exc})")
            continue
        if log is not None and read > start:
            log.warnings.append(f"{path}:{start}: a quoted field runs to line {read}; check "
                                "for a missing closing quote")
        yield read, {k: (v or "").strip() for k, v in row.items() if k}


def read_roster(path: Path) -> pd.DataFrame:
    """roster.csv -> one row per hotel; ConfigError on any bad row (exit 2)."""
    import pandas as pd

    rows, seen = [], {}
    languages: tuple[str, ...] | None = None
    for line, row in csv_rows(path, ROSTER_COLUMNS):
        if "second_language" in row and languages is None:
            from noroom.vocabulary import load_course_languages

            languages = load_course_languages()
        hid = row["hotel_id"]
        if not hid:
            raise ConfigError("empty hotel_id; every hotel needs an id", path, line)
        if hid in seen:
            raise ConfigError(f"duplicate hotel_id {hid!r} (first on line {seen[hid]}); "
                              "keep one row per hotel", path, line)
        seen[hid] = line
        rows.append({**{c: row[c] for c in ROSTER_COLUMNS[:-1]},
                     "employees": employees(row["employees"], path, line),
                     "second_language": second_language(row, languages or (), path, line)})
    frame = pd.DataFrame(rows, columns=[*ROSTER_COLUMNS, "second_language"])
    frame["employees"] = frame["employees"].astype("int64")
    return frame.sort_values("hotel_id", kind="stable").reset_index(drop=True)


def second_language(row: dict[str, str], languages: tuple[str, ...], path: Path,
                    line: int) -> str:
    """The optional roster column `second_language` (issue 17 §3): "" or one of the course's
    languages, lower case, that the hotel's staff read besides `language`; ConfigError
    naming the line otherwise."""
    value = row.get("second_language", "").lower()
    if value and value not in languages:
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise ConfigError(f"second_language {shown!r} is not a language of the course; use "
                          f"one of {', '.join(languages)} or leave it empty", path, line)
    return value


def employees(raw: str, path: Path, line: int) -> int:
    """A roster's headcount, 0 to MAX_EMPLOYEES; ConfigError naming the line otherwise."""
    # "²" and "٣" are digits to str.isdigit(); the length check comes before int().
    if not (raw.isascii() and raw.isdigit() and len(raw.lstrip("0")) <= 7
            and int(raw) <= MAX_EMPLOYEES):
        shown = raw if len(raw) <= 20 else raw[:20] + "..."
        raise ConfigError(f"employees must be a whole number of 0 or more (at most "
                          f"{MAX_EMPLOYEES:,}), got {shown!r}", path, line)
    return int(raw)


def read_staff(path: Path, roster_ids: set[str], people: People | None = None,
               ) -> dict[str, set[str]]:
    """staff.csv -> identity key -> hotel ids. Unknown hotels and unusable rows stop the run.

    A row is one person: when it gives both an email and an account, they are linked in
    `people`, so completing once under each still makes one trained learner.
    """
    staff: dict[str, set[str]] = {}
    for line, row in csv_rows(path, STAFF_COLUMNS):
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
    """NDJSON (one statement per line) or a JSON array / {"statements": [...]} document.

    Which of the two a file is, its content decides, not its name: NDJSON when its first line
    is a whole JSON value and more follows (even when that line starts with "["), a document
    when the file is one JSON value (a single statement object is one statement), NDJSON again
    when it is neither (each line judged alone).
    A leading UTF-8 byte order mark is dropped. ConfigError when the file is not statements
    (see NOT_STATEMENTS_SHARE), naming the file."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"cannot read statements: {exc.strerror}", path) from exc
    with fh:
        start = len(BOM) if fh.read(len(BOM)) == BOM else 0
        fh.seek(start)
        items = _json_document(fh, path)
        fh.seek(start)
        if items is not None:
            counts = _read_items(items, path, facts, log)
        elif (parts := parts_for(path)) > 1:  # a large file: every core reads a part
            counts = _read_parts(path, fh, facts, log, parts, progress)
        else:
            counts = _read_ndjson(fh, path, facts, log, progress)
    _check_statements(path, *counts)
    if progress:  # the final count of this file, however short it was
        progress(log.statements_read)


def _json_document(fh: BinaryIO, path: Path) -> list[Any] | None:
    """The statements of a file that is one JSON document, or None for NDJSON."""
    first = fh.readline()
    if first.lstrip()[:1] not in (b"[", b"{"):
        return None
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:  # a document over several lines, or a broken first line
        second = fh.readline()
        if _is_json(second):
            return None  # NDJSON with a broken first line: not read whole into memory
        try:
            doc = orjson.loads(first + second + fh.read())
        except orjson.JSONDecodeError:
            return None  # judged line by line; a file of garbage stops there
    else:
        if _more(fh):
            return None  # a whole value on the first line and more after it: NDJSON
    items = doc.get("statements", [doc]) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ConfigError('must hold a JSON array or {"statements": [...]}', path)
    return items


def _is_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _more(fh: BinaryIO) -> bool:
    """Whether anything but white space follows in `fh` (read in 64 KB blocks)."""
    while block := fh.read(1 << 16):
        if not block.isspace():
            return True
    return False


def _read_items(items: list[Any], path: Path, facts: FactBuilder, log: ReadLog,
                ) -> tuple[int, int]:
    """(records, records that are not statements) of a JSON array of statements."""
    junk = 0
    for n, st in enumerate(items, 1):
        log.statements_read += 1
        if why := facts.add(st):
            log.skip(f"{path}: statement {n}", why)
            junk += why in NOT_A_STATEMENT
    return len(items), junk


def _read_ndjson(fh, path: Path, facts: FactBuilder, log: ReadLog,  # type: ignore[no-untyped-def]
                 progress: Callable[[int], None] | None,
                 first_line: int = 1) -> tuple[int, int]:
    """Streams line by line (`fh`: any iterable of lines, the first numbered `first_line`):
    memory stays flat however large the file is. Returns (lines, lines that are not
    statements). A BOM before line 1 is dropped (the parallel reader starts at byte 0)."""
    loads, add, read, junk = orjson.loads, facts.add, 0, 0
    for n, line in enumerate(fh, first_line):
        if n == 1 and line.startswith(BOM):
            line = line[len(BOM):]
        if not line or line.isspace():
            continue
        read += 1
        try:
            why = add(loads(line))
        except orjson.JSONDecodeError:
            why = "not valid JSON"
        if why:
            log.skip(f"{path}:{n}", why)
            junk += why in NOT_A_STATEMENT
            if junk == read == EARLY_VERDICT:
                break  # not a statements file; no need to read (and list) all of it
        if progress and not read % 100_000:
            progress(log.statements_read + read)
    log.statements_read += read
    return read, junk


def _read_parts(path: Path, fh, facts: FactBuilder, log: ReadLog,  # type: ignore[no-untyped-def]
                parts: int, progress: Callable[[int], None] | None) -> tuple[int, int]:
    """A large NDJSON file read on every core (lrs_reporter.parallel); (lines, lines that are
    not statements) counted from what the parts logged."""
    read_before, warned_before = log.statements_read, len(log.warnings)
    read_ndjson_parts(path, fh, facts, log, _read_ndjson, parts, progress)
    junk = sum(1 for w in log.warnings[warned_before:]
               if w.rsplit("skipped: ", 1)[-1] in NOT_A_STATEMENT)
    return log.statements_read - read_before, junk


def _check_statements(path: Path, records: int, junk: int) -> None:
    """ConfigError when `path` held no statement, or mostly records that are not statements
    (NOT_STATEMENTS_SHARE)."""
    if records and junk <= records * NOT_STATEMENTS_SHARE:
        return
    if not records:
        raise ConfigError("holds no statements; check that the export or download worked",
                          path)
    raise ConfigError(f"is not a statements file: {junk:,} of its {records:,} records are not "
                      "xAPI statements (not JSON, or without a verb); give the NDJSON or JSON "
                      "export of the LRS", path)


def read_completions(path: Path, facts: FactBuilder, activity: str, log: ReadLog,
                     people: People | None = None) -> None:
    """An LMS completion export; completed/passed rows become qualifying facts.

    A row with both an email and an account is one person (linked in `people`). Each row's id
    comes from the file's resolved path and line, so a/lms.csv and b/lms.csv never collide,
    while the same file given twice counts once.
    """
    required = ["status", "completed_at"]
    where = str(path.resolve())
    for line, row in csv_rows(path, required, log):
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
