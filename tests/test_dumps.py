"""Dump partitions: pending dates are tracked, and republishing unchanged input writes nothing."""

from __future__ import annotations

from pathlib import Path

from newsmill.pipeline.app import jobs
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.publish.dumps import mark_pending
from newsmill.pipeline.publish.tables import rows_to_table, table_to_parquet, to_row
from newsmill.storage import open_store


def _article(n: int) -> Article:
    return Article(url=f"https://example.org/a{n}", canonical_url=f"https://example.org/a{n}",
                   site="s", domain="example.org", title=f"T{n}", text=f"text number {n}",
                   fetched_at="2026-01-02T03:04:05Z", source="feed",
                   raw_ref="raw/site=s/date=2026-01-02/r-00001.warc.gz#0", extractor="x")


def test_pending_dates_are_published_once(tmp_path: Path) -> None:
    uri = str(tmp_path)
    store = open_store(uri)
    table = rows_to_table([to_row(_article(1)), to_row(_article(2))])
    mark_pending(store, "2026-01-02")
    store.put("articles/site=s/date=2026-01-02/r-00001.parquet", table_to_parquet(table))
    assert jobs.pending_dump_dates(uri) == ["2026-01-02"]

    first = jobs.dump(uri, "2026-01-02")
    assert first["row_count"] == 2 and first["unchanged"] is False
    assert first["sites"] == {"s": 2}
    assert jobs.pending_dump_dates(uri) == []
    before = {k: store.get(k) for k in store.list("dumps/")}

    again = jobs.dump(uri, "2026-01-02")
    assert again["unchanged"] is True
    assert {k: store.get(k) for k in store.list("dumps/")} == before
