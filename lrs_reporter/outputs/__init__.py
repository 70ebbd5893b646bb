"""Outputs of a certification: one module per format behind a one-method interface.

    write_all(certification, Path("reports"), learners=False) -> [written paths]

Every writer reads only the `Certification` (lrs_reporter.model). Without `learners=True` no
output holds personal data: hotels, chains, counts and dates only.

Never half a report (issue 14): the writers write into a staging folder inside `out` (so on the
same file system), and only when all of them succeeded is each file moved into place with
os.replace, which replaces a file whole or not at all. A failing writer (a full disk, a killed
process) leaves every earlier output as it was; at worst a killed publish leaves some files of
the new report beside some of the old, each of them complete. A killed run leaves its staging
folder behind; the next run removes it once it is a day old.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from noroom.errors import NoroomError

if TYPE_CHECKING:
    from lrs_reporter.model import Certification

STAGING = ".noroom-staging-"


class Output(Protocol):
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        """Write this format's files into `out` (a fresh staging folder); return their paths.
        A subfolder a writer owns is listed in OWNED."""
        ...


def writers() -> list[Output]:
    from lrs_reporter.outputs import html, pdf, tables

    return [tables.JsonOutput(), tables.CsvOutput(), tables.XlsxOutput(), tables.WarningsOutput(),
            html.DashboardOutput(), pdf.CertificatesOutput()]


def write_all(cert: Certification, out: Path, learners: bool = False,
              extra: Sequence[Output] = ()) -> list[Path]:
    """Write every output (and the `extra` ones, such as materials.MaterialsOutput), then
    publish them into `out`; return the published paths.

    NoroomError naming the file when one cannot be written; `out` is then as it was (a folder
    this call created is removed again)."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
    except OSError as exc:
        raise NoroomError(f"cannot create the report folder ({exc.strerror}); check --out",
                          exc.filename or out) from exc
    _remove_stale_stages(out)
    try:
        written: list[Path] = []
        for writer in [*writers(), *extra]:
            written += writer.write(cert, stage, learners)
        return publish(stage, out, written)
    except OSError as exc:
        raise NoroomError(f"cannot write the reports ({exc.strerror}); {out} is as it was "
                          "before this run", exc.filename or out) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()


def _remove_stale_stages(out: Path) -> None:
    """Remove the staging folders a killed run left (older than a day: not a report that is
    being written right now into the same folder)."""
    for stage in out.glob(STAGING + "*"):
        if stage.is_dir() and time.time() - stage.stat().st_mtime > 86_400:
            shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, out: Path, written: list[Path]) -> list[Path]:
    """Move the `written` files from `stage` into `out`, each with one os.replace, then remove
    the stale files of the subfolders the writers own (OWNED: a hotel no longer certified loses
    its certificate). Returns the published paths."""
    published = []
    for path in written:
        target = out / path.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        published.append(target)
    kept = set(published)
    for folder, suffixes in OWNED.items():
        if (out / folder).is_dir():
            # materials/ has a folder per hotel and language: walked whole, emptied folders go
            walk = (out / folder).rglob("*") if folder == "materials" else (out / folder).iterdir()
            for old in sorted(walk, reverse=True):
                if old.name.endswith(suffixes) and old not in kept and old.is_file():
                    old.unlink()
                elif folder == "materials" and old.is_dir() and not any(old.iterdir()):
                    old.rmdir()
    return published


# Subfolders a writer owns, with the endings of the file names it writes there; other files in
# them (a note someone saved there) stay.
OWNED = {"certificates": (".pdf",), "materials": (".pdf", ".png", "-alt.txt")}
