"""The certification rule (issue 6), as one pure function shared by every source and engine.

    certify(facts, roster, staff, Options(...)) -> Certification

1. A learner is trained by a non-voided statement with a counting verb (completed, passed) about
   a counting activity, whose time (timestamp, else stored) is at or before the end of the as-of
   day in UTC and, with valid_months N, later than the end of the as-of day minus N months.
   The end of a day is its last instant, and N months are subtracted from it as calendar months
   (the day clipped to the month's length), so the window is whole UTC days: training on day D
   counts on an as-of day A exactly when D > add_months(A, -N). Said the other way round, which
   is what a certificate prints: training on day D is valid through `valid_through(D, N)`, the
   day before the same day of the month N months later, or the last day of that month when it
   has no such day (31 Jan + 1 month: through 28 Feb; 28 Feb + 1 month: through 27 Mar).
   `counts_on()` is that one definition; the report's window and valid_until both use it.
2. A statement is voided when a `voided` statement has it as its StatementRef object, wherever
   either stands in the input. Statements with the same id count once (the first one read wins;
   copies that differ are counted as conflicting_duplicates). Voids cannot be voided.
3. Learners are people: identity keys (lrs_reporter.identity) where emails, their SHA-1 and
   accounts match, and the keys one staff-list or LMS-export row gives are one person
   (`People`).
4. A learner belongs to every hotel the staff list gives for them; a learner not on the staff
   list belongs to the roster hotel named in the hotel extension of their earliest qualifying
   statement that names one; otherwise they are unmatched.
5. Per hotel: trained, trained_pct (1 decimal, half up), certified (employees > 0 and
   trained/employees >= threshold, compared as exact fractions), needed, certified_on (the UTC
   date of the earliest qualifying statement of the ceil(threshold x employees)-th learner).
   With valid_months, valid_until is the last day of the run from the as-of day on which a
   report with no new training would still certify the hotel (`stays()`: retraining extends
   it; as old statements leave the window the hotel extension may move a learner), and
   to_extend how many more learners must train by then for it to stay certified the day after.
   The threshold is more than 0: at 0 a hotel nobody trained would be certified.
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

    from lrs_reporter.identity import People

COUNTING_VERBS = ("http://adlnet.gov/expapi/verbs/completed",
                  "http://adlnet.gov/expapi/verbs/passed")


@dataclass(frozen=True)
class Options:
    """What to certify against. ValueError when threshold is not in (0, 1] or valid_months < 1."""

    activities: tuple[str, ...]
    as_of: date
    threshold: Fraction = Fraction(3, 5)
    valid_months: int | None = None
    counting_verbs: tuple[str, ...] = COUNTING_VERBS

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be more than 0 and at most 1, got {self.threshold}")
        if self.valid_months is not None and self.valid_months < 1:
            raise ValueError(f"valid_months must be 1 or more, got {self.valid_months}")


def add_months(d: date, months: int) -> date:
    """Calendar months; the day is clipped to the month's length (31 Jan + 1 month = 28 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(d.day, days))


def valid_through(day: date, months: int) -> date:
    """The last as-of day on which training done on UTC day `day` counts with valid_months."""
    target = add_months(day, months)
    if target.day != day.day:  # clipped (31 Jan + 1 month): valid to the end of that month
        return target
    return target - timedelta(days=1)


def counts_on(day: date, as_of: date, months: int | None) -> bool:
    """Rule 1's window in days: training on `day` counts in a report as of `as_of`."""
    return day <= as_of and (months is None or as_of <= valid_through(day, months))


def window(options: Options) -> tuple[datetime, datetime | None]:
    """(end, start): qualifying times t satisfy start <= t < end, both UTC midnights.

    The same days as `counts_on()`: day D counts iff D > add_months(as_of, -N), which is
    as_of <= valid_through(D, N) (tests/reporter/test_rule.py checks this day by day).
    """
    from datetime import UTC

    end = datetime.combine(options.as_of + timedelta(days=1), time(), UTC)
    if options.valid_months is None:
        return end, None
    first_day = add_months(options.as_of, -options.valid_months) + timedelta(days=1)
    return end, datetime.combine(first_day, time(), UTC)


def percent(trained: int, employees: int) -> float | None:
    if employees == 0:
        return None
    exact = Decimal(100 * trained) / Decimal(employees)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def conflicting_duplicates(facts: pd.DataFrame) -> int:
    """Repeated ids whose content differs from the first copy (an LRS or export bug).

    Only rows sharing an id are compared, so the common case (no duplicates) costs one pass.
    """
    shared = facts[facts.duplicated(["id_hi", "id_lo"], keep=False)]
    if shared.empty:
        return 0
    distinct = shared.drop_duplicates([c for c in shared.columns if c != "source"])
    return int(distinct.duplicated(["id_hi", "id_lo"]).sum())


def live_statements(facts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rule 2: drop duplicate ids (the first copy wins), voids and the statements they void.

    duplicates counts repeated ids among the facts, i.e. the statements that can change a
    certification (completed, passed, voided); other verbs are not kept (lrs_reporter.facts).
    """
    import pandas as pd

    dup = facts.duplicated(["id_hi", "id_lo"], keep="first")
    conflicting = conflicting_duplicates(facts) if dup.any() else 0
    f = facts[~dup]
    is_void = (f["verb"] == VOIDED) & f["ref"]
    targets = [split_id(str(o)) for o in f.loc[is_void, "object"].astype(object)]
    keys = pd.MultiIndex.from_arrays([f["id_hi"], f["id_lo"]])
    target_index = pd.MultiIndex.from_tuples(targets, names=keys.names) if targets else None
    voided = (~is_void) & (keys.isin(target_index) if target_index is not None else False)
    return f[~is_void & ~voided], {"duplicates": int(dup.sum()), "voided": int(voided.sum()),
                                   "conflicting_duplicates": conflicting}


def qualifying(facts: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rule 1 over live statements: one row per qualifying statement, sorted by time."""
    live, quality = live_statements(facts)
    counting = live[live["verb"].isin(options.counting_verbs)]
    about = about_course(counting, options.activities)
    quality["other_activities"] = int((~about).sum())
    q = counting[about]
    end, start = window(options)
    in_window = q["time"] < end
    if start is not None:
        in_window &= q["time"] >= start
    q = q[in_window].sort_values(["time", "id_hi", "id_lo"], kind="stable")
    return q, quality


def about_course(facts: pd.DataFrame, activities: tuple[str, ...]) -> pd.Series:
    """Rule 1's "about a counting activity": the object is one, or (cmi5 9.6.2.2, a cmi5 LMS
    gives the AU its own activity id) the statement is cmi5-defined and its grouping holds one
    (facts.cmi5_grouping). Even then, an object that is a module or question of a counting
    activity never counts (DESIGN.md: they hang below the course IRI).

    Judged once per distinct object and grouping (categoricals), not once per statement.
    """
    import numpy as np
    import orjson

    wanted = set(activities)
    direct = facts["object"].isin(activities)
    grouping = facts["grouping"].astype("category")
    in_grouping = np.array([bool(wanted.intersection(orjson.loads(g)))
                            for g in grouping.cat.categories] + [False])  # code -1: none
    via = in_grouping[grouping.cat.codes.to_numpy()]
    if not via.any():
        return direct
    below = tuple(f"{a}/{part}/" for a in activities for part in ("module", "question"))
    objects = facts["object"].astype("category")
    part_of = np.array([str(o).startswith(below) for o in objects.cat.categories] + [False])
    return direct | (via & ~part_of[objects.cat.codes.to_numpy()])


def as_people(q: pd.DataFrame, staff: dict[str, set[str]], people: People | None,
              ) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Rule 3: replace identity keys by person keys in the qualifying rows and the staff list."""
    links = people.mapping() if people is not None else {}
    if not links:
        return q, staff
    actors = q["actor"].astype(object)
    q = q.assign(actor=actors.map(lambda k: links.get(k, k)))
    merged: dict[str, set[str]] = {}
    for key, hotels in staff.items():
        merged.setdefault(links.get(key, key), set()).update(hotels)
    return q, merged


def attribute(q: pd.DataFrame, roster_ids: set[str], staff: dict[str, set[str]],
              ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Rule 4: (hotel_id, learner, time, source) per trained learner and hotel, plus the
    hotel-naming statements of learners off the staff list (for `stays()`).

    time is the learner's earliest qualifying statement, even if it named no hotel (for
    certified_on). `q` is sorted by time.
    """
    import pandas as pd

    first = q.drop_duplicates("actor", keep="first")
    actors = first["actor"].astype(object)
    rows = [(hotel, actor) for actor in actors for hotel in sorted(staff.get(actor, ()))]
    off_staff = q[~q["actor"].astype(object).isin(staff.keys())]
    named = off_staff["hotel"].astype(object)
    on_roster = named.isin(roster_ids)
    unknown = sorted({h for h in named[named.notna() & ~on_roster]})
    naming = off_staff[on_roster].assign(actor=lambda d: d["actor"].astype(object),
                                         hotel=lambda d: d["hotel"].astype(object))
    by_hotel = naming.drop_duplicates("actor", keep="first")
    rows += zip(by_hotel["hotel"], by_hotel["actor"], strict=True)
    columns = ["hotel_id", "learner", "time", "source"]
    if rows:  # each learner's first time and source, taken by position, not row by row
        hotel_ids, names = zip(*rows, strict=True)
        at = pd.Index(actors).get_indexer(names)
        assigned = pd.DataFrame({"hotel_id": list(hotel_ids), "learner": list(names),
                                 "time": first["time"].array.take(at),
                                 "source": first["source"].to_numpy().take(at)},
                                columns=columns)
    else:
        assigned = pd.DataFrame([], columns=columns)
    learners = set(actors)
    matched = set(assigned["learner"])
    quality = {"unmatched_learners": len(learners - matched), "unknown_hotels": len(unknown),
               "unknown_hotel_ids": unknown, "trained_learners": len(matched)}
    return assigned, naming, quality


def stays(q: pd.DataFrame, naming: pd.DataFrame, staff: dict[str, set[str]],
          options: Options) -> pd.DataFrame:
    """With valid_months: (hotel_id, start, end) day ordinals, inclusive, on which each learner
    counts for a hotel in later reports if nobody trains again (for valid_until).

    Statements leave the window a whole valid_through() day at a time, oldest first. A
    staff-listed learner counts for their hotels while any statement is in the window. A
    learner placed by the hotel extension counts, on each day, for the hotel named by the
    earliest statement still in the window that names a roster hotel (rule 4), so the hotel
    can change from one valid_through() day to the next.
    """
    import pandas as pd

    months = options.valid_months
    assert months is not None
    days = q["time"].dt.floor("D")
    lookup = {d: valid_through(d.date(), months).toordinal() for d in days.unique()}
    last_day = days.map(lookup)
    today = options.as_of.toordinal()
    rows = []
    latest = dict(zip(q["actor"].astype(object), last_day, strict=True))  # time order
    for actor, hotels in staff.items():
        if actor in latest:
            rows += [(hotel, today, latest[actor]) for hotel in hotels]
    naming = naming.assign(through=last_day.loc[naming.index])
    firsts = naming.drop_duplicates(["actor", "through"], keep="first")
    start = firsts.groupby("actor")["through"].shift(1, fill_value=today - 1) + 1
    rows += zip(firsts["hotel"], start, firsts["through"], strict=True)
    return pd.DataFrame(rows, columns=["hotel_id", "start", "end"])


def hotel_valid_until(spans: pd.DataFrame, required: int) -> tuple[date, int]:
    """The last day of the run, from the as-of day on, on which at least `required` learners
    count for the hotel (`stays()`): counts only fall the day after a span ends; and how many
    learners short the hotel is the day after (who must train by then to stay certified)."""
    import numpy as np

    starts, ends = np.sort(spans["start"].to_numpy()), np.sort(spans["end"].to_numpy())
    days = np.unique(ends + 1)
    # Learners counting on each candidate day: spans begun by then minus spans already over.
    counting = np.searchsorted(starts, days, "right") - np.searchsorted(ends, days, "left")
    lapse = int(np.argmax(counting < required))
    return date.fromordinal(int(days[lapse]) - 1), required - int(counting[lapse])


def hotel_table(roster: pd.DataFrame, assigned: pd.DataFrame, spans: pd.DataFrame | None,
                options: Options) -> pd.DataFrame:
    """Rule 5, one row per roster hotel."""
    import numpy as np
    import pandas as pd

    # Each hotel's learners as one run of the table sorted by hotel, then time: its length is
    # `trained`, and certified_on is read at one position (not every time made a Timestamp).
    order = assigned.sort_values(["hotel_id", "time"], kind="stable")
    ids, starts, counts = np.unique(order["hotel_id"].to_numpy(dtype=object),
                                    return_index=True, return_counts=True)
    runs = dict(zip(ids.tolist(), zip(starts.tolist(), counts.tolist(), strict=True),
                    strict=True))
    times = order["time"]
    hotel_spans = {h: g for h, g in spans.groupby("hotel_id")} if spans is not None else {}
    th = options.threshold
    rows = []
    for r in roster.itertuples(index=False):
        start, trained = runs.get(r.hotel_id, (0, 0))
        employees = int(r.employees)
        required = math.ceil(th * employees)
        certified = employees > 0 and Fraction(trained, employees) >= th
        certified_on = times.iloc[start + required - 1].date() if certified else None
        valid_until, to_extend = (hotel_valid_until(hotel_spans[r.hotel_id], required)
                                  if certified and spans is not None else (None, None))
        rows.append({
            "hotel_id": r.hotel_id, "name": r.name, "chain": r.chain, "city": r.city,
            "country": r.country, "language": r.language, "employees": employees,
            "trained": trained, "trained_pct": percent(trained, employees),
            "certified": bool(certified), "certified_on": certified_on,
            "valid_until": valid_until,
            "needed": max(0, required - trained) if employees > 0 else None,
            "to_extend": to_extend,
        })
    frame = pd.DataFrame(rows, columns=HOTEL_COLUMNS)
    if "second_language" in roster.columns:  # the certificates' and materials' second page
        frame["second_language"] = roster["second_language"].to_numpy(dtype=object)
    for column in ("trained_pct", "needed", "certified_on", "valid_until", "to_extend"):
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
            options: Options, people: People | None = None) -> Certification:
    """Statements (as facts) + roster + staff list + options -> per-hotel certification.

    staff maps identity keys to hotel ids; people says which keys are one person (the rows of
    the staff list and of LMS exports); without it every key is its own person.
    """
    import pandas as pd

    q, quality = qualifying(facts, options)
    q, staff = as_people(q, staff, people)
    roster_ids = set(roster["hotel_id"])
    assigned, naming, attribution = attribute(q, roster_ids, staff)
    spans = stays(q, naming, staff, options) if options.valid_months else None
    hotels = hotel_table(roster, assigned, spans, options)
    over = hotels.loc[hotels["trained"] > hotels["employees"], "hotel_id"].tolist()
    learners = assigned.assign(
        trained_on=assigned["time"].dt.date if len(assigned) else [],
        source=["lms_export" if s == SOURCE_LMS else "statement" for s in assigned["source"]],
    )[LEARNER_COLUMNS].sort_values(["hotel_id", "learner"], kind="stable").reset_index(drop=True)
    per_learner = assigned.drop_duplicates("learner").assign(
        date=lambda d: d["time"].dt.date if len(d) else [])
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
