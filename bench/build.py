"""Benchmark: a full build (every language x format) against the floor of plain-zipping the
same files, plus package and runtime sizes. Prints figures; judges nothing. Target: build <= 2x.

The floor zips with the same parallelism as the build (one thread per core: zlib releases the
GIL), so the ratio measures what the build adds, not how many cores it uses.

    .venv/bin/python bench/build.py [--source course_src] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.build import build  # noqa: E402


def plain_zip(files: dict[str, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def floor(contents: list[dict[str, bytes]], folder: Path, workers: int) -> float:
    """Seconds to plain-zip every package's files with `workers` threads."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda job: plain_zip(job[1], folder / f"floor{job[0]}.zip"),
                      enumerate(contents)))
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "course_src")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workers = os.cpu_count() or 1  # what builder.build uses

    builds, floors, floors1 = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            built = build(args.source, out)
            builds.append(time.perf_counter() - t0)
            contents = []
            for b in built:
                with zipfile.ZipFile(b.path) as zf:
                    contents.append({n: zf.read(n) for n in zf.namelist()})
            floors.append(floor(contents, Path(tmp), workers))
            floors1.append(floor(contents, Path(tmp), 1))

        build_s, floor_s = statistics.median(builds), statistics.median(floors)
        langs = {b.language for b in built} - {"mul"}  # mul: the all-languages cmi5 course
        print(f"packages: {len(built)} ({len(langs)} languages x "
              f"{len({b.format for b in built})} formats, plus the all-languages cmi5 course), "
              f"median of {args.repeat} runs, "
              f"{workers} cores, load average {os.getloadavg()[0]:.1f}")
        per = 1000 * build_s / len(built)
        print(f"full build:      {build_s:8.3f} s   ({per:.1f} ms/package, {workers} threads)")
        print(f"plain-zip floor: {floor_s:8.3f} s   (same files, deflate 9, {workers} threads)")
        print(f"  one thread:    {statistics.median(floors1):8.3f} s")
        # Per-run ratios: a build and its floor run back to back, under the same machine load.
        ratio = statistics.median(b / f for b, f in zip(builds, floors, strict=True))
        print(f"ratio:           {ratio:8.2f} x   (median of per-run ratios; target <= 2.00)")
        print("sizes (KB):")
        for fmt in sorted({b.format for b in built}):
            sizes = [b.size / 1024 for b in built if b.format == fmt]
            print(f"  {fmt:<10} min {min(sizes):6.1f}  max {max(sizes):6.1f}   (budget 300)")
            with zipfile.ZipFile(next(b.path for b in built if b.format == fmt)) as zf:
                names = ["runtime.js", "runtime.css"]
                raw = b"".join(zf.read(n) for n in names)
            print(f"  {'':<10} runtime {' + '.join(names)}: {len(raw) / 1024:.1f} KB, "
                  f"{len(gzip.compress(raw, 9)) / 1024:.1f} KB gzipped (budget 20)")


if __name__ == "__main__":
    main()
