"""The one zip writer every format uses: byte-identical output for identical input.

Entries are sorted, dated SOURCE_DATE_EPOCH (or 2020-01-01 when unset), mode 0644, deflated at
level 9, so the same source always gives the same bytes (reproducible-builds.org conventions).
The bytes are those `zipfile` writes for the same entries; the writer is our own so that a member
shared by many packages of one build (the runtime, the ADL schemas) is compressed once, not once
per package (bench/build.py: most of a SCORM 2004 package is its schemas).
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

from noroom.errors import PackageError

DEFAULT_EPOCH = 1577836800  # 2020-01-01T00:00:00Z
# Members at least this big are kept compressed for the build's next packages (bounded).
SHARE_FROM, SHARE_MAX = 2048, 256
Shared = dict[bytes, tuple[int, bytes]]


def build_time() -> tuple[int, int, int, int, int, int]:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        epoch = int(raw) if raw else DEFAULT_EPOCH
    except ValueError as exc:
        raise PackageError(f"SOURCE_DATE_EPOCH must be whole seconds, got {raw!r}") from exc
    # Zip dates start in 1980 and have two-second resolution.
    epoch = max(epoch, 315532800)
    return time.gmtime(epoch)[:6]


def _compress(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate at level 9) of a member, as zipfile computes them."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


def _deflate(data: bytes, shared: Shared | None) -> tuple[int, bytes]:
    if shared is None or len(data) < SHARE_FROM:
        return _compress(data)
    # Pool threads may race on one member: both compute the same value, so no lock is needed.
    found = shared.get(data)
    if found is None:
        if len(shared) >= SHARE_MAX:
            shared.clear()
        found = shared[data] = _compress(data)
    return found


def zip_bytes(files: dict[str, bytes], shared: Shared | None = None) -> bytes:
    """The deterministic zip of `files` (name -> content), entries sorted by name. `shared`, a
    dict the caller keeps for one build, holds members already compressed."""
    year, month, day, hour, minute, second = build_time()
    dos_time = hour << 11 | minute << 5 | second // 2
    dos_date = (year - 1980) << 9 | month << 5 | day
    out, central = bytearray(), bytearray()
    if len(files) >= 0xFFFF:
        raise PackageError(f"{len(files)} files is more than a plain zip holds")
    # PKWARE APPNOTE 4.3: per member a local header (4.3.7) then its data; at the end the
    # central directory (4.3.12) and its end record (4.3.16). Version 2.0, made on Unix (3),
    # method 8 (deflate), no extra fields or comments: exactly zipfile's layout for writestr().
    for name in sorted(files):
        data = files[name]
        crc, packed = _deflate(data, shared)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800  # bit 11: the name is UTF-8
        fields = (20, flags, 8, dos_time, dos_date, crc, len(packed), len(data), len(encoded))
        if len(out) + len(packed) >= 0xFFFFFFFF:
            raise PackageError("package over 4 GB: remove media from it")
        central += struct.pack("<IH", 0x02014B50, 3 << 8 | 20) + struct.pack(
            "<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0o100644 << 16, len(out)) + encoded
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(central),
                      len(out), 0)
    return bytes(out + central + end)


def write_zip(files: dict[str, bytes], path: Path, shared: Shared | None = None) -> int:
    """Write `files` as a deterministic zip at `path` (atomically); return its size in bytes.
    PackageError when the file cannot be written. `shared`: see `zip_bytes`."""
    data = zip_bytes(files, shared)
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PackageError(f"cannot write package: {exc.strerror}", path) from exc
    return len(data)
