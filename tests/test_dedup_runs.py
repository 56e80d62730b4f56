"""Deduplication across separate `newsmill run`s against the demo sites, with a local store.

Run 1 crawls edition 1. Run 2 crawls edition 3, which adds a trimmed, re-headlined copy (with a
credit line) of a Ledger story on the Gazette, a different Ledger story about the same event,
and revises one Gazette story. The copy must be linked to the original seen a run earlier, from
the index the first run left in the store.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from newsmill.pipeline.publish.article import article_id

pytestmark = pytest.mark.timeout(300)


def cli(store: Path, *args: str) -> None:
    proc = run_cli(*args, "--store", str(store), "-q")
    assert proc.returncode == 0, f"{args}: {proc.stderr[-3000:]}"


def dump(store: Path) -> list[dict[str, Any]]:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return list(pq.read_table(store / f"dumps/date={day}/articles.parquet").to_pylist())


def snapshot(store: Path) -> dict[str, str]:
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in store.rglob("*") if p.is_file()}


def test_copy_in_a_later_run_links_to_the_original(demo: Any, demo_sites: Path,
                                                   tmp_path: Path) -> None:
    store = tmp_path / "store"
    cli(store, "run", "--sites", str(demo_sites))
    first = {r["canonical_url"]: r for r in dump(store)}
    copy_url, same_event_url = demo.case_url("syndicated_trimmed"), demo.case_url("same_event")
    assert copy_url not in first and same_event_url not in first

    demo.set_edition(3)
    demo.reset()
    cli(store, "run", "--sites", str(demo_sites))
    rows = dump(store)
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(row["canonical_url"], []).append(row)
    catalogue = {e.canonical_url: e for e in demo.catalogue()}

    # The trimmed copy is linked to the Ledger original crawled a run earlier ...
    copy = by_url[copy_url]
    assert len(copy) == 1 and copy[0]["revision"] == 1
    original_url = catalogue[copy_url].syndicated_of
    assert original_url in first and first[original_url]["duplicate_of"] is None
    assert copy[0]["duplicate_of"] == article_id(original_url)
    assert copy[0]["title"] != first[original_url]["title"]
    # ... and the same-event story on the same template is a story of its own.
    assert [r["duplicate_of"] for r in by_url[same_event_url]] == [None]
    # The older syndicated copy stays linked to its original.
    old_copy = demo.case_url("syndicated")
    assert by_url[old_copy][0]["duplicate_of"] == article_id(catalogue[old_copy].syndicated_of)

    # The revised story: revision 1 and 2, each once, each with its own content hash.
    changed = by_url[demo.case_url("changed")]
    assert sorted(r["revision"] for r in changed) == [1, 2]
    assert len({r["content_hash"] for r in changed}) == 2
    # Everything else once: unchanged refetches made no record.
    assert all(len(v) == 1 for u, v in by_url.items() if u != demo.case_url("changed"))
    # One row per story: every copy points at an original that is itself in the dump.
    originals = {r["id"] for r in rows if r["duplicate_of"] is None}
    assert {r["duplicate_of"] for r in rows if r["duplicate_of"]} <= originals

    # A third run with nothing new, and processing and dumping again, change nothing but the
    # run reports: the dedup state is reloaded, not rebuilt, and gives the same answers.
    before = snapshot(store)
    demo.reset()
    cli(store, "run", "--sites", str(demo_sites))
    cli(store, "process")
    cli(store, "dump")
    after = snapshot(store)
    changed_keys = {k for k in after if before.get(k) != after[k]}
    # (The third run archives and reports what it fetched: raw/, runs/ and the like change.)
    published = ("articles/", "dumps/", "state/dedup/")
    assert not [k for k in changed_keys if k.startswith(published)], changed_keys
    assert {k for k in before if k.startswith(published)} == {
        k for k in after if k.startswith(published)}
    assert dump(store) == rows
