"""`run_report()`: files, a store or an LRS -> facts -> `certify()` -> a Certification.

The one place that wires the readers to the rule; `noroom report` and the tests call it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lrs_reporter.certify import Options, certify
from lrs_reporter.facts import FactBuilder
from lrs_reporter.files import (
    ReadLog,
    read_completions,
    read_roster,
    read_staff,
    read_statement_file,
)
from lrs_reporter.identity import People
from lrs_reporter.model import Certification


@dataclass(frozen=True)
class Sources:
    roster: Path
    staff: Path | None = None
    statements: Sequence[Path] = ()
    completions: Sequence[Path] = ()
    store: Path | None = None
    parquet: Path | None = None
    engine: str = "pandas"
    scheduler: str | None = None
    hotel_extension: str = ""
    extra_warnings: tuple[str, ...] = field(default=())


def run_report(sources: Sources, options: Options,
               progress: Callable[[int], None] | None = None) -> Certification:
    """Read every source, apply the rule; ConfigError on a bad roster or staff list."""
    from dataclasses import replace

    from lrs_reporter.parallel import prefetch

    people = People()  # the identities each staff or export row gives are one person
    # Large statement files are read on the other cores while this one reads the rest.
    with prefetch(sources.statements, sources.hotel_extension):
        roster = read_roster(sources.roster)
        staff = read_staff(sources.staff, set(roster["hotel_id"]), people) if sources.staff else {}
        facts, log = FactBuilder(sources.hotel_extension), ReadLog()
        if sources.store:
            from lrs_reporter.store import Store

            with Store.open(sources.store, readonly=True) as store:
                store.load_facts(facts, log, progress)
        for path in sources.statements:
            read_statement_file(path, facts, log, progress)
    for path in sources.completions:
        read_completions(path, facts, options.activities[0], log, people)
    frame = facts.frame()
    if sources.parquet:
        frame = _with_parquet(frame, sources, log)
    cert = certify(frame, roster, staff, options, people)
    quality = {"statements_read": log.statements_read, "invalid": log.invalid,
               "lms_export_rows": log.lms_rows, "lms_export_not_completed": log.lms_not_completed,
               **cert.data_quality}
    return replace(cert, data_quality=quality, sources=described(sources),
                   warnings=tuple(sources.extra_warnings) + tuple(log.warnings))


def described(sources: Sources) -> tuple[str, ...]:
    """One line per input, as the workbook's Report sheet lists them (file names as given)."""
    lines = [f"roster: {sources.roster}"]
    lines += [f"staff list: {sources.staff}"] if sources.staff else []
    lines += [f"statement store: {sources.store}"] if sources.store else []
    lines += [f"statements: {path}" for path in sources.statements]
    lines += [f"LMS export: {path}" for path in sources.completions]
    lines += [f"Parquet export: {sources.parquet}"] if sources.parquet else []
    return tuple(lines)


def _with_parquet(frame, sources: Sources, log: ReadLog):  # type: ignore[no-untyped-def]
    """Add the facts of a Parquet export, read by pandas or by Dask (the same facts either way)."""
    import pandas as pd

    from lrs_reporter.parquet import check_extension, read_parquet_facts

    assert sources.parquet is not None
    check_extension(sources.parquet, sources.hotel_extension)
    exported, total = read_parquet_facts(sources.parquet, sources.engine, sources.scheduler)
    log.statements_read += total
    if not len(frame):
        return exported
    strings = ("verb", "object", "actor", "hotel", "grouping")
    both = pd.concat([frame.astype({c: object for c in strings}),
                      exported.astype({c: object for c in strings})], ignore_index=True)
    return both.astype({c: "category" for c in strings})
