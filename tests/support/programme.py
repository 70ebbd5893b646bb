"""A large invented programme for the dashboard tests (issue 17 §1: 2,000 hotels), written as
the files `noroom report` reads, so the page under test comes from the real pipeline.

    write_programme(folder, hotels=2000) -> {"roster": ..., "staff": ..., "statements": ...}

Deterministic: the same seed gives the same files. Shares trained are spread over 0-100 % (a
few hotels over 100 % and one with 0 employees, as real rosters have); learners trained over
the last three years, so with 24 months' validity some certified hotels lapse soon. Hotel
names may be given (`names`) to put hostile ones on the page.
"""

from __future__ import annotations

import csv
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from noroom.vocabulary import load_vocabulary

SEED = 17
AS_OF = "2026-11-01"
COUNTRIES = {"NL": ("nl", ["Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Groningen"]),
             "BE": ("nl", ["Antwerpen", "Gent", "Brussel"]),
             "FR": ("fr", ["Paris", "Lyon", "Lille"]),
             "PL": ("pl", ["Warszawa", "Kraków", "Gdańsk"]),
             "HU": ("hu", ["Budapest", "Debrecen"]),
             "PT": ("pt", ["Lisboa", "Porto"]),
             "ES": ("es", ["Madrid", "Sevilla", "Valencia"])}
CHAINS = [f"{w} Hotels" for w in ("Atlas", "Beacon", "Cedar", "Delta", "Elm", "Fjord", "Grove",
                                   "Harbour", "Iris", "Juniper", "Kestrel", "Lotus")] + [""]
VERB = "http://adlnet.gov/expapi/verbs/completed"


def roster_rows(rng: random.Random, count: int, names: list[str]) -> list[dict]:
    rows = []
    for n in range(count):
        country = rng.choice(sorted(COUNTRIES))
        language, cities = COUNTRIES[country]
        city = rng.choice(cities)
        chain = rng.choice(CHAINS)
        name = names[n] if n < len(names) else f"{(chain or 'Hotel ').split()[0]} {city} {n:04d}"
        rows.append({"hotel_id": f"{country}-{city[:3].upper()}-{n:04d}", "name": name,
                     "chain": chain, "city": city, "country": country, "language": language,
                     "employees": rng.randint(4, 60)})
    if count > 2:
        rows[-1]["employees"] = 0  # no headcount yet
    return rows


def trained_count(rng: random.Random, employees: int) -> int:
    """Spread over every share, more hotels near and above the threshold than far below."""
    share = min(rng.betavariate(2.2, 1.6) * 1.08, 1.15)  # a few over 100 %: an old roster
    return round(share * max(employees, 3))


def statements_of(rng: random.Random, row: dict, course: str, extension: str) -> list[dict]:
    start = datetime(2023, 12, 1, tzinfo=UTC)
    out = []
    for i in range(trained_count(rng, row["employees"])):
        when = start + timedelta(days=rng.randint(0, 1065), seconds=rng.randint(0, 86399))
        out.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "actor": {"mbox": f"mailto:s{i}.{row['hotel_id'].lower()}@example.org"},
                    "verb": {"id": VERB}, "object": {"id": course},
                    "context": {"extensions": {extension: row["hotel_id"]}},
                    "timestamp": when.isoformat(timespec="seconds")})
    return out


def write_programme(folder: Path, hotels: int = 2000, seed: int = SEED,
                    names: list[str] | None = None) -> dict[str, Path]:
    """roster.csv and statements.ndjson for `hotels` hotels in `folder`; returns their paths."""
    rng = random.Random(seed)
    vocab = load_vocabulary()
    rows = roster_rows(rng, hotels, names or [])
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"roster": folder / "roster.csv", "statements": folder / "statements.ndjson"}
    with paths["roster"].open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with paths["statements"].open("w", encoding="utf-8") as f:
        for row in rows:
            for st in statements_of(rng, row, vocab.course_iri, vocab.hotel_extension):
                f.write(json.dumps(st, sort_keys=True) + "\n")
    return paths
