"""Benchmark: a full build (every language x format) against the floor of plain-zipping the
same files, plus package and runtime sizes. Prints figures; judges nothing. Target: build <= 2x.

    .venv/bin/python bench/build.py [--source course_src] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.build import build  # noqa: E402


def plain_zip(files: dict[str, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "course_src")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    builds, floors = [], []
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
            t0 = time.perf_counter()
            for i, files in enumerate(contents):
                plain_zip(files, Path(tmp) / f"floor{i}.zip")
            floors.append(time.perf_counter() - t0)

        build_s, floor_s = statistics.median(builds), statistics.median(floors)
        print(f"packages: {len(built)} ({len({b.language for b in built})} languages x "
              f"{len({b.format for b in built})} formats), median of {args.repeat} runs")
        per = 1000 * build_s / len(built)
        print(f"full build:      {build_s:8.3f} s   ({per:.1f} ms/package)")
        print(f"plain-zip floor: {floor_s:8.3f} s   (same files, deflate level 9)")
        print(f"ratio:           {build_s / floor_s:8.2f} x   (target <= 2.00)")
        print("sizes (KB):")
        for fmt in sorted({b.format for b in built}):
            sizes = [b.size / 1024 for b in built if b.format == fmt]
            print(f"  {fmt:<10} min {min(sizes):6.1f}  max {max(sizes):6.1f}   (budget 300)")
            with zipfile.ZipFile(next(b.path for b in built if b.format == fmt)) as zf:
                names = [n for n in ("runtime.js", "adapter.js", "runtime.css")
                         if n in zf.namelist()]
                raw = b"".join(zf.read(n) for n in names)
            print(f"  {'':<10} runtime {' + '.join(names)}: {len(raw) / 1024:.1f} KB, "
                  f"{len(gzip.compress(raw, 9)) / 1024:.1f} KB gzipped (budget 20)")


if __name__ == "__main__":
    main()
