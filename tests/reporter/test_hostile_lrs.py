"""Sync from a broken or hostile LRS (issue 14, item 3): capped pages (a gzip bomb, an endless
page), poisoned `stored` times and Consistent-Through, a slow-loris LRS, a `more` chain that
never ends, credentials in the endpoint URL, and no overlap when the LRS vouches for its cursor.
Each hostile input stays within 1 GiB and 60 s."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lrs_reporter.lrs import LRSClient
from lrs_reporter.store import Store
from lrs_reporter.sync import sync_store
from noroom.errors import ConfigError, LRSError
from tests.support.fault_proxy import Fault
from tests.support.hostile_lrs import (
    Answer,
    dribble,
    endless,
    gzip_bomb,
    gzipped,
    statements_page,
)

from .conftest import statement

SECRET = "s3cr3t-pass-word"
ROOT = Path(__file__).resolve().parents[2]


def client(url: str, **kw) -> LRSClient:  # type: ignore[no-untyped-def]
    return LRSClient(url, "key", SECRET, sleep=lambda s: None, **kw)


def stored(who: str, when: str) -> dict:
    return {**statement(f"{who}@example.org", hotel="A"), "stored": when}


# The sync as the CLI runs it, in a child process that reports its own peak memory.
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
CHILD = """
import re, sys
from noroom.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
status = open("/proc/self/status").read()
print("peak-rss-kb", re.search(r"VmHWM:\\s+(\\d+)", status).group(1), file=sys.stderr)
sys.exit(code)
"""


def cli_sync(url: str, store: Path, *extra: str, timeout: float = 60
             ) -> tuple[int, str, int]:
    """(exit code, stderr, peak memory in MB) of `noroom [extra] sync` in a child process."""
    done = subprocess.run([sys.executable, "-c", CHILD, *extra, "sync", "--lrs", url,
                           "--lrs-user", "key", "--store", str(store)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={"NOROOM_LRS_PASSWORD": SECRET, "PATH": "/usr/bin:/bin"})
    lines = done.stderr.splitlines()
    peak = int(lines[-1].split()[-1]) // 1024
    return done.returncode, "\n".join(lines[:-1]), peak


@pytest.mark.parametrize("kind", ["gzip bomb", "600 MB page"])
def test_an_oversized_page_stops_the_sync_clearly_within_bounded_memory(hostile, tmp_path, kind):
    if kind == "gzip bomb":  # 1 MB on the wire, 1 GiB inflated
        bomb = gzip_bomb(1 << 30)
        hostile.answer = lambda r: Answer(bomb, headers={"Content-Encoding": "gzip"})
    else:
        head, tail, blanks = b'{"statements": [', b'], "more": ""}', b" " * (1 << 20)
        size = str(len(head) + 600 * len(blanks) + len(tail))
        hostile.answer = lambda r: Answer(iter([head, *[blanks] * 600, tail]),
                                          headers={"Content-Length": size})
    start = time.monotonic()
    code, err, peak = cli_sync(hostile.url, tmp_path / "s.sqlite")
    assert (code, err) == (1, "the LRS sent a page of more than 64 MB (after decompression); "
                              "stopping; statements already stored are kept; try a smaller "
                              "--page-size, or report this to the LRS vendor")
    assert peak < 400, f"{peak} MB"
    assert time.monotonic() - start < 30
    assert len(hostile.requests) == 1  # not retried: the same page would come again


def test_an_endless_page_is_cut_at_the_cap(hostile, tmp_path):
    hostile.answer = lambda r: Answer(endless(hostile.closing))
    with pytest.raises(LRSError, match="a page of more than 4 MB"):
        sync_store(tmp_path / "s.sqlite", "", None, None,
                   client=client(hostile.url, max_page_bytes=4 << 20))
    assert hostile.sent < 64 << 20


def test_a_gzip_page_within_the_cap_is_read(hostile, tmp_path):
    sts = [stored(f"a{i}", f"2026-05-01T10:00:0{i}Z") for i in range(3)]
    hostile.answer = lambda r: gzipped(statements_page(sts))
    result = sync_store(tmp_path / "s.sqlite", "", None, None, client=client(hostile.url))
    assert (result.fetched, result.new) == (3, 3)
    assert hostile.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_gzip_page_in_several_members_is_read_whole(hostile, tmp_path):
    # RFC 1952 2.2: a gzip file is a series of members; a server that compresses as it streams
    # may send one member per chunk. Each member must be read, not only the first.
    sts = [stored(f"m{i}", f"2026-05-01T10:00:0{i}Z") for i in range(4)]
    body = statements_page(sts)
    third = len(body) // 3
    members = b"".join(gzip.compress(body[i:i + third]) for i in range(0, len(body), third))
    hostile.answer = lambda r: Answer(members, headers={"Content-Encoding": "gzip"})
    result = sync_store(tmp_path / "s.sqlite", "", None, None, client=client(hostile.url))
    assert (result.fetched, result.new) == (4, 4)


def test_a_bomb_split_over_gzip_members_is_still_capped(hostile, tmp_path):
    # Members of blanks: the cap counts all members together, not each on its own.
    bomb = gzip.compress(b'{"statements": [') + b"".join(
        gzip.compress(b" " * (1 << 20)) for _ in range(12)) + gzip.compress(b'], "more": ""}')
    hostile.answer = lambda r: Answer(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(LRSError, match="more than 4 MB"):
        sync_store(tmp_path / "s.sqlite", "", None, None,
                   client=client(hostile.url, max_page_bytes=4 << 20))


def test_a_page_in_an_encoding_not_asked_for_is_refused_clearly(hostile, tmp_path):
    hostile.answer = lambda r: Answer(b"\x00" * 100, headers={"Content-Encoding": "br"})
    with pytest.raises(LRSError, match="a page encoded as 'br', which noroom does not read"):
        sync_store(tmp_path / "s.sqlite", "", None, None, client=client(hostile.url))


def test_a_slow_loris_lrs_is_held_to_the_page_deadline(hostile, tmp_path):
    # A byte every 50 ms: each read comes well within the read timeout, the page would take
    # 25 s; the sync must give up on it after its deadline (1 s here) per attempt.
    body = statements_page([stored("a", "2026-05-01T10:00:00Z")])
    hostile.answer = lambda r: Answer(dribble(hostile.closing, 0.05, body),
                                      headers={"Content-Length": str(len(body))})
    start = time.monotonic()
    with pytest.raises(LRSError, match=r"gave up after 2 attempts: no whole page within 1 s"):
        sync_store(tmp_path / "s.sqlite", "", None, None,
                   client=client(hostile.url, page_deadline=1.0, attempts=2))
    assert time.monotonic() - start < 8


@pytest.mark.parametrize("shape", ["the same page", "the same statements, later stored"])
def test_a_more_chain_that_brings_nothing_new_is_stopped(hostile, tmp_path, shape):
    sts = [stored(f"a{i}", f"2026-05-01T10:00:0{i}Z") for i in range(3)]

    def answer(r):  # type: ignore[no-untyped-def]
        if r.n > 2000:
            return Answer(b"", status=500)
        page = sts if shape == "the same page" else [
            {**s, "stored": f"2026-05-0{1 + r.n // 1000}T{r.n % 1000 // 60:02d}:{r.n % 60:02d}:00Z"}
            for s in sts]
        return Answer(statements_page(page, more=f"/xAPI/statements?page={r.n + 1}"))

    hostile.answer = answer
    with pytest.raises(LRSError, match="pages in a row that bring nothing new"):
        sync_store(tmp_path / "s.sqlite", "", None, None, client=client(hostile.url))
    assert len(hostile.requests) <= 15
    with Store.open(tmp_path / "s.sqlite", readonly=True) as s:
        assert s.count() == 3


def cursor(store: Path) -> str | None:
    with Store.open(store, readonly=True) as s:
        return s.get("cursor")


@pytest.mark.lrs
@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                                  "0001-01-01T00:00:00+14:00"])
def test_a_poisoned_stored_time_never_becomes_the_cursor(lrs, fault_proxy, tmp_path, when):
    poison = stored("x", when)
    fault_proxy.script = {1: Fault("inject", value=json.dumps(poison))}
    store = tmp_path / "s.sqlite"
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    assert cursor(store) is None  # nothing plausible was stored yet
    later = statement("b@example.org", hotel="A")
    lrs.post([later])
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    with Store.open(store, readonly=True) as s:
        assert set(s.ids()) == {poison["id"], later["id"]}
        assert s.get("cursor") == next(st["stored"] for st in lrs.all())


@pytest.mark.lrs
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_a_poisoned_consistent_through_never_moves_the_cursor_past_now(lrs, fault_proxy,
                                                                       tmp_path, value):
    lrs.post([statement("a@example.org", hotel="A")])
    fault_proxy.script = {1: Fault("consistent", value=value)}
    store = tmp_path / "s.sqlite"
    before = datetime.now(UTC)
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    moved = datetime.fromisoformat(cursor(store))  # type: ignore[arg-type]
    assert moved <= datetime.now(UTC) and moved.year == before.year
    later = statement("b@example.org", hotel="A")
    lrs.post([later])
    sync_store(store, "", None, None, client=LRSClient(fault_proxy.url, "k", "s"))
    with Store.open(store, readonly=True) as s:
        assert later["id"] in s.ids()


@pytest.mark.lrs
@pytest.mark.parametrize("poisoned", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_a_store_poisoned_by_an_earlier_version_syncs_again(lrs, tmp_path, poisoned):
    first = statement("a@example.org", hotel="A")
    lrs.post([first])
    store = tmp_path / "s.sqlite"
    with Store.open(store) as s:
        s.add_page([], {"cursor": poisoned})
    lrs.post([statement("b@example.org", hotel="A")])
    assert sync_store(store, lrs.endpoint, "k", "s").new == 2
    assert cursor(store) == max(st["stored"] for st in lrs.all())


def test_credentials_in_the_endpoint_url_are_refused_without_showing_them(hostile, tmp_path):
    url = hostile.url.replace("http://", f"http://key:{SECRET}@")
    code, err, _ = cli_sync(url, tmp_path / "s.sqlite", "-vv")
    assert code == 2 and SECRET not in err
    assert err == ("the LRS endpoint URL holds a user name or password; give the URL without "
                   "them, the key with --lrs-user and the secret in NOROOM_LRS_PASSWORD (or "
                   "--lrs-config)")
    assert hostile.requests == [] and not (tmp_path / "s.sqlite").exists()
    with pytest.raises(ConfigError):
        LRSClient(url)


def test_credentials_in_a_more_link_are_neither_used_nor_logged(hostile, tmp_path):
    port = hostile.url.split(":")[2].split("/")[0]
    sts = [stored(f"a{i}", f"2026-05-01T10:00:0{i}Z") for i in range(2)]
    more = f"http://evil:{SECRET}@127.0.0.1:{port}/xAPI/statements?page=2"
    hostile.answer = lambda r: Answer(statements_page(sts[:1] if r.n == 1 else sts[1:],
                                                      more if r.n == 1 else ""))
    code, err, _ = cli_sync(hostile.url, tmp_path / "s.sqlite", "-v")
    assert code == 0, err
    assert "HTTP Request: GET http://127.0.0.1" in err and SECRET not in err
    assert [r.headers["Authorization"] for r in hostile.requests] == [
        hostile.requests[0].headers["Authorization"]] * 2  # the configured key, never evil's


@pytest.mark.lrs
def test_an_lrs_that_sends_consistent_through_is_not_asked_again_for_what_was_fetched(
        lrs, tmp_path):
    lrs.post([statement(f"a{i}@example.org", hotel="A") for i in range(5)])
    store = tmp_path / "s.sqlite"
    assert sync_store(store, lrs.endpoint, "k", "s").fetched == 5
    lrs.post([statement("b@example.org", hotel="A")])
    again = sync_store(store, lrs.endpoint, "k", "s")
    assert (again.fetched, again.new) == (1, 1)  # with the 10-minute overlap it fetched 6
