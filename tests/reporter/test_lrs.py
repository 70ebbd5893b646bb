"""Against a real LRS (Learning Locker's xapi-statements on 127.0.0.1): the report from the LRS
equals the report from the same statements in a file; paging, incremental sync, late voids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrs_reporter.lrs import LRSClient
from lrs_reporter.store import Store
from lrs_reporter.sync import sync_store
from noroom.cli import cli

from .conftest import statement, void

pytestmark = pytest.mark.lrs
ROSTER = ("hotel_id,name,chain,city,country,language,employees\n"
          "A,Hotel A,C,Town,NL,nl,5\nB,Hotel B,C,Town,NL,en,4\n")


def programme() -> list[dict]:
    sts = [statement(f"a{i}@example.org", hotel="A", when=f"2026-03-{i + 10}T10:00:00Z")
           for i in range(4)]
    sts += [statement(f"b{i}@example.org", hotel="B") for i in range(3)]
    sts.append(statement("A0@EXAMPLE.org", hotel="A"))  # the same person again
    sts.append(void(sts[4]))                            # one of B's completions voided
    sts.append(statement("x@example.org", "failed", hotel="B"))
    return sts


def report(tmp_path: Path, name: str, *args: str) -> dict:
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--as-of", "2026-11-01", "--out", str(out), *args],
                                env={"NOROOM_LRS_PASSWORD": "test-secret"})
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "certification.json").read_text())
    doc["data_quality"] = {}  # the LRS resolves voids and duplicates itself
    return doc


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    return path


def test_report_from_the_lrs_equals_report_from_the_file(lrs, tmp_path, roster):
    sts = programme()
    lrs.post(sts)
    lrs.post([sts[0]])  # re-sent: the LRS stores it once
    (tmp_path / "s.ndjson").write_text("".join(json.dumps(s) + "\n" for s in sts + [sts[0]]))
    from_file = report(tmp_path, "file", "--statements", str(tmp_path / "s.ndjson"))
    from_lrs = report(tmp_path, "lrs", "--lrs", lrs.endpoint, "--lrs-user", "test-key",
                      "--store", str(tmp_path / "store.sqlite"), "--page-size", "3")
    assert from_lrs == from_file
    hotels = {h["hotel_id"]: h for h in from_lrs["hotels"]}
    assert (hotels["A"]["trained"], hotels["A"]["certified"]) == (4, True)
    assert (hotels["B"]["trained"], hotels["B"]["certified"]) == (2, False)


def test_paging_with_short_pages_fetches_every_statement_once(lrs, tmp_path):
    sts = [statement(f"p{i}@example.org", hotel="A") for i in range(23)]
    lrs.post(sts)
    client = LRSClient(lrs.endpoint, "test-key", "test-secret", page_size=5)
    result = sync_store(tmp_path / "s.sqlite", lrs.endpoint, None, None, client=client)
    assert result.pages == 5 and result.fetched == 23 and result.new == 23
    with Store.open(tmp_path / "s.sqlite", readonly=True) as store:
        assert sorted(store.ids()) == sorted(s["id"] for s in sts)


def test_second_sync_fetches_only_what_is_new_and_applies_late_voids(lrs, tmp_path, roster):
    first = [statement(f"a{i}@example.org", hotel="A") for i in range(3)]
    lrs.post(first)
    store = tmp_path / "store.sqlite"
    assert sync_store(store, lrs.endpoint, "k", "s").new == 3
    lrs.post([statement("a9@example.org", hotel="A"), void(first[0])])
    again = sync_store(store, lrs.endpoint, "k", "s")
    assert again.new == 2
    # The 10-minute overlap re-reads the recent statements (the LRS no longer returns the voided
    # one: 2 old + 2 new), and stores none of them twice.
    assert again.fetched == 4
    doc = report(tmp_path, "r", "--store", str(store))
    assert doc["hotels"][0]["trained"] == 3  # a0 voided, a9 added


def test_two_syncs_on_one_store_cannot_run_at_once(tmp_path):
    from noroom.errors import ConfigError

    with Store.open(tmp_path / "s.sqlite"):
        with pytest.raises(ConfigError, match="another `noroom sync` is writing"):
            Store.open(tmp_path / "s.sqlite")


def test_lrs_config_file_must_be_private_and_supplies_the_settings(lrs, tmp_path, roster):
    from click.testing import CliRunner as Runner

    lrs.post([statement("a0@example.org", hotel="A")])
    config = tmp_path / "lrs.yaml"
    config.write_text(f"endpoint: {lrs.endpoint}\nuser: test-key\npassword: s3cret\n")
    config.chmod(0o644)
    args = ["sync", "--lrs-config", str(config), "--store", str(tmp_path / "s.sqlite")]
    refused = Runner().invoke(cli, args)
    assert refused.exit_code == 2
    assert refused.output.strip() == (f"{config}: is readable by other users (mode 644); run "
                                      f"`chmod 600 {config}` first")
    config.chmod(0o600)
    done = Runner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert "1 new" in done.output and "s3cret" not in done.output


def test_a_voided_statement_that_is_sent_again_stays_voided(tmp_path, roster):
    from lrs_reporter.store import Store, statement_row

    kept = statement("a1@example.org", hotel="A")
    gone = statement("a2@example.org", hotel="A")
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_page([statement_row(kept), statement_row(gone)], {})
        store.add_page([statement_row(void(gone))], {})
        assert store.add_page([statement_row(gone)], {}) == 0  # re-sent: stored once
    doc = report(tmp_path, "r", "--store", str(tmp_path / "s.sqlite"))
    assert doc["hotels"][0]["trained"] == 1
