"""The contract between the certification rule and the outputs.

`certify()` (lrs_reporter/certify.py) returns a `Certification`; every output writer
(lrs_reporter/outputs/) reads only this. DataFrames are sorted (hotels by hotel_id, chains by
chain, learners by hotel_id then learner, trend by date) so outputs are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

HOTEL_COLUMNS = [
    "hotel_id", "name", "chain", "city", "country", "language", "employees",
    "trained", "trained_pct", "certified", "certified_on", "valid_until", "needed", "to_extend",
]
"""hotels: one row per roster hotel. trained_pct/needed None when employees is 0; certified_on
and valid_until are `datetime.date` or None. valid_until (only with --valid-months, only when
certified) is the last day, inclusive, on which the hotel stays certified if nobody else
trains (lrs_reporter.certify.stays); it can be earlier than certified_on + the validity, as the
earliest learners' training expires first. to_extend (with valid_until) is how many more
learners must train by valid_until for the hotel to stay certified the day after."""

CHAIN_COLUMNS = ["chain", "hotels", "certified_hotels", "employees", "trained"]

LEARNER_COLUMNS = ["hotel_id", "learner", "trained_on", "source"]
"""Personal data: only written with --learners. learner is the normalised identity
(mbox / sha1 / account), trained_on a date, source 'statement' or 'lms_export'."""

TREND_COLUMNS = ["date", "trained"]
"""Cumulative distinct trained learners (attributed to a roster hotel) per UTC date."""


@dataclass(frozen=True)
class Certification:
    as_of: date
    threshold: Fraction
    counting_activities: tuple[str, ...]
    valid_months: int | None
    hotels: pd.DataFrame
    chains: pd.DataFrame
    learners: pd.DataFrame
    trend: pd.DataFrame
    data_quality: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """One line per skipped record, 'file:line: problem', for warnings.txt."""
    sources: tuple[str, ...] = ()
    """What the report read, one line each ("roster: roster.csv"), for the workbook's Report
    sheet."""
    certificate_numbers: dict[str, str] | None = None
    """hotel_id -> certificate number (lrs_reporter.numbers) of each certified hotel; None when
    the report was made without the programme's key (the certificates then carry no number)."""
