"""Sync through a fault-injecting proxy in front of the real LRS: every fault is survived or
ends in one clear message, and the store ends with exactly the LRS's statements, each once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lrs_reporter.lrs import LRSClient
from lrs_reporter.store import Store
from lrs_reporter.sync import sync_store
from noroom.errors import LRSError
from tests.support.fault_proxy import Fault

from .conftest import statement

pytestmark = pytest.mark.lrs
SECRET = "s3cr3t-pass-word"


def seed(lrs, n: int = 12) -> set[str]:  # type: ignore[no-untyped-def]
    sts = [statement(f"p{i}@example.org", hotel="A") for i in range(n)]
    lrs.post(sts)
    return {s["id"] for s in sts}


def client(proxy, delays: list | None = None, **kw):  # type: ignore[no-untyped-def]
    record = delays if delays is not None else []
    return LRSClient(proxy.url, "key", SECRET, page_size=4, sleep=record.append, **kw)


def stored_ids(path: Path) -> list[str]:
    with Store.open(path, readonly=True) as store:
        return store.ids()


@pytest.mark.parametrize("fault", [
    Fault("status", 503, retry_after="2"), Fault("status", 429, retry_after="1"),
    Fault("status", 500), Fault("status", 502), Fault("drop"), Fault("truncate"),
    Fault("garbage"),
], ids=["503-retry-after", "429-retry-after", "500", "502", "dropped-mid-body",
        "truncated-page", "not-json"])
def test_transient_fault_on_a_middle_page_is_retried(lrs, fault_proxy, tmp_path, fault):
    ids = seed(lrs)
    fault_proxy.script = {2: fault}
    delays: list[float] = []
    result = sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy, delays))
    assert sorted(stored_ids(tmp_path / "s.sqlite")) == sorted(ids)
    assert result.new == 12 and len(fault_proxy.seen) == 3 + 1  # 3 pages and one retry
    if fault.retry_after:
        assert delays == [float(fault.retry_after)]
    else:
        assert len(delays) == 1


def test_read_timeout_is_retried(lrs, fault_proxy, tmp_path):
    ids = seed(lrs, 4)
    fault_proxy.script = {1: Fault("delay", seconds=1.5)}
    c = client(fault_proxy, timeout=httpx.Timeout(0.5, connect=0.5))
    sync_store(tmp_path / "s.sqlite", "", None, None, client=c)
    assert sorted(stored_ids(tmp_path / "s.sqlite")) == sorted(ids)


@pytest.mark.parametrize("shape", ["absolute", "relative"])
def test_more_links_absolute_or_relative_are_followed(lrs, fault_proxy, tmp_path, shape):
    ids = seed(lrs)
    fault_proxy.script = {1: Fault("more", value=shape)}
    sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    assert sorted(stored_ids(tmp_path / "s.sqlite")) == sorted(ids)


def test_a_more_link_that_repeats_stops_with_a_clear_message_and_keeps_what_was_stored(
        lrs, fault_proxy, tmp_path):
    seed(lrs)
    fault_proxy.script = {2: Fault("more", value="repeat")}
    with pytest.raises(LRSError, match="repeats"):
        sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    assert len(stored_ids(tmp_path / "s.sqlite")) == 8  # the two pages committed before


def test_refused_credentials_stop_clearly_without_showing_them(lrs, fault_proxy, tmp_path):
    seed(lrs)
    fault_proxy.script = {1: Fault("status", 401)}
    with pytest.raises(LRSError) as err:
        sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    assert "refused the credentials (HTTP 401)" in str(err.value)
    assert SECRET not in str(err.value) and "key" not in str(err.value).replace("keep", "")


def test_an_lrs_that_stays_down_gives_up_clearly_and_loses_nothing(lrs, fault_proxy, tmp_path):
    seed(lrs)
    fault_proxy.script = {n: Fault("status", 503) for n in range(3, 20)}
    with pytest.raises(LRSError, match="gave up after 6 attempts: HTTP 503; statements already "
                                        "stored are kept"):
        sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    assert len(stored_ids(tmp_path / "s.sqlite")) == 8
    fault_proxy.script = {}
    sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    assert len(stored_ids(tmp_path / "s.sqlite")) == 12


def test_cursor_never_passes_consistent_through(lrs, fault_proxy, tmp_path):
    seed(lrs, 3)
    fault_proxy.script = {1: Fault("consistent", value="2001-01-01T00:00:00Z")}
    sync_store(tmp_path / "s.sqlite", "", None, None, client=client(fault_proxy))
    with Store.open(tmp_path / "s.sqlite", readonly=True) as store:
        assert store.get("cursor") == "2001-01-01T00:00:00Z"


def test_sync_killed_with_sigkill_then_rerun_ends_complete_and_unique(lrs, fault_proxy, tmp_path):
    ids = seed(lrs, 20)
    # Page 3 is slow: the process is killed while it waits, with two pages committed.
    fault_proxy.script = {3: Fault("delay", seconds=20)}
    store = tmp_path / "s.sqlite"
    cmd = [sys.executable, "-m", "noroom.cli", "sync", "--lrs", fault_proxy.url, "--lrs-user",
           "key", "--page-size", "4", "--store", str(store)]
    env = {**os.environ, "NOROOM_LRS_PASSWORD": SECRET}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while len(fault_proxy.seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert 0 < len(stored_ids(store)) < 20
    fault_proxy.script = {}
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert SECRET not in rerun.stdout + rerun.stderr
    assert sorted(stored_ids(store)) == sorted(ids)


def test_cli_never_prints_the_password_even_when_given_on_the_command_line(lrs, fault_proxy,
                                                                          tmp_path):
    from click.testing import CliRunner

    from noroom.cli import cli

    fault_proxy.script = {1: Fault("status", 403)}
    result = CliRunner().invoke(cli, ["sync", "--lrs", fault_proxy.url, "--lrs-user", "key",
                                      "--lrs-password", SECRET, "--store",
                                      str(tmp_path / "s.sqlite")])
    assert result.exit_code == 1
    assert result.output.strip() == ("the LRS refused the credentials (HTTP 403); check "
                                     "--lrs-user and the password (they are not shown here)")
    assert SECRET not in result.output
