"""Data quality in plain sentences, each saying what to do (issue 17 §1), for the dashboard (which
is often e-mailed alone, so it names hotels and codes itself) and the workbook.

    warnings(cert) -> ["2 hotels have 0 employees in the roster ...", ...]
    measures(cert) -> [("Statements and export rows read", 1843), ...]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrs_reporter.outputs.tables import clean

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

LISTED = 10  # hotels or codes named in one sentence; the rest are counted
LABELS = {
    "statements_read": "Statements read",
    "lms_export_rows": "LMS export rows read",
    "lms_export_not_completed": "LMS export rows not completed or passed",
    "invalid": "Statements or rows skipped as unusable",
    "duplicates": "Statements sent more than once (counted once)",
    "conflicting_duplicates": "Statements sent again with different content",
    "voided": "Statements voided",
    "other_activities": "Completions of other activities (not counted)",
    "qualifying_statements": "Statements that count",
    "trained_learners": "Trained learners in roster hotels",
    "unmatched_learners": "Trained learners in no roster hotel",
    "unknown_hotels": "Hotel codes in statements not on the roster",
    "unknown_hotel_ids": "Those hotel codes",
    "hotels_over_100pct": "Hotels with more trained than employees",
    "hotels_over_100pct_ids": "Those hotels",
}


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def listed(items: list[str]) -> str:
    """"A, B and C"; beyond LISTED items, "A, B, ... and 12 more"."""
    shown = items[:LISTED]
    rest = len(items) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def warnings(cert: Certification) -> list[str]:
    """One sentence per problem found, with what to do about it; [] when there is none."""
    dq, hotels = cert.data_quality, cert.hotels
    names = {str(h): f"{clean(str(n))} ({clean(str(h))})"
             for h, n in zip(hotels["hotel_id"], hotels["name"], strict=True)}
    out = []
    if dq.get("invalid"):
        n = dq["invalid"]
        out.append(f"{plural(n, 'statement or LMS export row', 'statements or LMS export rows')}"
                   f" could not be read and {'was' if n == 1 else 'were'} skipped (listed at "
                   "the end of this page). Ask whoever sends them, the LRS or the LMS, to correct "
                   "them; a learner among them may be missing from the counts.")
    if dq.get("unmatched_learners"):
        n = dq["unmatched_learners"]
        out.append(f"{plural(n, 'trained learner belongs', 'trained learners belong')} to no "
                   "hotel on the roster. Add them to the staff list, or check the hotel code "
                   "in their course link.")
    if dq.get("unknown_hotel_ids"):
        codes = [clean(str(c)) for c in dq["unknown_hotel_ids"]]
        out.append(f"Statements name {plural(len(codes), 'hotel code', 'hotel codes')} that "
                   f"{'is' if len(codes) == 1 else 'are'} not on the roster: {listed(codes)}. "
                   "Add the hotel to the roster, or correct the code in the course link.")
    if dq.get("conflicting_duplicates"):
        n = dq["conflicting_duplicates"]
        out.append(f"{plural(n, 'statement was', 'statements were')} sent again with different "
                   "content; the first copy read counts. Ask the LRS or LMS vendor why.")
    over = [names.get(str(h), clean(str(h))) for h in dq.get("hotels_over_100pct_ids", [])]
    if over:
        out.append(f"{plural(len(over), 'hotel has', 'hotels have')} more trained learners than "
                   f"registered employees: {listed(over)}. Update their number of employees in "
                   "the roster.")
    empty = [names[str(h)] for h in hotels.loc[hotels["employees"] == 0, "hotel_id"]]
    if empty:
        out.append(f"{plural(len(empty), 'hotel has', 'hotels have')} 0 employees in the roster "
                   f"and cannot be certified: {listed(empty)}. Enter their number of employees "
                   "in the roster.")
    return out


def measures(cert: Certification) -> list[tuple[str, object]]:
    """(plain label, value) of every data-quality figure, in a fixed order; lists joined."""
    dq = cert.data_quality
    keys = [k for k in LABELS if k in dq] + sorted(k for k in dq if k not in LABELS)
    return [(LABELS.get(k, k), clean(", ".join(map(str, dq[k])) if isinstance(dq[k], list)
                                     else dq[k])) for k in keys]
