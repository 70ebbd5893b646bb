"""An independent check: random programmes, the report against a deliberately simple reference
implementation of the rule written here from the issue's text."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import COURSE, HOTEL_EXT, VERB, roster, run, staff

AS_OF = date(2026, 6, 30)
PEOPLE = ["ann", "bob", "cem", "dia", "eva", "fay"]
HOTELS = ["A", "B", "C"]


def reference(statements, hotels, staff_rows, threshold):  # type: ignore[no-untyped-def]
    """Rule 1-5, written plainly: loops and dicts, no pandas, no cleverness."""
    by_id = {}
    for s in statements:
        by_id.setdefault(s["id"], s)
    unique = list(by_id.values())
    voided = {s["object"]["id"] for s in unique if s["verb"]["id"] == VERB + "voided"
              and s["object"].get("objectType") == "StatementRef"}
    end = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC) + timedelta(days=1)
    first = {}
    for s in unique:
        if s["verb"]["id"] == VERB + "voided" or s["id"] in voided:
            continue
        if s["verb"]["id"] not in (VERB + "completed", VERB + "passed"):
            continue
        if s["object"]["id"] != COURSE:
            continue
        t = datetime.fromisoformat(s["timestamp"])
        if t >= end:
            continue
        who = s["actor"]["mbox"].lower()
        hotel = s.get("context", {}).get("extensions", {}).get(HOTEL_EXT)
        if who not in first or t < first[who][0]:
            first[who] = (t, hotel)
    listed = {}
    for hotel, email in staff_rows:
        listed.setdefault("mailto:" + email.lower(), set()).add(hotel)
    members = {h: [] for h, _ in hotels}
    for who, (t, hotel) in first.items():
        if who in listed:
            targets = listed[who]
        else:
            # earliest qualifying statement naming a roster hotel
            named = sorted((datetime.fromisoformat(s["timestamp"]), s["context"]["extensions"]
                            [HOTEL_EXT]) for s in unique
                           if s["verb"]["id"] in (VERB + "completed", VERB + "passed")
                           and s["id"] not in voided and s["object"]["id"] == COURSE
                           and s["actor"]["mbox"].lower() == who
                           and datetime.fromisoformat(s["timestamp"]) < end
                           and s.get("context", {}).get("extensions", {}).get(HOTEL_EXT)
                           in members)
            targets = {named[0][1]} if named else set()
        for hotel in targets:
            members[hotel].append(t)
    out = {}
    for hotel, employees in hotels:
        times = sorted(members[hotel])
        certified = employees > 0 and Fraction(len(times), employees) >= threshold
        k = math.ceil(threshold * employees)
        out[hotel] = (len(times), certified,
                      times[k - 1].astimezone(UTC).date() if certified and k else None)
    return out


@st.composite
def programmes(draw):  # type: ignore[no-untyped-def]
    hotels = [(h, draw(st.integers(0, 5))) for h in HOTELS[:draw(st.integers(1, 3))]]
    statements = []
    for n in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["completed", "passed", "failed", "voided", "dup"]))
        if kind == "dup" and statements:
            statements.append(dict(draw(st.sampled_from(statements))))
            continue
        if kind == "voided" and statements:
            target = draw(st.sampled_from(statements))
            statements.append({"id": f"v{n}", "actor": {"mbox": "mailto:admin@x.org"},
                               "verb": {"id": VERB + "voided"}, "timestamp": "2026-01-01T00:00:00Z",
                               "object": {"objectType": "StatementRef", "id": target["id"]}})
            continue
        person = draw(st.sampled_from(PEOPLE))
        email = draw(st.sampled_from([person, person.upper(), person.title()])) + "@x.org"
        day = draw(st.sampled_from(["2026-06-29", "2026-06-30", "2026-07-01"]))
        hour = draw(st.integers(0, 23))
        zone = draw(st.sampled_from(["Z", "+02:00", "-05:00"]))
        s = {"id": f"s{n}", "actor": {"mbox": f"mailto:{email}"},
             "verb": {"id": VERB + ("completed" if kind == "dup" else kind)},
             "object": {"id": draw(st.sampled_from([COURSE, COURSE, "https://other/x"]))},
             "timestamp": f"{day}T{hour:02d}:00:00{zone}"}
        hotel = draw(st.sampled_from(HOTELS + ["ZZ", None]))
        if hotel:
            s["context"] = {"extensions": {HOTEL_EXT: hotel}}
        statements.append(s)
    staff_rows = [(draw(st.sampled_from([h for h, _ in hotels])), p + "@x.org")
                  for p in draw(st.lists(st.sampled_from(PEOPLE), unique=True, max_size=4))]
    threshold = draw(st.sampled_from([Fraction(3, 5), Fraction(1, 2), Fraction(7, 100),
                                      Fraction(1, 3)]))
    return hotels, statements, staff_rows, threshold


@settings(max_examples=300, deadline=None)
@given(programmes())
def test_report_matches_the_simple_reference(programme):
    hotels, statements, staff_rows, threshold = programme
    cert = run(statements, roster(*hotels), staff(*staff_rows), as_of=AS_OF.isoformat(),
               threshold=str(threshold))
    got = {r.hotel_id: (int(r.trained), bool(r.certified), r.certified_on)
           for r in cert.hotels.itertuples()}
    assert got == reference(statements, hotels, staff_rows, threshold)
