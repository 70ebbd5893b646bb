"""Certificates are written on every core (issue 14, item 6) and stay the bytes one process
writes; an error in another process is raised, not lost."""

from __future__ import annotations

import pytest

from lrs_reporter.model import HOTEL_COLUMNS
from lrs_reporter.outputs.pdf import PARALLEL_FROM, write_certificates
from lrs_reporter.outputs.tables import records

from .conftest import roster, run, statement

LANGUAGES = ["nl", "en", "pl", "fr", "hu", "pt", "es"]


@pytest.fixture(scope="module")
def many():  # type: ignore[no-untyped-def]
    n = PARALLEL_FROM + 12
    hotels = roster(*((f"H{i:03d}", 1) for i in range(n)))
    hotels["language"] = [LANGUAGES[i % 7] for i in range(n)]
    hotels["name"] = [f"Hotel {'Łódź ' * (i % 5)}{i}" for i in range(n)]
    cert = run([statement(f"p{i}@example.org", hotel=f"H{i:03d}") for i in range(n)], hotels)
    return cert, [h for h in records(cert.hotels, HOTEL_COLUMNS) if h["certified"]]


def test_certificates_written_by_two_processes_are_the_bytes_one_process_writes(many, tmp_path):
    cert, hotels = many
    assert len(hotels) >= PARALLEL_FROM
    for workers in (1, 2):
        (tmp_path / str(workers)).mkdir()
        write_certificates(cert, [(h, tmp_path / str(workers) / f"{h['hotel_id']}.pdf")
                                  for h in hotels], workers=workers)
    one = {p.name: p.read_bytes() for p in (tmp_path / "1").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "2").iterdir()}
    assert len(one) == len(hotels) and two == one


def test_an_error_in_the_other_process_is_raised(many, tmp_path):
    cert, hotels = many
    jobs = [(h, tmp_path / f"{h['hotel_id']}.pdf") for h in hotels]
    jobs[1] = (jobs[1][0], tmp_path / "missing" / "x.pdf")  # the second process's first job
    with pytest.raises(FileNotFoundError):
        write_certificates(cert, jobs, workers=2)
