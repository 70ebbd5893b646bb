"""A large NDJSON file read on every core: one byte range per core, each a forked process.

    with prefetch(paths, hotel_extension):   # forks the readers, returns at once
        ...                                  # meanwhile: roster, staff list, store
        read_statement_file(path, ...)       # -> read_ndjson_parts: merges what they read

Issue 14, item 6: at a national programme's size (1M statements) reading the NDJSON was most of a
report and one core sat idle. Each range starts at a line start and is read by `read_part` (the
serial reader, files._read_ndjson) into its own FactBuilder and ReadLog, with the real line
numbers; the parts are merged in file order, so the facts, their first-copy-wins order, the
warnings and the counts are exactly those of one process reading the whole file.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lrs_reporter.facts import FactBuilder

# Below this a second process costs more than it saves (forking, merging).
PARALLEL_FROM_BYTES = 32 << 20
_parts = itertools.count()  # unique names for statements without an id, per part
_JOB: tuple[Path, list[int], Callable[..., None], str, str] | None = None
# Parts read ahead by `prefetch`, per path, in file order; taken by read_ndjson_parts.
_PREFETCHED: dict[Path, list[Any]] = {}
_PREFETCH_JOBS: list[tuple[Path, list[int], int, str, str]] = []


@contextmanager
def prefetch(paths: Iterable[Path], hotel_extension: str) -> Iterator[None]:
    """Start reading every large NDJSON file of `paths` in forked processes, all parts, and
    return at once, so the caller reads the roster, staff list and store meanwhile (at 1M
    statements, a second of one core). read_statement_file then merges the parts; what it does
    not take is dropped on exit, and the processes are ended."""
    import multiprocessing

    global _PREFETCH_JOBS
    jobs = []
    for path in dict.fromkeys(paths):
        if (parts := parts_for(path)) < 2 or not _looks_ndjson(path):
            continue
        with path.open("rb") as fh:
            bounds = _bounds(fh, parts)
        prefix = f"no-id:{next(_parts)}-"
        jobs += [(path, bounds, k, prefix, hotel_extension) for k in range(len(bounds) - 1)]
    if not jobs:
        yield
        return
    _PREFETCH_JOBS = jobs  # inherited by the forked workers, not pickled
    pool = multiprocessing.get_context("fork").Pool(min(len(jobs), os.cpu_count() or 1))
    try:
        for i, (path, *_) in enumerate(jobs):
            _PREFETCHED.setdefault(path, []).append(pool.apply_async(_read_prefetched, (i,)))
        yield
    finally:
        _PREFETCHED.clear()
        _PREFETCH_JOBS = []
        pool.terminate()
        pool.join()


def _looks_ndjson(path: Path) -> bool:
    """The guess files.read_statement_file makes; a wrong guess only wastes the prefetch."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    except OSError:  # read_statement_file says so, in one line
        return False
    return not (head == b"[" or (path.suffix == ".json" and head == b"{"))


def _read_prefetched(i: int) -> tuple[FactBuilder, Any]:
    path, bounds, k, prefix, extension = _PREFETCH_JOBS[i]
    from lrs_reporter.files import _read_ndjson

    return _read_part(path, bounds, k, prefix, extension, _read_ndjson)


def parts_for(path: Path) -> int:
    """How many processes should read `path`: 1 unless it is large and fork is available."""
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    if size < PARALLEL_FROM_BYTES or sys.platform != "linux":
        return 1
    return min(os.cpu_count() or 1, 8)


def read_ndjson_parts(path: Path, fh: IO[bytes], facts: FactBuilder, log: Any,
                      read_part: Callable[..., None], parts: int,
                      progress: Callable[[int], None] | None = None) -> None:
    """Read `path` (open as `fh`) in up to `parts` byte ranges, the first in this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if (pending := _PREFETCHED.pop(path, None)) is not None:
        for result in pending:  # in file order: the first copy of an id stays the first
            _take(facts, log, *result.get())
            if progress:
                progress(log.statements_read)
        return
    global _JOB
    bounds = _bounds(fh, parts)
    if len(bounds) < 3:  # one line, or a few long ones: nothing to share
        read_part(_lines(fh, 0, bounds[-1]), path, facts, log, progress)
        return
    _JOB = (path, bounds, read_part, facts.hotel_extension, f"no-id:{next(_parts)}-")
    try:
        with ProcessPoolExecutor(len(bounds) - 2,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            later = [pool.submit(_read_forked, k) for k in range(1, len(bounds) - 1)]
            read_part(_lines(fh, bounds[0], bounds[1]), path, facts, log, progress)
            for future in later:  # in file order: the first copy of an id stays the first
                _take(facts, log, *future.result())
                if progress:
                    progress(log.statements_read)
    finally:
        _JOB = None


def _bounds(fh: IO[bytes], parts: int) -> list[int]:
    """Up to parts + 1 increasing offsets from 0 to the size, each but the last a line start."""
    size = fh.seek(0, os.SEEK_END)
    bounds = [0]
    for k in range(1, parts):
        fh.seek(max(bounds[-1], size * k // parts))
        fh.readline()
        if bounds[-1] < fh.tell() < size:
            bounds.append(fh.tell())
    return [*bounds, size]


def _lines(fh: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    fh.seek(start)
    at = start
    for line in fh:
        if at >= end:
            return
        at += len(line)
        yield line


def _read_forked(k: int) -> tuple[FactBuilder, Any]:
    assert _JOB is not None
    path, bounds, read_part, extension, prefix = _JOB
    return _read_part(path, bounds, k, prefix, extension, read_part)


def _read_part(path: Path, bounds: list[int], k: int, prefix: str, extension: str,
               read_part: Callable[..., None]) -> tuple[FactBuilder, Any]:
    """Part k of `path` read into a new FactBuilder and ReadLog, with the real line numbers."""
    from lrs_reporter.files import ReadLog

    facts, log = FactBuilder(extension), ReadLog()
    facts.synthetic_prefix = f"{prefix}{k}:"  # never the name of another part's statement
    with path.open("rb") as fh:
        first_line = _count_lines(fh, bounds[k]) + 1
        read_part(_lines(fh, bounds[k], bounds[k + 1]), path, facts, log, None,
                  first_line=first_line)
    facts._keys.clear()  # a memo: not worth sending back
    return facts, log


def _take(facts: FactBuilder, log: Any, part: FactBuilder, part_log: Any) -> None:
    merge(facts, part)
    _merge_log(log, part_log)


def _count_lines(fh: IO[bytes], end: int) -> int:
    fh.seek(0)
    lines, left = 0, end
    while left > 0:
        block = fh.read(min(left, 16 << 20))
        if not block:
            break
        lines += block.count(b"\n")
        left -= len(block)
    return lines


def merge(facts: FactBuilder, part: FactBuilder) -> None:
    """Append `part`'s facts to `facts`, re-coding its strings into `facts`' codes."""
    import numpy as np

    for column, codes in (("verb", "verbs"), ("obj", "objects"), ("actor", "actors"),
                          ("hotel", "hotels"), ("grouping", "groupings")):
        ours, theirs = getattr(facts, codes), getattr(part, codes)
        recode = np.array([ours.code(v) for v in theirs.values] + [-1], dtype=np.int32)
        values = np.frombuffer(getattr(part, column), dtype=np.int32)
        getattr(facts, column).frombytes(recode[values].tobytes())  # code -1 -> last: -1
    for column in ("id_hi", "id_lo", "ref", "time", "source"):
        getattr(facts, column).extend(getattr(part, column))
    facts.others += part.others
    facts.synthetic += part.synthetic


def _merge_log(log: Any, part: Any) -> None:
    log.statements_read += part.statements_read
    log.invalid += part.invalid
    log.warnings += part.warnings
