"""First-cut deduplication: one record per canonical URL, copies flagged, revisions counted."""

from __future__ import annotations

from pathlib import Path

from pipeline.article import Article
from pipeline.dedup import DedupIndex, Verdict
from storage import open_store


def art(url: str, text: str, raw_ref: str) -> Article:
    return Article(url=url, canonical_url=url, site="s", domain="example.org", title="T",
                   text=text, fetched_at="2026-01-01T00:00:00Z", source="feed", raw_ref=raw_ref,
                   extractor="x")


def test_verdicts_survive_a_reload(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    a = art("https://example.org/a", "first text", "raw/1.warc.gz#0")
    assert index.decide(a) is Verdict.NEW and a.revision == 1 and a.duplicate_of is None
    index.save(store)

    index = DedupIndex.load(store)
    same = art("https://example.org/a", "first text", "raw/2.warc.gz#0")
    assert index.decide(same) is Verdict.UNCHANGED
    changed = art("https://example.org/a", "second text", "raw/2.warc.gz#99")
    assert index.decide(changed) is Verdict.REVISION and changed.revision == 2
    copy = art("https://example.org/copy", "first text", "raw/2.warc.gz#200")
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == a.id
    index.save(store)

    # The same capture processed again (a retried batch) gives the same record, not revision 3.
    index = DedupIndex.load(store)
    again = art("https://example.org/a", "second text", "raw/2.warc.gz#99")
    assert index.decide(again) is Verdict.REPLAY and again.revision == 2
    copy_again = art("https://example.org/copy", "first text", "raw/2.warc.gz#200")
    assert index.decide(copy_again) is Verdict.REPLAY and copy_again.duplicate_of == a.id
