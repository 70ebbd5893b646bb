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


def full_report(tmp_path: Path, name: str, store: Path) -> dict:
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["report", "--roster", str(tmp_path / "roster.csv"),
                                      "--as-of", "2026-11-01", "--out", str(out),
                                      "--store", str(store)])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "certification.json").read_text())
    doc["warnings"] = (out / "warnings.txt").read_text().splitlines()
    return doc


def changes(before: dict, after: dict) -> dict:
    """{hotel_id: {field: (before, after)}} for every hotel field that differs."""
    old = {h["hotel_id"]: h for h in before["hotels"]}
    out = {}
    for h in after["hotels"]:
        diff = {k: (old[h["hotel_id"]][k], v) for k, v in h.items() if old[h["hotel_id"]][k] != v}
        if diff:
            out[h["hotel_id"]] = diff
    return out


def test_second_sync_fetches_only_what_is_new_and_the_report_changes_exactly(
        lrs, fault_proxy, tmp_path, roster):
    from datetime import timedelta

    first = [statement("a0@example.org", hotel="A", when="2026-03-01T10:00:00Z"),
             statement("a1@example.org", hotel="A", when="2026-03-02T10:00:00Z")]
    first += [statement(f"b{i}@example.org", hotel="B", when=f"2026-04-0{i + 1}T10:00:00Z")
              for i in range(3)]
    lrs.post(first)
    store = tmp_path / "store.sqlite"
    # No overlap here, to count exactly what is new; the overlap's re-reading (deduplicated) is
    # tested with a late statement in test_faults.py.
    sync = lambda: sync_store(store, "", None, None, overlap=timedelta(0),  # noqa: E731
                              client=LRSClient(fault_proxy.url, "k", "s", page_size=4))
    assert sync().new == 5
    before = full_report(tmp_path, "before", store)
    lrs.post([statement("a2@example.org", hotel="A", when="2026-05-07T10:00:00Z"),
              void(first[2])])
    fault_proxy.seen.clear()
    fault_proxy.statements_served = 0
    assert sync().new == 2
    assert len(fault_proxy.seen) == 1 and fault_proxy.statements_served == 2
    after = full_report(tmp_path, "after", store)
    assert changes(before, after) == {
        "A": {"trained": (2, 3), "trained_pct": (40.0, 60.0), "certified": (False, True),
              "certified_on": (None, "2026-05-07"), "needed": (1, 0),
              # the default validity, 24 months: until a0's training (1 Mar 2026) expires
              "valid_until": (None, "2028-02-29"), "to_extend": (None, 1)},
        "B": {"trained": (3, 2), "trained_pct": (75.0, 50.0), "certified": (True, False),
              "certified_on": ("2026-04-03", None), "needed": (0, 1),
              "valid_until": ("2028-03-31", None), "to_extend": (1, None)}}
    assert (before["data_quality"]["statements_read"], after["data_quality"]["statements_read"],
            before["data_quality"]["voided"], after["data_quality"]["voided"]) == (5, 7, 0, 1)


def test_a_late_void_from_an_anonymous_group_voids_the_synced_completion(lrs, tmp_path, roster):
    done = statement("a1@example.org", hotel="A")
    group_void = {**void(done), "actor": {"objectType": "Group",
                                         "member": [{"mbox": "mailto:admin@example.org"}]}}
    lrs.post([done, statement("a2@example.org", hotel="A")])
    store = tmp_path / "store.sqlite"
    sync_store(store, lrs.endpoint, "k", "s")
    lrs.post([group_void])  # after the completion was synced: the store must apply it
    sync_store(store, lrs.endpoint, "k", "s")
    doc = full_report(tmp_path, "r", store)
    assert doc["hotels"][0]["trained"] == 1
    assert (doc["data_quality"]["voided"], doc["data_quality"]["invalid"]) == (1, 0)


def test_a_stored_void_without_any_time_still_voids(tmp_path, roster):
    from lrs_reporter.store import statement_row

    done = statement("a1@example.org", hotel="A")
    timeless = {k: v for k, v in void(done).items() if k != "timestamp"}
    with Store.open(tmp_path / "s.sqlite") as store:
        store.add_page([statement_row(done), statement_row(timeless)], {})
    doc = full_report(tmp_path, "r", tmp_path / "s.sqlite")
    assert doc["hotels"][0]["trained"] == 0 and doc["data_quality"]["voided"] == 1


def test_unusable_statements_from_the_lrs_are_counted_once_and_listed(lrs, fault_proxy,
                                                                      tmp_path, roster):
    from tests.support.fault_proxy import Fault

    lrs.post([statement("a1@example.org", hotel="A")])
    no_actor = {k: v for k, v in statement("x@example.org").items() if k != "actor"}
    no_id = {k: v for k, v in statement("y@example.org").items() if k != "id"}
    fault_proxy.script = {1: Fault("inject", value=json.dumps(no_actor)),
                          2: Fault("inject", value=json.dumps(no_id))}
    store = tmp_path / "store.sqlite"
    for _ in range(2):  # the second sync re-reads the same statements (overlap, injection)
        sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    doc = full_report(tmp_path, "r", store)
    assert doc["hotels"][0]["trained"] == 1
    assert (doc["data_quality"]["invalid"], doc["data_quality"]["statements_read"]) == (2, 3)
    assert f"{store}: statement {no_actor['id']}: skipped: no usable actor (mbox, " \
           "mbox_sha1sum, account or openid)" in doc["warnings"]
    assert any(w.endswith(": skipped: no statement id") for w in doc["warnings"])


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
