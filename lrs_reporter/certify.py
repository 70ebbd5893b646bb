"""The certification rule (issue 6), as one pure function shared by every source and engine.

    certify(facts, roster, staff, Options(...)) -> Certification

1. A learner is trained by a non-voided statement with a counting verb (completed, passed) about
   a counting activity, whose time (timestamp, else stored) is at or before the end of the as-of
   day in UTC and, with valid_months, later than that moment minus valid_months months.
2. A statement is voided when a `voided` statement has it as its StatementRef object, wherever
   either stands in the input. Statements with the same id count once. Voids cannot be voided.
3. Learners are identity keys (lrs_reporter.identity): emails, their SHA-1 and accounts match.
4. A learner belongs to every hotel the staff list gives for them; a learner not on the staff
   list belongs to the roster hotel named in the hotel extension of their earliest qualifying
   statement that names one; otherwise they are unmatched.
5. Per hotel: trained, trained_pct (1 decimal, half up), certified (employees > 0 and
   trained/employees >= threshold, compared as exact fractions), needed, certified_on (the UTC
   date of the earliest qualifying statement of the ceil(threshold x employees)-th learner).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from lrs_reporter.facts import SOURCE_LMS, split_id
from lrs_reporter.model import (
    CHAIN_COLUMNS,
    HOTEL_COLUMNS,
    LEARNER_COLUMNS,
    TREND_COLUMNS,
    Certification,
)
from noroom.vocabulary import VOIDED

if TYPE_CHECKING:
    import pandas as pd

COUNTING_VERBS = ("http://adlnet.gov/expapi/verbs/completed",
                  "http://adlnet.gov/expapi/verbs/passed")


@dataclass(frozen=True)
class Options:
    activities: tuple[str, ...]
    as_of: date
    threshold: Fraction = Fraction(3, 5)
    valid_months: int | None = None
    counting_verbs: tuple[str, ...] = COUNTING_VERBS


def add_months(d: date, months: int) -> date:
    """Calendar months; the day is clipped to the month's length (31 Jan + 1 month = 28 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(d.day, days))


def window(options: Options) -> tuple[datetime, datetime | None]:
    """(end, start): qualifying times t satisfy start < t < end; end is the next UTC midnight."""
    from datetime import UTC

    end_day = options.as_of + timedelta(days=1)
    end = datetime.combine(end_day, time(), UTC)
    if options.valid_months is None:
        return end, None
    return end, datetime.combine(add_months(end_day, -options.valid_months), time(), UTC)


def percent(trained: int, employees: int) -> float | None:
    if employees == 0:
        return None
    exact = Decimal(100 * trained) / Decimal(employees)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def live_statements(facts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rule 2: drop duplicate ids, voiding statements and the statements they void."""
    import pandas as pd

    dup = facts.duplicated(["id_hi", "id_lo"], keep="first")
    f = facts[~dup]
    is_void = (f["verb"] == VOIDED) & f["ref"]
    targets = [split_id(str(o)) for o in f.loc[is_void, "object"].astype(object)]
    keys = pd.MultiIndex.from_arrays([f["id_hi"], f["id_lo"]])
    target_index = pd.MultiIndex.from_tuples(targets, names=keys.names) if targets else None
    voided = (~is_void) & (keys.isin(target_index) if target_index is not None else False)
    return f[~is_void & ~voided], {"duplicates": int(dup.sum()), "voided": int(voided.sum())}


def qualifying(facts: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rule 1 over live statements: one row per qualifying statement, sorted by time."""
    live, quality = live_statements(facts)
    counting = live[live["verb"].isin(options.counting_verbs)]
    about = counting["object"].isin(options.activities)
    quality["other_activities"] = int((~about).sum())
    q = counting[about]
    end, start = window(options)
    in_window = q["time"] < end
    if start is not None:
        in_window &= q["time"] > start
    q = q[in_window].sort_values(["time", "id_hi", "id_lo"], kind="stable")
    return q, quality


def attribute(q: pd.DataFrame, roster_ids: set[str], staff: dict[str, set[str]],
              ) -> tuple[pd.DataFrame, dict[str, object]]:
    """Rule 4: (hotel_id, learner, time, source) per trained learner and hotel."""
    import pandas as pd

    first = q.drop_duplicates("actor", keep="first")
    rows = []
    for actor, t, source in zip(first["actor"].astype(object), first["time"], first["source"],
                                strict=True):
        for hotel in sorted(staff.get(actor, ())):
            rows.append((hotel, actor, t, source))
    off_staff = q[~q["actor"].astype(object).isin(staff.keys())]
    named = off_staff["hotel"].astype(object)
    on_roster = named.isin(roster_ids)
    unknown = sorted({h for h in named[named.notna() & ~on_roster]})
    by_hotel = off_staff[on_roster].drop_duplicates("actor", keep="first")
    # The learner's date is their first qualifying statement, even if it named no hotel.
    first_time = dict(zip(first["actor"].astype(object), first["time"], strict=True))
    first_source = dict(zip(first["actor"].astype(object), first["source"], strict=True))
    for actor, hotel in zip(by_hotel["actor"].astype(object), by_hotel["hotel"].astype(object),
                            strict=True):
        rows.append((hotel, actor, first_time[actor], first_source[actor]))
    assigned = pd.DataFrame(rows, columns=["hotel_id", "learner", "time", "source"])
    learners = set(first["actor"].astype(object))
    matched = set(assigned["learner"])
    quality = {"unmatched_learners": len(learners - matched), "unknown_hotels": len(unknown),
               "unknown_hotel_ids": unknown, "trained_learners": len(matched)}
    return assigned, quality


def hotel_table(roster: pd.DataFrame, assigned: pd.DataFrame, options: Options) -> pd.DataFrame:
    """Rule 5, one row per roster hotel."""
    import pandas as pd

    times = {h: sorted(g["time"]) for h, g in assigned.groupby("hotel_id", sort=True)}
    th = options.threshold
    rows = []
    for r in roster.itertuples(index=False):
        ts, employees = times.get(r.hotel_id, []), int(r.employees)
        trained = len(ts)
        required = math.ceil(th * employees)
        certified = employees > 0 and Fraction(trained, employees) >= th
        certified_on = ts[required - 1].date() if certified and required > 0 else None
        valid_until = (add_months(certified_on, options.valid_months)
                       if certified_on and options.valid_months else None)
        rows.append({
            "hotel_id": r.hotel_id, "name": r.name, "chain": r.chain, "city": r.city,
            "country": r.country, "language": r.language, "employees": employees,
            "trained": trained, "trained_pct": percent(trained, employees),
            "certified": bool(certified), "certified_on": certified_on,
            "valid_until": valid_until,
            "needed": max(0, required - trained) if employees > 0 else None,
        })
    frame = pd.DataFrame(rows, columns=HOTEL_COLUMNS)
    for column in ("trained_pct", "needed", "certified_on", "valid_until"):
        frame[column] = pd.Series([r[column] for r in rows], dtype=object)  # keep None, not NaN
    return frame


def chain_table(hotels: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for chain, g in hotels.groupby("chain", sort=True):
        rows.append({"chain": chain, "hotels": len(g),
                     "certified_hotels": int(g["certified"].sum()),
                     "employees": int(g["employees"].sum()), "trained": int(g["trained"].sum())})
    return pd.DataFrame(rows, columns=CHAIN_COLUMNS)


def certify(facts: pd.DataFrame, roster: pd.DataFrame, staff: dict[str, set[str]],
            options: Options) -> Certification:
    """Statements (as facts) + roster + staff list + options -> per-hotel certification."""
    import pandas as pd

    q, quality = qualifying(facts, options)
    roster_ids = set(roster["hotel_id"])
    assigned, attribution = attribute(q, roster_ids, staff)
    hotels = hotel_table(roster, assigned, options)
    over = hotels.loc[hotels["trained"] > hotels["employees"], "hotel_id"].tolist()
    learners = assigned.assign(
        trained_on=[t.date() for t in assigned["time"]],
        source=["lms_export" if s == SOURCE_LMS else "statement" for s in assigned["source"]],
    )[LEARNER_COLUMNS].sort_values(["hotel_id", "learner"], kind="stable").reset_index(drop=True)
    per_learner = assigned.drop_duplicates("learner").assign(
        date=lambda d: [t.date() for t in d["time"]])
    daily = per_learner.groupby("date").size().sort_index().cumsum()
    trend = pd.DataFrame({"date": list(daily.index), "trained": [int(x) for x in daily]},
                         columns=TREND_COLUMNS)
    data_quality = {**quality, **attribution, "hotels_over_100pct": len(over),
                    "hotels_over_100pct_ids": over, "qualifying_statements": len(q)}
    return Certification(
        as_of=options.as_of, threshold=options.threshold,
        counting_activities=tuple(options.activities), valid_months=options.valid_months,
        hotels=hotels, chains=chain_table(hotels), learners=learners, trend=trend,
        data_quality=data_quality,
    )
