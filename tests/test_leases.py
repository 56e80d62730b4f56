"""The processing lease: renewed while held, taken over only when stale and by one waiter,
released only by its holder, and fencing the dedup index against a holder that lost it.
Both backends: a local folder and S3 (real moto_server)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from newsmill.pipeline.app import leases
from newsmill.pipeline.app.leases import Lease, LockBusy, take_lease
from newsmill.pipeline.dedup.index import MANIFEST_KEY, DedupIndex, Verdict
from newsmill.pipeline.publish.article import Article
from newsmill.storage import Store, open_store
from newsmill.storage.base import LeaseLost, fenced

STALE = 0.6
KEY = "state/locks/process.lock"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("NEWSMILL_LEASE_STALE_SECONDS", str(STALE))
    if request.param == "local":
        return open_store(str(tmp_path / "store"))
    return open_store(request.getfixturevalue("s3_uri"))


def _holder(store: Store) -> dict[str, Any]:
    return dict(json.loads(store.get(KEY)))


def _stop_heartbeat(lease: Lease) -> None:
    """As if the holder's process were stopped: its lease is no longer renewed."""
    lease._stop.set()
    assert lease._thread is not None
    lease._thread.join()


def test_a_held_lease_is_renewed_so_no_one_takes_it(store: Store) -> None:
    a = take_lease(store, "process", "run-a")
    try:
        time.sleep(3 * STALE)  # three stale times: only renewals keep it
        beat = _holder(store)["beat"]
        assert beat >= 4
        with pytest.raises(LockBusy, match="run-a"):
            take_lease(store, "process", "run-b", wait=2 * STALE)
        a.check()
    finally:
        a.release()
    assert _holder(store)["state"] == "released"
    b = take_lease(store, "process", "run-b", wait=1.0)
    try:
        assert b.token > a.token
    finally:
        b.release()


def test_two_waiters_on_a_stale_holder_one_takes_it(store: Store) -> None:
    gone = {"owner": "run-dead", "host": "elsewhere", "pid": 1, "state": "held",
            "generation": 7, "beat": 3, "at": 0}
    store.put(KEY, json.dumps(gone).encode())
    won: list[Lease] = []
    busy: list[str] = []

    def wait_for_it(owner: str) -> None:
        try:
            won.append(take_lease(store, "process", owner, wait=4 * STALE))
        except LockBusy as exc:
            busy.append(str(exc))

    threads = [threading.Thread(target=wait_for_it, args=(f"run-{n}",)) for n in "bc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(won) == 1 and len(busy) == 1, (won, busy)
        # The loser neither deleted nor overwrote the winner's fresh lease.
        holder = _holder(store)
        assert holder["owner"] == won[0].owner and holder["state"] == "held"
        assert holder["generation"] == won[0].token > 7
        won[0].check()
    finally:
        for lease in won:
            lease.release()


def test_a_stopped_holder_loses_the_lease_and_cannot_release_the_new_one(store: Store) -> None:
    a = take_lease(store, "process", "run-a")
    _stop_heartbeat(a)
    b = take_lease(store, "process", "run-b", wait=4 * STALE)
    try:
        with pytest.raises(LeaseLost, match="took it over"):
            a.check()
        a.release()
        holder = _holder(store)
        assert holder["owner"] == "run-b" and holder["state"] == "held"
        b.check()
    finally:
        b.release()


def test_a_dead_holder_on_this_machine_is_taken_over_at_once(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMILL_LEASE_STALE_SECONDS", "300")
    dead = subprocess.Popen(["true"])
    dead.wait()
    record = {"owner": "run-killed", **leases._machine(), "pid": dead.pid, "state": "held",
              "generation": 3, "beat": 0, "at": time.time()}
    store.put(KEY, json.dumps(record).encode())
    t0 = time.monotonic()
    lease = take_lease(store, "process", "run-new", wait=5)
    try:
        assert time.monotonic() - t0 < 3
    finally:
        lease.release()


def _art(url: str, text: str) -> Article:
    return Article(url=url, canonical_url=url, text=text, raw_ref=f"raw/{len(text)}.warc.gz#0",
                   site="s", domain="example.org", title="T", source="feed", extractor="x",
                   fetched_at="2026-01-01T00:00:00Z")


class _PassedItsCheck:
    """A holder that checked its lease just before it was stopped, and writes on resuming."""

    def __init__(self, token: int):
        self.token = token

    def check(self) -> None:
        pass


def test_the_index_refuses_a_save_under_a_lost_lease(store: Store) -> None:
    a = take_lease(store, "process", "run-a")
    with fenced(a):
        index_a = DedupIndex.load(store)
    stopped = _art("https://example.org/a", "decided by the stopped run")
    assert index_a.decide(stopped) is Verdict.NEW
    _stop_heartbeat(a)

    b = take_lease(store, "process", "run-b", wait=4 * STALE)
    with fenced(b):
        index_b = DedupIndex.load(store)
        new = _art("https://example.org/b", "decided by the new holder")
        assert index_b.decide(new) is Verdict.NEW
        index_b.save(store)
    b.release()
    saved = store.get(MANIFEST_KEY)
    assert json.loads(saved)["token"] == b.token

    with pytest.raises(LeaseLost):  # the lease check: the renewal finds it taken
        index_a.save(store)
    index_a.fence = _PassedItsCheck(a.token)  # past the check, stopped, resumed
    with pytest.raises(LeaseLost, match="newer"):  # the fencing token in the manifest
        index_a.save(store)
    assert store.get(MANIFEST_KEY) == saved

    # The new holder's decision is in the index (the same capture again: a replay); the
    # stopped run's is not.
    again = DedupIndex.load(store)
    assert again.decide(_art("https://example.org/b", "decided by the new holder")) \
        is Verdict.REPLAY
    assert again.decide(_art("https://example.org/a", "decided by the stopped run")) \
        is Verdict.NEW
    # The refused writer's segments are orphans the next save removes, not live data.
    again.save(store)
    assert list(store.list("state/dedup/segments/")) == json.loads(
        store.get(MANIFEST_KEY))["segments"]


def test_a_late_save_that_lands_first_makes_the_new_holders_save_fail_not_lose_it(
        store: Store) -> None:
    """A stopped holder that had passed its lease check saves on resuming, before the run
    that took over saves: then that run's save is refused (its decisions were made against an
    index that is no longer current), rather than either losing the other's rows."""
    a = take_lease(store, "process", "run-a")
    with fenced(a):
        index_a = DedupIndex.load(store)
        index_a.decide(_art("https://example.org/a", "one"))
        index_a.save(store)
        index_a.decide(_art("https://example.org/a2", "two"))
    _stop_heartbeat(a)
    b = take_lease(store, "process", "run-b", wait=4 * STALE)
    try:
        with fenced(b):
            index_b = DedupIndex.load(store)
            index_b.decide(_art("https://example.org/b", "three"))
        index_a.fence = _PassedItsCheck(a.token)
        index_a.save(store)  # landed: nothing newer had been written yet
        with pytest.raises(LeaseLost, match="rewritten by another run"):
            index_b.save(store)
        assert json.loads(store.get(MANIFEST_KEY))["token"] == a.token
    finally:
        b.release()
    # Neither save lost the other's rows: the index holds exactly what was saved.
    again = DedupIndex.load(store)
    assert again.rows == 2
