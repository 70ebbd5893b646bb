"""Benchmark: `noroom sync` from a local LRS against the floor of downloading the same pages.

    .venv/bin/python bench/sync.py [--statements 20000] [--page-size 500]

Posts N statements to Learning Locker's xapi-statements (in memory, 127.0.0.1), then times a plain
paged download of every page into memory with httpx (the floor) and a full sync into a fresh
store (parse, reduce, one transaction per page). Prints statements/s and the ratio of the two
rates; the issue's target is sync >= 0.9 x the floor. Judges nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from lrs_reporter.sync import sync_store  # noqa: E402
from noroom.vocabulary import load_vocabulary  # noqa: E402
from tests.support.lrs import AUTH, HEADERS, start_lrs, stop_lrs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()
    v = load_vocabulary()
    with tempfile.TemporaryDirectory() as tmp:
        lrs = start_lrs(Path(tmp))
        try:
            with httpx.Client(auth=AUTH, headers=HEADERS, timeout=60) as client:
                for start in range(0, args.statements, 500):
                    batch = [{"id": str(uuid.uuid4()),
                              "actor": {"mbox": f"mailto:l{(start + i) // 20}@hotel.example"},
                              "verb": {"id": v.verbs["completed" if i % 10 == 0 else
                                                     "experienced"]},
                              "object": {"id": v.course_iri},
                              "context": {"extensions": {v.hotel_extension: "NL-H-0001"}},
                              "timestamp": "2026-10-01T10:00:00Z"}
                             for i in range(min(500, args.statements - start))]
                    client.post(lrs.endpoint + "statements", json=batch).raise_for_status()
                t0, n = time.perf_counter(), 0
                url = f"{lrs.endpoint}statements?ascending=true&limit={args.page_size}"
                pages = []
                while url:
                    body = client.get(url).json()
                    pages.append(body["statements"])
                    n += len(body["statements"])
                    url = str(httpx.URL(lrs.endpoint).join(body["more"])) if body["more"] else ""
                floor = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = sync_store(Path(tmp) / "store.sqlite", lrs.endpoint, "k", "s",
                                page_size=args.page_size)
            sync = time.perf_counter() - t0
        finally:
            stop_lrs(lrs)
    print(f"statements: {n:,} in pages of {args.page_size}")
    print(f"plain paged download (floor): {floor:6.2f} s  {n / floor:10,.0f} statements/s")
    print(f"noroom sync into a new store: {sync:6.2f} s  {result.fetched / sync:10,.0f} "
          f"statements/s  ({result.new:,} stored)")
    print(f"ratio sync rate / floor rate: {floor / sync:.2f} (target >= 0.90)")


if __name__ == "__main__":
    main()
