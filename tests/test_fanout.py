"""Processing split over workers (pipeline.app.fanout) writes what one machine writes.

Raw files extracted by separate tasks, in any order, with one file's outcomes lost (its task
died), then deduplicated by the single writer, must give the same article files, byte for
byte, as `process_keys` extracting and deciding everything in one go.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers_raw import BASE, TOPICS, article_html, put_raw

from newsmill.pipeline.app import fanout
from newsmill.pipeline.app.process import articles_key, process_keys
from newsmill.storage import Store, open_store

KEYS = [f"raw/site=harbour/date=2026-03-0{d}/run-{n}.warc.gz" for d in (1, 2) for n in (1, 2)]


def fill(root: Path) -> Store:
    store = open_store(str(root))
    for i, key in enumerate(KEYS):
        slug, lead = TOPICS[i]
        pages = [(f"{BASE}{slug}", article_html(slug, lead))]
        if i:  # the previous story again under another address: a duplicate of an earlier file
            prev_slug, prev_lead = TOPICS[i - 1]
            pages.append((f"{BASE}{prev_slug}-copy", article_html(prev_slug, prev_lead)))
        put_raw(store, key, pages)
    return store


def article_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("articles/**/*"))
            if p.is_file()}


def test_batches_extracted_apart_in_any_order_write_what_one_machine_writes(
    tmp_path: Path,
) -> None:
    one = fill(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "spread")  # the same raw bytes in both
    spread = open_store(str(tmp_path / "spread"))
    single = process_keys(one, list(KEYS), workers=1)

    batches = fanout.plan(reversed(KEYS), per_batch=1)
    assert batches == [[k] for k in KEYS]  # planned in key order, whatever the listing said
    for batch in reversed(batches[1:]):  # the last batch finishes first; batch 0 is lost
        counts = fanout.extract_files(spread, batch, sites={}, workers=1)
        assert counts["files"] == 1
    assert not spread.exists(fanout.extracted_key(KEYS[0]))
    stored = fanout.stored_outcomes(spread, sites={}, workers=1)
    result = process_keys(spread, list(KEYS), workers=1, outcomes=stored)
    fanout.discard(spread, KEYS)

    assert result.per_site["harbour"].duplicates == single.per_site["harbour"].duplicates == 3
    assert article_files(tmp_path / "spread") == article_files(tmp_path / "one")
    assert set(article_files(tmp_path / "one")) == {articles_key(k) for k in KEYS}
    assert not list((tmp_path / "spread").rglob("state/extracted/**/*.gz"))


def test_a_raw_file_processed_since_the_plan_is_not_extracted_again(tmp_path: Path) -> None:
    store = fill(tmp_path / "store")
    process_keys(store, KEYS[:1], workers=1)
    counts = fanout.extract_files(store, KEYS[:2], sites={}, workers=1)
    assert counts == {"files": 1, "pages": 2, "skipped": 1}
    # A re-extraction extracts it all the same.
    again = fanout.extract_files(store, KEYS[:1], sites={}, again=True, workers=1)
    assert again["files"] == 1
