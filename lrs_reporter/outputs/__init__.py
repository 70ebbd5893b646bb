"""Outputs of a certification: one module per format behind a one-method interface.

    write_all(certification, Path("reports"), learners=False) -> [written paths]

Every writer reads only the `Certification` (lrs_reporter.model). Without `learners=True` no
output holds personal data: hotels, chains, counts and dates only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lrs_reporter.model import Certification


class Output(Protocol):
    def write(self, cert: Certification, out: Path, learners: bool) -> list[Path]:
        """Write this format's files into `out`; return their paths."""
        ...


def writers() -> list[Output]:
    from lrs_reporter.outputs import html, pdf, tables

    return [tables.JsonOutput(), tables.CsvOutput(), tables.XlsxOutput(), tables.WarningsOutput(),
            html.DashboardOutput(), pdf.CertificatesOutput()]


def write_all(cert: Certification, out: Path, learners: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for writer in writers():
        written += writer.write(cert, out, learners)
    return written
