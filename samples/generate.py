"""Generate the bundled sample programme: roster, staff list, statements and an LMS export.

    python samples/generate.py [--out samples]

Deterministic (seeded): the committed files are exactly what this writes. The data is invented
and messy on purpose, like real programme data: email case variants, hashed emails, LMS
accounts (and staff listed with both an email and an account who complete under each),
voided and duplicated statements, other courses, failed attempts, unknown hotels, broken lines,
an out-of-date roster, a hotel at exactly 60%. Statements are built with the `tincan` package.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from noroom.vocabulary import load_vocabulary  # noqa: E402

SEED = 20261101
LMS_HOME = "https://lms.grachtenhotels.example"
CHAINS = {
    "Grachten Hotels": [("Amsterdam", 8)],
    "Polder Inn Group": [("Utrecht", 3), ("Amersfoort", 3)],
    "Noordzee Resorts": [("Scheveningen", 3), ("Zandvoort", 2)],
    "Kempen Hotels": [("Antwerpen", 2), ("Brussel", 2)],
    "": [("Rotterdam", 2), ("Maastricht", 1), ("Groningen", 1), ("Eindhoven", 1),
         ("Den Haag", 2)],
}
SPECIAL_NAMES = ["Hotel Főváros Amsterdam", "Hotel Łazienki", "Hôtel du Port", "Casa Lisboa",
                 "Hostal Sol"]
SPECIAL_LANGS = ["hu", "pl", "fr", "pt", "es"]


def roster_rows(rng: random.Random) -> list[dict]:
    rows, n, special = [], 0, 0
    for chain, places in CHAINS.items():
        for city, count in places:
            for _ in range(count):
                n += 1
                country = "BE" if city in ("Antwerpen", "Brussel") else "NL"
                name = f"{chain.split()[0] if chain else 'Hotel'} {city} {n:02d}"
                lang = "nl" if country == "NL" else "fr" if city == "Brussel" else "nl"
                if chain == "" and special < len(SPECIAL_NAMES):
                    name, lang = SPECIAL_NAMES[special], SPECIAL_LANGS[special]
                    special += 1
                rows.append({"hotel_id": f"{country}-{city[:3].upper()}-{n:03d}", "name": name,
                             "chain": chain, "city": city, "country": country, "language": lang,
                             "employees": rng.randint(8, 40)})
    # Hand-made edge cases on the first hotels of a few chains.
    rows[0]["employees"] = 10   # exactly 6 trained: certified at 60%
    rows[1]["employees"] = 10   # 5 trained: needs 1 more
    rows[8]["employees"] = 5    # old roster: 7 trained of 5
    rows[-1]["employees"] = 0   # no headcount yet
    return rows


def stamp(day: datetime, rng: random.Random) -> str:
    t = day + timedelta(seconds=rng.randint(0, 86399))
    offset = rng.choice([0, 0, 1, 2, -5])
    local = t.astimezone(tz=__import__("datetime").timezone(timedelta(hours=offset)))
    return local.isoformat(timespec="seconds")


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def as_json(st: Any) -> str:
    """A tincan Statement as the one NDJSON line an LRS export would hold (sorted keys)."""
    return json.dumps(st.as_version("1.0.3"), sort_keys=True, ensure_ascii=False)


def agent(actor: dict) -> Any:
    """Our plain actor dicts (mbox, mbox_sha1sum or account) as a tincan Agent."""
    from tincan import Agent, AgentAccount

    if "account" in actor:
        account = actor["account"]
        return Agent(object_type="Agent", account=AgentAccount(home_page=account["homePage"],
                                                               name=account["name"]))
    return Agent(object_type="Agent", **{k: v for k, v in actor.items() if k != "objectType"})


class Statements:
    """Builds the sample statements with the `tincan` package, as an LMS or our runtime would
    send them (issue 6: use tincan where it fits); only the deliberately broken lines are
    written by hand, because tincan cannot make a statement without an actor."""

    def __init__(self, rng: random.Random, vocab) -> None:  # type: ignore[no-untyped-def]
        self.rng, self.v, self.lines = rng, vocab, []

    def make(self, actor: dict, verb: str, obj: str, when: str, hotel: str | None = None,
             lang: str = "nl", result: dict | None = None) -> dict:
        from tincan import Activity, Context, LanguageMap, Result, Score, Statement, Verb

        context = Context(language=lang, registration=new_id(self.rng))
        if hotel:
            context.extensions = {self.v.hotel_extension: hotel}
        st = Statement(id=new_id(self.rng), actor=agent(actor), timestamp=when, stored=when,
                       verb=Verb(id=self.v.verbs[verb], display=LanguageMap({"en-US": verb})),
                       object=Activity(id=obj, object_type="Activity"), context=context)
        if result:
            score = result.get("score")
            st.result = Result(success=result.get("success"), completion=result.get("completion"),
                               score=Score(scaled=score["scaled"]) if score else None)
        self.lines.append(as_json(st))
        return {"id": st.id}

    def void(self, target: dict, actor: dict, when: str) -> str:
        from tincan import Statement, StatementRef, Verb

        return as_json(Statement(id=new_id(self.rng), actor=agent(actor), timestamp=when,
                                 verb=Verb(id=self.v.verbs["voided"]),
                                 object=StatementRef(id=target["id"])))

    def attempt(self, actor: dict, when: datetime, hotel: str | None, passed: bool = True,
                lang: str = "nl") -> dict | None:
        course = self.v.course_iri
        t0 = stamp(when, self.rng)
        self.make(actor, "initialized", course, t0, hotel, lang)
        self.make(actor, "experienced", self.v.module_iri("signals"), t0, hotel, lang)
        score = self.rng.choice([0.8, 0.9, 1.0]) if passed else 0.5
        res = {"score": {"scaled": score}, "success": passed, "completion": passed}
        if not passed:
            self.make(actor, "failed", course, t0, hotel, lang, res)
            return None
        self.make(actor, "passed", course, t0, hotel, lang, res)
        return self.make(actor, "completed", course, t0, hotel, lang, {"completion": True})


def mbox(email: str) -> dict:
    return {"objectType": "Agent", "mbox": f"mailto:{email}"}


def generate(out: Path) -> None:
    rng = random.Random(SEED)
    vocab = load_vocabulary(ROOT / "course_src" / "course.yaml")
    roster = roster_rows(rng)
    staff, sts, lms = [], Statements(rng, vocab), []
    start = datetime(2025, 1, 6, tzinfo=UTC)
    for i, hotel in enumerate(roster):
        hid, n = hotel["hotel_id"], hotel["employees"]
        listed = max(n, 7) if i == 8 else n
        share = {0: 0.6, 1: 0.5, 8: 1.0}.get(i, rng.choice([0.3, 0.45, 0.55, 0.62, 0.7, 0.85]))
        trained = round(listed * share) if i != 8 else 7
        for k in range(listed):
            email = f"staff{k:02d}.{hid.lower()}@example.org"
            uses_account = hotel["chain"] == "Grachten Hotels" and k % 3 == 0
            # Every sixth Grachten employee is listed with both their email and LMS account:
            # one person, however many identities (they complete under both, below).
            both = uses_account and k % 2 == 0
            staff.append({"hotel_id": hid, "email": email if both or not uses_account else "",
                          "account_homepage": LMS_HOME if uses_account else "",
                          "account_name": f"E{i:02d}{k:03d}" if uses_account else "",
                          "role": rng.choice(["frontdesk", "housekeeping", "night", "security",
                                              "maintenance", "bar"])})
            if k >= trained:
                if rng.random() < 0.3:  # started, failed, never passed
                    sts.attempt(mbox(email), start + timedelta(days=rng.randint(0, 600)), hid,
                                passed=False)
                continue
            when = start + timedelta(days=rng.randint(0, 640))
            if uses_account:
                actor = {"objectType": "Agent", "account": {
                    "homePage": LMS_HOME + ("/" if k % 2 else ""), "name": f"E{i:02d}{k:03d}"}}
            elif k % 7 == 3:  # the LMS sends a hashed email
                sha = hashlib.sha1(f"mailto:{email}".encode()).hexdigest()  # noqa: S324
                actor = {"objectType": "Agent", "mbox_sha1sum": sha}
            elif k % 5 == 1:  # the same person typed with capitals
                actor = mbox(email.upper())
            else:
                actor = mbox(email)
            if k % 11 == 4:  # failed once before passing
                sts.attempt(actor, when - timedelta(days=2), hid, passed=False)
            done = sts.attempt(actor, when, hid)
            if both:  # the same person again, from the runtime with their email
                sts.attempt(mbox(email), when + timedelta(days=3), hid)
            if k % 13 == 5 and done:  # an exact duplicate line, as LMS exports sometimes send
                sts.lines.append(sts.lines[-1])
    # Voids: one void placed before the statement it voids, one after; a voided person retrains.
    h = roster[2]["hotel_id"]
    victim = sts.attempt(mbox(f"voided.person@{h.lower()}.example.org"), start, h)
    admin = mbox("admin@programme.example.org")
    sts.lines.insert(0, sts.void(victim, admin, stamp(start, rng)))
    victim2 = sts.attempt(mbox("second.voided@example.org"), start, roster[3]["hotel_id"])
    sts.lines.append(sts.void(victim2, admin, stamp(start, rng)))
    # Learners not on any staff list: with a roster hotel, an unknown hotel, and none.
    sts.attempt(mbox("walk.in@example.org"), start + timedelta(days=30), roster[4]["hotel_id"])
    sts.attempt(mbox("temp.worker@example.org"), start + timedelta(days=31), "NL-XXX-999")
    sts.attempt(mbox("no.hotel@example.org"), start + timedelta(days=32), None)
    # Another course entirely, and a module activity that must never count.
    sts.make(mbox("other@example.org"), "completed", "https://example.org/courses/fire-safety",
             stamp(start, rng), roster[5]["hotel_id"])
    sts.make(mbox("staff00.x@example.org"), "completed", vocab.module_iri("signals"),
             stamp(start, rng), roster[5]["hotel_id"])
    # Broken lines: not JSON, and a statement without an actor.
    sts.lines.append('{"id": "broken", "verb": ')
    sts.lines.append(json.dumps({"id": new_id(rng),
                                 "verb": {"id": vocab.verbs["completed"]},
                                 "object": {"id": vocab.course_iri}}))
    # A completion after the demo's as-of day (2026-11-01) must not count yet.
    sts.attempt(mbox(f"staff00.{roster[6]['hotel_id'].lower()}@example.org"),
                datetime(2026, 11, 20, tzinfo=UTC), roster[6]["hotel_id"])
    # LMS export for a chain whose LMS does not report to the LRS.
    target = roster[12]
    for k, status in enumerate(["completed", "passed", "Completed", "incomplete", "failed",
                                "not attempted", "browsed", "passed"]):
        email = f"staff{20 + k:02d}.{target['hotel_id'].lower()}@example.org"
        staff.append({"hotel_id": target["hotel_id"], "email": email, "account_homepage": "",
                      "account_name": "", "role": "housekeeping"})
        lms.append({"email": email, "account_homepage": "", "account_name": "",
                    "status": status, "completed_at": f"2026-0{3 + k % 6}-1{k}",
                    "hotel_id": target["hotel_id"]})
    target["employees"] += 8
    write(out, roster, staff, sts.lines, lms)


def write(out: Path, roster: list, staff: list, lines: list, lms: list) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("roster.csv", roster), ("staff.csv", staff), ("lms_export.csv", lms)):
        with (out / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    (out / "statements.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    generate(parser.parse_args().out)
