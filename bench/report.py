"""Benchmark: `noroom report` on generated statements.

    .venv/bin/python bench/report.py --sizes 100000,1000000 [--tincan-sample 50000]
    .venv/bin/python bench/report.py --sizes "" --scale 1000000,10000000,50000000 \
        [--dask-size 10000000]

Issue 6 (`--sizes`): NDJSON files in the real shape; the report from NDJSON and from the store
against the floor of parsing the same NDJSON with orjson and nothing else, and against parsing
with the `tincan` package; then, in another process, the same work timed by phase (read, rule,
outputs, certificates), whose cost follows the hotels certified rather than the statements.
Targets: report <= 2x the floor, >= 20x faster than tincan.

Issue 7 (`--scale`): a store and a Parquet export generated directly (vectorised, no NDJSON: at
50M statements the JSON text alone would take longer to write than the measurement), with the
same statements in both; the report computation (read, rule, certification.json) from the store
and from Parquet, each against its floor measured in the same run (the store: iterating the same
rows out of SQLite; Parquet: pyarrow reading the same columns with the same filter), the growth
of the time from the smallest to each larger size (linear: the size ratio), and at `--dask-size`
the Dask engine on a 2-worker LocalCluster against the default engine. Targets: 10M statements
in <= 20 s and <= 2 GB RSS on a 2-core machine.

Each measurement runs in a fresh process, so peak RSS is that step's own (for Dask, also the
largest worker's). Files go to bench/out/ (git-ignored). Prints figures; judges nothing.
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


HOTELS_NDJSON = 1700  # the programme's size (issue 14, item 6)


def generate(path: Path, n: int, hotels: int = HOTELS_NDJSON) -> None:
    """n statements in the shape the course sends per attempt: initialized, 13 pages experienced,
    10 questions answered, passed, completed, terminated (2 of 27 can count); a roster whose
    headcounts certify about half the hotels at 1M, and a staff list naming every employee
    (learner l<k> works at hotel k mod hotels)."""
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
    learners = -(-n // len(verbs))
    per_hotel = max(1, learners // hotels)
    languages = ["nl", "en", "pl", "fr", "hu", "pt", "es"]
    employees = [int(per_hotel * (1.3 + (h % 10) / 10)) for h in range(hotels)]
    with path.with_suffix(".roster.csv").open("w") as fh:
        fh.write("hotel_id,name,chain,city,country,language,employees\n")
        for h in range(hotels):
            fh.write(f"NL-H-{h:04d},Hotel {h},Chain {h % 20},City,NL,{languages[h % 7]},"
                     f"{employees[h]}\n")
    with path.with_suffix(".staff.csv").open("w") as fh:
        fh.write("hotel_id,email,account_homepage,account_name,role\n")
        for h in range(hotels):
            for k in range(employees[h]):
                fh.write(f"NL-H-{h:04d},l{h + k * hotels}@hotel.example,,,staff\n")


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
            "--staff", str(path.with_suffix(".staff.csv")), "--out", str(OUT / "report")]
    args += ["--store", str(store)] if store else ["--statements", str(path)]
    result = CliRunner().invoke(cli, args)
    if result.exit_code:
        raise SystemExit(result.output)
    return int(result.output.split(";")[1].split()[0].replace(",", ""))


def step_phases(path: Path) -> dict:
    """Where the report's time goes: the same work as `noroom report --statements`, timed by
    phase (reading the NDJSON into facts, the rule, every output; the certificates apart)."""
    from datetime import date

    from lrs_reporter.certify import Options, certify
    from lrs_reporter.facts import FactBuilder
    from lrs_reporter.files import ReadLog, read_roster, read_staff, read_statement_file
    from lrs_reporter.identity import People
    from lrs_reporter.outputs import writers
    from lrs_reporter.outputs.pdf import CertificatesOutput
    from noroom.vocabulary import load_vocabulary

    v = load_vocabulary()
    times = {}
    t0 = time.perf_counter()
    facts, log = FactBuilder(v.hotel_extension), ReadLog()
    read_statement_file(path, facts, log)
    times["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    people = People()
    roster = read_roster(path.with_suffix(".roster.csv"))
    staff = read_staff(path.with_suffix(".staff.csv"), set(roster["hotel_id"]), people)
    cert = certify(facts.frame(), roster, staff,
                   Options(activities=(v.course_iri,), as_of=date(2026, 11, 1)), people)
    times["rule"] = time.perf_counter() - t0
    out = OUT / "report-phases"
    out.mkdir(parents=True, exist_ok=True)
    times["outputs"] = times["certificates"] = 0.0
    for writer in writers():
        t0 = time.perf_counter()
        writer.write(cert, out, False)
        spent = time.perf_counter() - t0
        times["outputs"] += spent
        if isinstance(writer, CertificatesOutput):
            times["certificates"] = spent
    return {"n": log.statements_read, "certified": int(cert.hotels["certified"].sum()), **times}


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


# ---- issue 7: generated store and Parquet at scale ------------------------------------------

SHAPE = (["initialized"] + ["experienced"] * 13 + ["answered"] * 10
         + ["passed", "completed", "terminated"])
HOTELS = 2000
CHUNK = 1_000_000
ID_PREFIX = "6f1c2a9e-5b3d-4e7a-9c1b-"  # + 12 hex digits of the statement number
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in microseconds


def scale_chunk(start: int, count: int):  # type: ignore[no-untyped-def]
    """Statements start .. start+count-1 as column arrays, the same for the store and Parquet:
    27 per attempt in the course's shape, one attempt per learner, learners spread over the
    hotels, times over ten months of 2026."""
    import hashlib

    import numpy as np

    from noroom.vocabulary import load_vocabulary

    v = load_vocabulary()
    i = np.arange(start, start + count, dtype=np.int64)
    verbs = [v.verbs[name] for name in dict.fromkeys(SHAPE)]
    shape = np.array([list(dict.fromkeys(SHAPE)).index(x) for x in SHAPE], dtype=np.int32)
    verb = shape[i % len(SHAPE)]
    objects = [v.course_iri, v.module_iri("signals"), v.question_iri("q-dnd")]
    by_verb = np.array([0 if x in ("initialized", "passed", "completed", "terminated") else
                        1 if x == "experienced" else 2 for x in dict.fromkeys(SHAPE)])
    learner = i // len(SHAPE)
    first = int(learner[0])
    keys = ["sha1:" + hashlib.sha1(f"mailto:l{n}@hotel.example".encode()).hexdigest()  # noqa: S324
            for n in range(first, int(learner[-1]) + 1)]
    rng = np.random.default_rng(start)
    time = T0 + rng.integers(0, 300 * 86_400_000_000, count)
    return {"i": i, "verb": verb, "verbs": verbs, "object": by_verb[verb], "objects": objects,
            "learner": learner - first, "actors": keys, "hotel": learner % HOTELS, "time": time}


def scale_roster(path: Path, n: int) -> None:
    """2,000 hotels whose headcount makes about half of them certified at this size."""
    per_hotel = max(1, n // len(SHAPE) // HOTELS)
    with path.open("w") as fh:
        fh.write("hotel_id,name,chain,city,country,language,employees\n")
        for h in range(HOTELS):
            fh.write(f"NL-H-{h:04d},Hotel {h},Chain {h % 20},City,NL,nl,"
                     f"{int(per_hotel * (1.2 + (h % 10) / 20))}\n")


def generate_store(path: Path, n: int) -> None:
    from lrs_reporter.store import Store
    from noroom.vocabulary import load_vocabulary

    ext = load_vocabulary().hotel_extension
    hotels = [f'{{"{ext}": "NL-H-{h:04d}"}}' for h in range(HOTELS)]
    path.unlink(missing_ok=True)
    with Store.open(path) as store:
        for start in range(0, n, CHUNK):
            c = scale_chunk(start, min(CHUNK, n - start))
            ids = [f"{ID_PREFIX}{x:012x}" for x in c["i"].tolist()]
            verbs, objects, actors = c["verbs"], c["objects"], c["actors"]
            rows = zip(ids, [verbs[x] for x in c["verb"].tolist()],
                       [objects[x] for x in c["object"].tolist()], [0] * len(ids),
                       [actors[x] for x in c["learner"].tolist()], c["time"].tolist(),
                       [hotels[x] for x in c["hotel"].tolist()],
                       ["2026-11-01T00:00:00.000Z"] * len(ids), [None] * len(ids), strict=True)
            store.add_page(rows, {})


def generate_parquet(folder: Path, n: int) -> None:
    import json as _json
    import shutil

    import numpy as np
    import pyarrow as pa

    from lrs_reporter.facts import COLUMNS
    from lrs_reporter.parquet import _MonthWriters, _schema
    from noroom.vocabulary import load_vocabulary

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    writers = _MonthWriters(folder)
    hi = int(ID_PREFIX.replace("-", "")[:16], 16)
    lo_base = np.uint64(int(ID_PREFIX.replace("-", "")[16:], 16) << 48)

    def strings(codes, values):  # type: ignore[no-untyped-def]
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()),
                                              pa.array(values, pa.string())).cast(pa.string())

    hotel_names = [f"NL-H-{h:04d}" for h in range(HOTELS)]
    for start in range(0, n, CHUNK):
        c = scale_chunk(start, min(CHUNK, n - start))
        count = len(c["i"])
        lo = (lo_base | c["i"].astype(np.uint64)).view(np.int64)
        writers.add(pa.Table.from_arrays([
            pa.array(np.full(count, hi, np.int64)), pa.array(lo),
            strings(c["verb"], c["verbs"]), strings(c["object"], c["objects"]),
            pa.array(np.zeros(count, bool)), strings(c["learner"], c["actors"]),
            pa.array(c["time"]).cast(pa.timestamp("us", tz="UTC")),
            strings(c["hotel"], hotel_names), pa.array(np.zeros(count, np.int8)),
            pa.nulls(count, pa.string())], schema=_schema()))
    writers.close()
    (folder / "_noroom.json").write_text(_json.dumps(
        {"hotel_extension": load_vocabulary().hotel_extension, "statements": n,
         "columns": COLUMNS}))


def run_certification(roster: Path, out: Path, **source) -> int:  # type: ignore[no-untyped-def]
    """The report's computation: read, rule, certification.json; returns statements read."""
    from datetime import date

    from lrs_reporter.certify import Options
    from lrs_reporter.outputs.tables import JsonOutput
    from lrs_reporter.report import Sources, run_report
    from noroom.vocabulary import load_vocabulary

    v = load_vocabulary()
    cert = run_report(Sources(roster=roster, hotel_extension=v.hotel_extension, **source),
                      Options((v.course_iri,), date(2026, 11, 1)))
    out.mkdir(parents=True, exist_ok=True)
    JsonOutput().write(cert, out, False)
    return int(cert.data_quality["statements_read"])


def step_floor_store(store: Path) -> int:
    from lrs_reporter.facts import RELEVANT_VERBS
    from lrs_reporter.store import Store

    with Store.open(store, readonly=True) as s:
        sum(len(b) for b in s.batches(RELEVANT_VERBS))
        return s.count()


def step_floor_parquet(folder: Path) -> int:
    import pyarrow.parquet as pq

    from lrs_reporter.facts import COLUMNS, RELEVANT_VERBS

    pq.read_table(folder, columns=COLUMNS, filters=[("verb", "in", sorted(RELEVANT_VERBS))])
    return int(json.loads((folder / "_noroom.json").read_text())["statements"])


def step_dask(folder: Path, roster: Path, out: Path) -> tuple[int, float, float]:
    """The Dask engine on a 2-worker LocalCluster (start-up not timed); (n, largest worker MB)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, processes=True) as cluster, Client(cluster) as c:
        t0 = time.perf_counter()
        n = run_certification(roster, out, parquet=folder, engine="dask",
                              scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - t0
        rss = c.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return n, seconds, max(rss.values())


def scale_child(name: str, n: int) -> dict:
    store, folder = OUT / f"scale-store-{n}.sqlite", OUT / f"scale-parquet-{n}"
    roster, out = OUT / f"scale-roster-{n}.csv", OUT / f"scale-report-{name}-{n}"
    extra: dict = {}
    t0 = time.perf_counter()
    if name == "gen-store":
        generate_store(store, n)
        count = n
    elif name == "gen-parquet":
        generate_parquet(folder, n)
        scale_roster(roster, n)
        count = n
    elif name == "export":
        from lrs_reporter.parquet import export_parquet
        from noroom.vocabulary import load_vocabulary

        count = export_parquet(store, OUT / f"scale-export-{n}", load_vocabulary().hotel_extension)
        extra["mb"] = sum(f.stat().st_size for f in (OUT / f"scale-export-{n}").rglob("*")) / 2**20
        extra["store_mb"] = store.stat().st_size / 2**20
    elif name == "floor-store":
        count = step_floor_store(store)
    elif name == "floor-parquet":
        count = step_floor_parquet(folder)
    elif name == "store":
        count = run_certification(roster, out, store=store)
    elif name == "parquet":
        count = run_certification(roster, out, parquet=folder)
    else:
        count, seconds, extra["worker_rss_mb"] = step_dask(folder, roster, out)
        t0 = time.perf_counter() - seconds
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": count, "seconds": seconds, "rss_mb": rss, **extra}


def scale(sizes: list[int], dask_size: int | None, reuse: bool = False) -> None:
    print(f"{'statements':>11} {'step':<30} {'seconds':>8} {'stmt/s':>11} {'x floor':>8} "
          f"{'growth':>7} {'peak RSS MB':>12}")
    first: dict[str, tuple[int, float]] = {}
    for n in sizes:
        for name in ("gen-store", "gen-parquet", "export"):
            if reuse or (name == "export" and n > 10_000_000):
                continue
            r = measure_scale(name, n)
            if name == "export":
                print(f"{n:>11,} {'export-parquet from the store':<30} {r['seconds']:>8.2f} "
                      f"{n / r['seconds']:>11,.0f} {'':>8} {'':>7} {r['rss_mb']:>12,.0f}  "
                      f"({r['mb']:,.0f} MB of Parquet for a {r['store_mb']:,.0f} MB store)",
                      flush=True)
                continue
            print(f"{n:>11,} {'generate ' + name[4:] + ' (setup)':<30} {r['seconds']:>8.2f} "
                  f"{n / r['seconds']:>11,.0f} {'':>8} {'':>7} {r['rss_mb']:>12,.0f}")
        steps = [("floor-store", "floor: SQLite rows only", None),
                 ("store", "report from store", "floor-store"),
                 ("floor-parquet", "floor: pyarrow filtered read", None),
                 ("parquet", "report from Parquet (pandas)", "floor-parquet")]
        if n == dask_size:
            steps.append(("dask", "report from Parquet (dask 2w)", "floor-parquet"))
        results: dict[str, dict] = {}
        for name, label, floor in steps:
            r = results[name] = measure_scale(name, n)
            if r["n"] != n:
                raise SystemExit(f"{name} read {r['n']} statements, not {n}")
            vs = f"{r['seconds'] / results[floor]['seconds']:.1f}x" if floor else ""
            base = first.setdefault(name, (n, r["seconds"]))
            growth = f"{r['seconds'] / base[1]:.1f}" if base[0] != n else ""
            rss = f"{r['rss_mb']:,.0f}" + (f" (+{r['worker_rss_mb']:,.0f}/worker)"
                                           if "worker_rss_mb" in r else "")
            print(f"{n:>11,} {label:<30} {r['seconds']:>8.2f} {n / r['seconds']:>11,.0f} "
                  f"{vs:>8} {growth:>7} {rss:>12}", flush=True)
        same = {(OUT / f"scale-report-{name}-{n}" / "certification.json").read_bytes()
                for name in ("store", "parquet", "dask") if name in results}
        print(f"{n:>11,} certification.json identical across engines: {len(same) == 1}")
    print(f"growth = seconds / seconds at {sizes[0]:,} (linear: the size ratio); targets at 10M: "
          "<= 20 s, <= 2,048 MB")


def measure_scale(name: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", "scale", name, str(n)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(args: list[str]) -> None:
    if args[0] == "scale":
        print(json.dumps(scale_child(args[1], int(args[2]))))
        return
    name, path = args[0], Path(args[1])
    t0 = time.perf_counter()
    if name == "floor":
        n = step_floor(path)
    elif name == "tincan":
        n = step_tincan(path, int(args[2]))
    elif name == "report":
        n = step_report(path)
    elif name == "phases":
        print(json.dumps(step_phases(path)))
        return
    elif name == "store-fill":
        n = step_load_store(path, Path(args[2]))
    else:
        n = step_report(path, Path(args[2]))
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)  # CPU of every core used, forked workers included
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"n": n, "seconds": seconds, "rss_mb": rss, "cpu": cpu}))


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
    parser.add_argument("--scale", default="", help="Sizes for the generated store and Parquet "
                        "(issue 7), e.g. 1000000,10000000,50000000.")
    parser.add_argument("--dask-size", type=int, help="Also run the Dask engine at this size.")
    parser.add_argument("--reuse", action="store_true", help="Measure the store and Parquet "
                        "generated by an earlier --scale run (no generation, no export).")
    parser.add_argument("--repeat", type=int, default=1, help="Run the floor and the report "
                        "from NDJSON back to back this many times and print the median of the "
                        "per-pair ratios (on a shared machine one pair says little).")
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.scale:
        scale([int(x) for x in args.scale.split(",")], args.dask_size, args.reuse)
    if not args.sizes:
        return
    print(f"{'statements':>11} {'step':<22} {'seconds':>8} {'stmt/s':>10} {'ratio':>7} "
          f"{'peak RSS MB':>12}")
    for n in (int(s) for s in args.sizes.split(",")):
        path = OUT / f"statements-{n}-h{HOTELS_NDJSON}.ndjson"
        if not path.with_suffix(".staff.csv").exists():
            generate(path, n)
        store = OUT / f"store-{n}.sqlite"
        pairs = [(measure("floor", str(path)), measure("report", str(path)))
                 for _ in range(args.repeat)]
        ratios = sorted(r["seconds"] / f["seconds"] for f, r in pairs)
        floor, report = sorted(pairs, key=lambda p: p[1]["seconds"] / p[0]["seconds"])[
            (len(pairs) - 1) // 2]  # the median pair
        rows = [("floor: orjson parse only", floor), ("report from NDJSON", report)]
        if not args.skip_store:
            rows.append(("fill store (sync path)",
                         measure("store-fill", str(path), str(store))))
            rows.append(("report from store", measure("store", str(path), str(store))))
        phases = measure("phases", str(path))
        sample = measure("tincan", str(path), str(min(args.tincan_sample, n)))
        rows.append((f"tincan parse ({sample['n']} sample)", sample))
        for name, r in rows:
            rate = r["n"] / r["seconds"]
            ratio = r["seconds"] / r["n"] / (floor["seconds"] / floor["n"])
            print(f"{n:>11,} {name:<22} {r['seconds']:>8.2f} {rate:>10,.0f} {ratio:>6.1f}x "
                  f"{r['rss_mb']:>12,.0f}   cpu {r.get('cpu', 0):.2f} s")
        if args.repeat > 1:
            print(f"{n:>11,} report / floor, {args.repeat} back-to-back pairs: "
                  + ", ".join(f"{x:.2f}x" for x in ratios)
                  + f"; median {ratios[(len(ratios) - 1) // 2]:.2f}x")
        print(f"{n:>11,} report by phase (another run, same work): read {phases['read']:.2f} s, "
              f"rule {phases['rule']:.2f} s, outputs {phases['outputs']:.2f} s of which "
              f"{phases['certified']:,} certificates {phases['certificates']:.2f} s")
    print("ratio = seconds per statement / the floor's; report target <= 2.0x, tincan >= 20x")


if __name__ == "__main__":
    main()
