"""Benchmark: `noroom report` on generated statements, against the floor of parsing the same
NDJSON with orjson and nothing else, and against parsing with the `tincan` package.

    .venv/bin/python bench/report.py --sizes 100000,1000000 [--tincan-sample 50000]

Each measurement runs in a fresh process, so peak RSS is that step's own. Files go to bench/out/
(git-ignored). Prints figures; judges nothing. Targets (issue 6): report <= 2x the floor,
>= 20x faster than tincan, 10M statements in <= 2 GB RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def generate(path: Path, n: int, hotels: int = 2000) -> None:
    """n statements in the shape the course sends per attempt: initialized, 13 pages experienced,
    10 questions answered, passed, completed, terminated (2 of 27 can count)."""
    from noroom.vocabulary import load_vocabulary

    v = load_vocabulary()
    rng = random.Random(n)
    verbs = (["initialized"] + ["experienced"] * 13 + ["answered"] * 10
             + ["passed", "completed", "terminated"])
    with path.open("w") as fh:
        for i in range(n):
            learner = i // len(verbs)
            verb = verbs[i % len(verbs)]
            obj = v.course_iri if verb in ("initialized", "passed", "completed",
                                           "terminated") else (
                v.module_iri("signals") if verb == "experienced" else v.question_iri("q-dnd"))
            day = 1 + rng.randrange(28)
            st = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                  "actor": {"objectType": "Agent", "mbox": f"mailto:l{learner}@hotel.example"},
                  "verb": {"id": v.verbs[verb], "display": {"en-US": verb}},
                  "object": {"objectType": "Activity", "id": obj,
                             "definition": {"name": {"en-US": "No Room"}}},
                  "result": {"score": {"scaled": 0.9}, "success": True, "completion": True},
                  "context": {"registration": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                              "language": "nl",
                              "extensions": {v.hotel_extension: f"NL-H-{learner % hotels:04d}"},
                              "contextActivities": {"parent": [{"id": v.course_iri}]}},
                  "timestamp": f"2026-{1 + rng.randrange(10):02d}-{day:02d}T10:00:00+01:00",
                  "stored": "2026-11-01T00:00:00.000Z",
                  "authority": {"objectType": "Agent", "mbox": "mailto:lrs@example.org"},
                  "version": "1.0.3"}
            fh.write(json.dumps(st) + "\n")
    roster = path.with_suffix(".roster.csv")
    with roster.open("w") as fh:
        fh.write("hotel_id,name,chain,city,country,language,employees\n")
        for h in range(hotels):
            fh.write(f"NL-H-{h:04d},Hotel {h},Chain {h % 20},City,NL,nl,{40 + h % 30}\n")


# ---- measured steps, each in its own process ------------------------------------------------

def step_floor(path: Path) -> int:
    import orjson

    n = 0
    with path.open("rb") as fh:
        for line in fh:
            orjson.loads(line)
            n += 1
    return n


def step_tincan(path: Path, limit: int) -> int:
    from tincan import Statement

    n = 0
    with path.open() as fh:
        for line in fh:
            Statement.from_json(line)
            n += 1
            if n >= limit:
                break
    return n


def step_report(path: Path, store: Path | None = None) -> int:
    from click.testing import CliRunner

    from noroom.cli import cli

    args = ["report", "--roster", str(path.with_suffix(".roster.csv")), "--as-of", "2026-11-01",
            "--out", str(OUT / "report")]
    args += ["--store", str(store)] if store else ["--statements", str(path)]
    result = CliRunner().invoke(cli, args)
    if result.exit_code:
        raise SystemExit(result.output)
    return int(result.output.split(";")[1].split()[0].replace(",", ""))


def step_load_store(path: Path, store: Path) -> int:
    """Fill a store from the NDJSON (setup for the store measurement, also timed)."""
    import orjson

    from lrs_reporter.store import Store, statement_row

    store.unlink(missing_ok=True)
    n = 0
    with Store.open(store) as s, path.open("rb") as fh:
        batch = []
        for line in fh:
            batch.append(statement_row(orjson.loads(line)))
            n += 1
            if len(batch) == 50_000:
                s.add_page(batch, {})
                batch = []
        s.add_page(batch, {})
    return n


def child(args: list[str]) -> None:
    name, path = args[0], Path(args[1])
    t0 = time.perf_counter()
    if name == "floor":
        n = step_floor(path)
    elif name == "tincan":
        n = step_tincan(path, int(args[2]))
    elif name == "report":
        n = step_report(path)
    elif name == "store-fill":
        n = step_load_store(path, Path(args[2]))
    else:
        n = step_report(path, Path(args[2]))
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "seconds": seconds, "rss_mb": rss}))


def measure(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--tincan-sample", type=int, default=20000)
    parser.add_argument("--skip-store", action="store_true",
                        help="Only the NDJSON path (the store steps take longest at 10M).")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{'statements':>11} {'step':<22} {'seconds':>8} {'stmt/s':>10} {'ratio':>7} "
          f"{'peak RSS MB':>12}")
    for n in (int(s) for s in args.sizes.split(",")):
        path = OUT / f"statements-{n}.ndjson"
        if not path.exists() or not path.with_suffix(".roster.csv").exists():
            generate(path, n)
        store = OUT / f"store-{n}.sqlite"
        floor = measure("floor", str(path))
        rows = [("floor: orjson parse only", floor)]
        rows.append(("report from NDJSON", measure("report", str(path))))
        if not args.skip_store:
            rows.append(("fill store (sync path)",
                         measure("store-fill", str(path), str(store))))
            rows.append(("report from store", measure("store", str(path), str(store))))
        sample = measure("tincan", str(path), str(min(args.tincan_sample, n)))
        rows.append((f"tincan parse ({sample['n']} sample)", sample))
        for name, r in rows:
            rate = r["n"] / r["seconds"]
            ratio = r["seconds"] / r["n"] / (floor["seconds"] / floor["n"])
            print(f"{n:>11,} {name:<22} {r['seconds']:>8.2f} {rate:>10,.0f} {ratio:>6.1f}x "
                  f"{r['rss_mb']:>12,.0f}")
    print("ratio = seconds per statement / the floor's; report target <= 2.0x, tincan >= 20x")


if __name__ == "__main__":
    main()
