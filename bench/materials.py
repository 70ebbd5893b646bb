"""Benchmark: what `noroom report --materials` costs on top of the report itself.

    .venv/bin/python bench/materials.py [--hotels 300] [--repeat 3]

An invented programme (tests/support/programme.py, seeded: hotels in seven countries, of which
NL and BE have verified contacts and so get a pack) is reported twice per round, each a whole
`noroom report` process: once as it is (the floor, measured in the same run) and once with
`--materials --draft`. Prints the medians, the number of packs (hotel x language) and the time
per pack over the floor. Issue 17 sets no target; this shows what a programme of a given size
waits for. Judges nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.programme import AS_OF, write_programme  # noqa: E402

NOROOM = ROOT / ".venv" / "bin" / "noroom"


def report(files: dict[str, Path], out: Path, *extra: str) -> float:
    args = [str(NOROOM), "report", "--roster", str(files["roster"]), "--statements",
            str(files["statements"]), "--as-of", AS_OF, "--out", str(out), *extra]
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hotels", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_programme(Path(tmp) / "in", hotels=args.hotels)
        floor, full = [], []
        for i in range(args.repeat):
            floor.append(report(files, Path(tmp) / f"plain{i}"))
            full.append(report(files, Path(tmp) / f"pack{i}", "--materials", "--draft"))
        packs = len(list((Path(tmp) / "pack0" / "materials").glob("*/*/poster-a4.pdf")))
    low, high = statistics.median(floor), statistics.median(full)
    print(f"hotels: {args.hotels}; packs written (hotel x language): {packs}")
    print(f"report alone (floor): {low:.2f} s median of {args.repeat}")
    print(f"report --materials:   {high:.2f} s median of {args.repeat}")
    if packs:
        print(f"per pack over the floor: {(high - low) / packs * 1000:.0f} ms "
              f"(7 files: 4 tagged PDFs, 2 PNGs, the alt text)")


if __name__ == "__main__":
    main()
