"""Dump partitions: pending dates are tracked, and republishing unchanged input writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsmill.pipeline.app import jobs
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.publish.dumps import mark_pending
from newsmill.pipeline.publish.tables import (
    ARTICLE_SCHEMA,
    parquet_to_table,
    rows_to_table,
    table_to_parquet,
    to_row,
)
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


# Run in a fresh interpreter: whatever threads Arrow starts there are the dump's own.
_DUMP_AND_COUNT_THREADS = """
import os, sys
from newsmill.pipeline.app import jobs
before = len(os.listdir("/proc/self/task"))
manifest = jobs.dump(sys.argv[1], "2026-01-02")
print(manifest["row_count"], before, len(os.listdir("/proc/self/task")))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_a_dump_leaves_no_arrow_thread_behind_to_abort_the_exit(tmp_path: Path) -> None:
    """`newsmill dump` used to exit with SIGABRT now and then after its work: Arrow dataset
    scanner threads still alive when the interpreter tore the thread pool down. Reading the
    article files now starts no background thread, so none is left at exit."""
    store = open_store(str(tmp_path))
    for n in range(40):
        table = rows_to_table([to_row(_article(n))])
        store.put(f"articles/site=s/date=2026-01-02/r-{n:05d}.parquet", table_to_parquet(table))
    proc = subprocess.run([sys.executable, "-c", _DUMP_AND_COUNT_THREADS, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows, before, after = map(int, proc.stdout.split())
    assert rows == 40
    assert after == before


def test_an_article_file_missing_a_column_reads_with_it_null(tmp_path: Path) -> None:
    table = rows_to_table([to_row(_article(1))]).drop_columns(["image", "modified_at"])
    back = parquet_to_table(table_to_parquet(table))
    assert back.schema == ARTICLE_SCHEMA
    assert back.column("image").to_pylist() == [None]
    assert back.column("title").to_pylist() == ["T1"]
