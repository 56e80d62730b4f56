"""Listing cost follows what is new, not the archive's history: processing finds waiting raw
files by their pending markers, and a local store walks only the folder a prefix names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers_raw import BASE, SITE, TOPICS, article_html, put_raw

from newsmill.pipeline.app.process import pending_raw_keys, process_keys
from newsmill.pipeline.warc import pending
from newsmill.storage.local import LocalStore

KEYS = [
    "raw/site=a/date=2026-01-01/x.warc.gz",
    "raw/site=ab/date=2026-01-02/y.warc.gz",
    "raw/site=b/z",
    "rawx",
    "runs/1.json",
    "top",
]


@pytest.mark.parametrize(
    "prefix",
    ["", "raw/", "raw", "raw/site=a", "raw/site=a/", "r", "raw/site=ab/date=2026-01-02/",
     "nope/", "raw/site=a/date=2026-01-01/x.warc.gz", "raw/site=b/z/"],
)
def test_local_list_gives_exactly_the_keys_under_a_prefix(prefix: str, tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for key in KEYS:
        store.put(key, b"1")
    assert list(store.list(prefix)) == [k for k in sorted(KEYS) if k.startswith(prefix)]


class CountingStore(LocalStore):
    """A local store that remembers what it was asked to list and how many keys it walked."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.listed: list[str] = []

    def list(self, prefix: str = "") -> Iterator[str]:
        self.listed.append(prefix)
        return super().list(prefix)


def _history(store: LocalStore, n: int) -> list[str]:
    """`n` raw files of earlier runs, already processed (done markers), as a store that has
    run for a while holds them."""
    keys = []
    for i in range(n):
        key = f"raw/site={SITE}/date=2025-{1 + i % 12:02d}-{1 + i % 28:02d}/old{i}-00001.warc.gz"
        store.put(key, b"")
        store.put(pending.done_key(key), b"")
        keys.append(key)
    return keys


def test_processing_lists_only_what_waits_not_the_history(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    _history(store, 50)
    assert pending_raw_keys(store) == []  # the first look reconciles the whole store, once
    new = f"raw/site={SITE}/date=2026-03-02/r1-00001.warc.gz"
    slug, lead = TOPICS[0]
    put_raw(store, new, [(BASE + slug, article_html(slug, lead))])
    pending.mark(store, [new])
    store.listed.clear()

    assert pending_raw_keys(store) == [new]
    assert store.listed == [pending.PREFIX]  # neither raw/ nor state/processed/

    process_keys(store, [new], workers=1)
    assert pending_raw_keys(store) == []  # its marker went with its done marker
    assert not store.exists(pending.marker_key(new))


def test_raw_files_without_a_marker_are_found_by_the_crawl_and_by_the_periodic_rescan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    _history(store, 5)
    assert pending_raw_keys(store) == []
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    recovered = f"raw/site={SITE}/date={today}/killed-00001.warc.gz"  # a killed crawl's file
    store.put(recovered, b"")
    other = "raw/site=elsewhere/date=2025-06-01/put-by-hand-00001.warc.gz"
    store.put(other, b"")
    assert pending_raw_keys(store) == []  # unmarked, and the rescan is not due

    pending.mark_recent(store, [SITE])  # what a crawl of the site does after it ends
    assert pending_raw_keys(store) == [recovered]

    monkeypatch.setenv("NEWSMILL_PENDING_RESCAN_HOURS", "0")
    assert pending_raw_keys(store, ["elsewhere"]) == [other]
