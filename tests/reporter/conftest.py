"""Builders for small, readable reporter fixtures."""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest

from lrs_reporter.certify import Options, certify
from lrs_reporter.facts import FactBuilder
from lrs_reporter.files import ROSTER_COLUMNS
from lrs_reporter.identity import People, staff_keys
from noroom.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
COURSE = VOCAB.course_iri
HOTEL_EXT = VOCAB.hotel_extension
VERB = "http://adlnet.gov/expapi/verbs/"


def statement(who: Any = "ann@example.org", verb: str = "completed", when: str =
              "2026-05-01T10:00:00Z", hotel: str | None = None, obj: str = COURSE,
              sid: str | None = None) -> dict[str, Any]:
    """A statement built with the `tincan` package, as an LMS or our runtime would send it."""
    from tincan import Activity, Agent, Context, Statement, Verb

    actor = Agent(mbox=f"mailto:{who}") if isinstance(who, str) else Agent(**who)
    st = Statement(id=sid or str(uuid.uuid4()), actor=actor, verb=Verb(id=VERB + verb),
                   object=Activity(id=obj), timestamp=when)
    if hotel:
        st.context = Context(extensions={HOTEL_EXT: hotel})
    return st.as_version("1.0.3")


def void(target: dict[str, Any], when: str = "2026-06-01T00:00:00Z") -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:admin@example.org"},
            "verb": {"id": VERB + "voided"}, "timestamp": when,
            "object": {"objectType": "StatementRef", "id": target["id"]}}


def roster(*hotels: tuple[str, int], chain: str = "C", language: str = "nl") -> pd.DataFrame:
    return pd.DataFrame([{"hotel_id": h, "name": f"Hotel {h}", "chain": chain, "city": "Town",
                          "country": "NL", "language": language, "employees": n}
                         for h, n in hotels], columns=ROSTER_COLUMNS)


def staff(*rows: tuple[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for hotel, email in rows:
        for key in staff_keys(email, "", ""):
            out.setdefault(key, set()).add(hotel)
    return out


def run(statements: list[dict[str, Any]], hotels: pd.DataFrame,
        staff_list: dict[str, set[str]] | None = None, as_of: str = "2026-11-01",
        threshold: str = "0.6", valid_months: int | None = None,
        people: People | None = None, facts: FactBuilder | None = None):  # type: ignore[no-untyped-def]
    """certify() over these statements; every statement must be usable (none invalid)."""
    facts = facts or FactBuilder(HOTEL_EXT)
    for st in statements:
        assert facts.add(st) is None, st
    return certify(facts.frame(), hotels, staff_list or {},
                   Options((COURSE,), date.fromisoformat(as_of), Fraction(threshold),
                           valid_months), people)


def hotel(cert, hotel_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    row = cert.hotels.set_index("hotel_id").loc[hotel_id]
    plain = {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
    return {k: (None if (isinstance(v, float) and v != v) else v) for k, v in plain.items()}


@pytest.fixture
def course() -> str:
    return COURSE
