"""Benchmark: `noroom sync` from a local LRS against the floor of downloading the same pages.

    .venv/bin/python bench/sync.py [--statements 50000] [--page-size 500] [--rounds 5]

Posts N statements to Learning Locker's xapi-statements (in memory, 127.0.0.1), then, in
alternating rounds, times a plain paged download of every page into memory (httpx, orjson to read
`more`: the floor) and a full sync into a fresh store (parse, check, one transaction per page on
the writer thread while the next pages are fetched). Prints the best and the median round of
each, the ratio of the best rates (the issue's target is sync >= 0.9 x the floor) and of the
medians, and the load average before and after (the machine may be shared). Judges nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402

from lrs_reporter.sync import sync_store  # noqa: E402
from noroom.vocabulary import load_vocabulary  # noqa: E402
from tests.support.lrs import AUTH, HEADERS, start_lrs, stop_lrs  # noqa: E402


def post(client: httpx.Client, endpoint: str, n: int) -> None:
    v = load_vocabulary()
    for start in range(0, n, 500):
        batch = [{"id": str(uuid.uuid4()),
                  "actor": {"mbox": f"mailto:l{(start + i) // 20}@hotel.example"},
                  "verb": {"id": v.verbs["completed" if i % 10 == 0 else "experienced"]},
                  "object": {"id": v.course_iri},
                  "context": {"extensions": {v.hotel_extension: "NL-H-0001"}},
                  "timestamp": "2026-10-01T10:00:00Z"}
                 for i in range(min(500, n - start))]
        client.post(endpoint + "statements", json=batch).raise_for_status()


def floor(client: httpx.Client, endpoint: str, page_size: int) -> tuple[float, int]:
    t0, n = time.perf_counter(), 0
    url = f"{endpoint}statements?ascending=true&limit={page_size}"
    pages = []
    while url:
        body = orjson.loads(client.get(url).content)
        pages.append(body["statements"])
        n += len(body["statements"])
        url = str(httpx.URL(endpoint).join(body["more"])) if body["more"] else ""
    return time.perf_counter() - t0, n


def sync(endpoint: str, page_size: int, store: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = sync_store(store, endpoint, *AUTH, page_size=page_size)
    return time.perf_counter() - t0, result.new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=50000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    floors, syncs = [], []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        lrs = start_lrs(Path(tmp))
        try:
            with httpx.Client(auth=AUTH, headers=HEADERS, timeout=60) as client:
                post(client, lrs.endpoint, args.statements)
                for r in range(args.rounds):
                    floors.append(floor(client, lrs.endpoint, args.page_size))
                    syncs.append(sync(lrs.endpoint, args.page_size, Path(tmp) / f"s{r}.sqlite"))
        finally:
            stop_lrs(lrs)
    n = floors[0][1]
    assert all(s[1] == n for s in syncs), "a sync stored a different number of statements"
    best_floor, best_sync = min(f[0] for f in floors), min(s[0] for s in syncs)
    print(f"statements: {n:,} in pages of {args.page_size}, {args.rounds} alternating rounds")
    for name, runs, best in (("plain paged download (floor)", floors, best_floor),
                             ("noroom sync into a new store", syncs, best_sync)):
        median = statistics.median(r[0] for r in runs)
        print(f"{name}: best {best:6.2f} s {n / best:10,.0f} statements/s; median "
              f"{median:6.2f} s {n / median:10,.0f} statements/s")
    print(f"ratio sync rate / floor rate (best rounds): {best_floor / best_sync:.2f} "
          "(target >= 0.90)")
    medians = statistics.median(f[0] for f in floors) / statistics.median(s[0] for s in syncs)
    print(f"ratio of the median rounds: {medians:.2f}")
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}"
          .format(*load_before, *os.getloadavg()))


if __name__ == "__main__":
    main()
