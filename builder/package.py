"""The one zip writer every format uses: byte-identical output for identical input.

Entries are sorted, dated SOURCE_DATE_EPOCH (or 2020-01-01 when unset), mode 0644, deflated,
so the same source always gives the same bytes (reproducible-builds.org conventions).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from noroom.errors import PackageError

DEFAULT_EPOCH = 1577836800  # 2020-01-01T00:00:00Z


def build_time() -> tuple[int, int, int, int, int, int]:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        epoch = int(raw) if raw else DEFAULT_EPOCH
    except ValueError as exc:
        raise PackageError(f"SOURCE_DATE_EPOCH must be whole seconds, got {raw!r}") from exc
    # Zip dates start in 1980 and have two-second resolution.
    epoch = max(epoch, 315532800)
    return time.gmtime(epoch)[:6]


def write_zip(files: dict[str, bytes], path: Path) -> int:
    """Write `files` as a deterministic zip at `path` (atomically); return its size in bytes."""
    date = build_time()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=date)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                zf.writestr(info, files[name], compresslevel=9)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PackageError(f"cannot write package: {exc.strerror}", path) from exc
    return path.stat().st_size
