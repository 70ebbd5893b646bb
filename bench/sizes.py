"""Budget (issue 16): every package zip <= 300 KB, and per package the runtime the learner's
browser loads (runtime.js, the format's adapters included, + runtime.css), gzipped, <= 20 KB.
Prints one line per format and language, with the budget; exits 1 when anything is over.

    .venv/bin/python bench/sizes.py [--source course_src]

SCORM is measured twice: as built by default and with dual tracking to an LRS (`--lrs-endpoint`,
which adds the xAPI core and the LRS wrapper to runtime.js), the biggest runtime a package has.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.build import build  # noqa: E402
from builder.formats import BuildOptions  # noqa: E402

PACKAGE_BUDGET = 300 * 1024
RUNTIME_BUDGET = 20 * 1024
# What `noroom build --lrs-endpoint ... --lrs-key ...` embeds (noroom/commands/build.py).
DUAL = BuildOptions(tracking={"lrs": {"endpoint": "https://lrs.example/xAPI/",
                                      "auth": "Basic a2V5OnNlY3JldA==", "hotelFrom": "ask",
                                      "homePage": "https://lms.example"}})


def runtime_gzip(package: Path) -> int:
    """Gzipped bytes of what the package's page loads to run: runtime.js and runtime.css."""
    with zipfile.ZipFile(package) as zf:
        return sum(len(gzip.compress(zf.read(n), 9)) for n in ("runtime.js", "runtime.css"))


def rows(source: Path, out: Path) -> list[tuple[str, str, int, int]]:
    """(format, language, zip bytes, runtime gzip bytes) for every package of a full build,
    plus SCORM with dual tracking."""
    built = [(b.format, b.language, b.path) for b in build(source, out / "plain")]
    built += [(f"{b.format}+lrs", b.language, b.path)
              for b in build(source, out / "dual", formats=["scorm12", "scorm2004"],
                             options=DUAL)]
    return [(fmt, lang, path.stat().st_size, runtime_gzip(path))
            for fmt, lang, path in sorted(built)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "course_src")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = rows(args.source, Path(tmp))
    over = 0
    print(f"{'format':<16}{'lang':<6}{'package KB':>11}{'budget':>8}{'runtime gz KB':>15}"
          f"{'budget':>8}")
    for fmt, lang, size, runtime in table:
        flags = ("  PACKAGE OVER" if size > PACKAGE_BUDGET else "") + \
                ("  RUNTIME OVER" if runtime > RUNTIME_BUDGET else "")
        over += bool(flags)
        print(f"{fmt:<16}{lang:<6}{size / 1024:>11.1f}{PACKAGE_BUDGET // 1024:>8}"
              f"{runtime / 1024:>15.1f}{RUNTIME_BUDGET // 1024:>8}{flags}")
    largest = max(table, key=lambda r: r[2])
    heaviest = max(table, key=lambda r: r[3])
    print(f"largest package: {largest[0]} {largest[1]} {largest[2] / 1024:.1f} KB of 300; "
          f"largest runtime: {heaviest[0]} {heaviest[3] / 1024:.1f} KB gzipped of 20")
    print(f"{over} package(s) over budget" if over else "every package within budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
