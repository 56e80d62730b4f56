"""Dumps are written a slice of rows at a time through temp files: the same rows and bytes as
sorting the whole day in memory gave, and nothing left behind on disk."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsmill.pipeline.publish import dumps, tables
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.publish.dumps import SORT_KEYS, build_dump
from newsmill.pipeline.publish.tables import (
    ARTICLE_SCHEMA,
    PARQUET_OPTIONS,
    parquet_to_table,
    rows_to_table,
    table_to_parquet,
    to_row,
)
from newsmill.storage import Store, StoreError, open_store

DAY = "2026-01-02"
PREFIX = f"dumps/date={DAY}/"


def _row(site: str, n: int, revision: int = 1, fetched: str = "03:04:05",
         duplicate_of: str | None = None) -> dict[str, Any]:
    url = f"https://{site}.example.org/a{n:03d}"
    article = Article(url=url, canonical_url=url, site=site, domain=f"{site}.example.org",
                      title=f"T{n} é", text=f"text {n} " * 40, revision=revision,
                      fetched_at=f"2026-01-02T{fetched}Z", source="feed", extractor="x",
                      raw_ref=f"raw/site={site}/date={DAY}/r-00001.warc.gz#{n}",
                      duplicate_of=duplicate_of)
    return to_row(article)


def _input_files() -> list[bytes]:
    """Article files as processing runs leave them: several sites, URLs interleaved across
    files, a revision, an exact tie on the sort keys, a duplicate, an empty file and a file
    written before two columns existed."""
    runs = [
        [_row("b", n) for n in (9, 1, 5, 13, 17, 21, 25)] + [_row("a", 4)],
        [_row("b", n) for n in (2, 6, 10, 14, 18, 3)],
        [],
        [_row("a", n) for n in range(10)] + [_row("b", 5, revision=2)],
        # The same story and revision again, fetched later: a tie the sort must keep in order.
        [_row("b", 9, fetched="09:09:09"), _row("c", 1, duplicate_of="someid")],
    ]
    files = [table_to_parquet(rows_to_table(rows)) for rows in runs]
    old = rows_to_table([_row("c", n) for n in (7, 3, 5)]).drop_columns(["image", "tags"])
    return [*files, table_to_parquet(old)]


def _store_with(root: Path, files: list[bytes]) -> Store:
    store = open_store(str(root))
    for i, data in enumerate(files):
        store.put(f"articles/site=x/date={DAY}/r-{i:05d}.parquet", data)
    return store


def _whole_day(files: list[bytes]) -> pa.Table:
    """What build_dump did before it streamed: every row in memory, sorted at once."""
    return pa.concat_tables([parquet_to_table(data) for data in files]).sort_by(list(SORT_KEYS))


def _parquet_rows(data: bytes) -> list[dict[str, Any]]:
    # Read back, not compared in memory: a column an old file lacked is null there even
    # where the schema says required, and Parquet stores such a null as the empty value.
    return list(pq.read_table(io.BytesIO(data)).to_pylist())


def _old_jsonl(table: pa.Table) -> bytes:
    """The JSONL text (before compression) of the whole day's rows, one by one."""
    return b"".join(json.dumps(row, ensure_ascii=False, sort_keys=False).encode("utf-8") + b"\n"
                    for row in table.to_pylist())


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices, spill batches and JSONL batches of a few rows, so the test's few rows cross
    every boundary there is."""
    monkeypatch.setattr(tables, "SPILL_BATCH_ROWS", 2)
    monkeypatch.setattr(dumps, "ROW_GROUP_ROWS", 5)
    monkeypatch.setattr(dumps, "JSONL_BATCH_ROWS", 3)


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temp files go to during the test, to see that none is left there."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_streamed_dump_has_the_rows_and_bytes_of_a_whole_day_sort(
        tmp_path: Path, small_slices: None, temp_root: Path) -> None:
    files = _input_files()
    store = _store_with(tmp_path / "store", files)
    expected = _whole_day(files)

    manifest = build_dump(store, DAY)

    parquet = store.get(PREFIX + "articles.parquet")
    jsonl = store.get(PREFIX + "articles.jsonl.gz")
    back = pq.read_table(io.BytesIO(parquet))
    assert back.schema == ARTICLE_SCHEMA
    assert back.to_pylist() == _parquet_rows(table_to_parquet(expected))
    # The text is the whole day's; the file is a series of gzip members (one per JSONL batch,
    # compressed side by side), which gzip readers take as one stream.
    assert gzip.decompress(jsonl) == _old_jsonl(expected)
    assert jsonl.count(b"\x1f\x8b\x08") >= 30 // dumps.JSONL_BATCH_ROWS
    # Row groups of ROW_GROUP_ROWS, written with the options every other Parquet file has.
    whole = io.BytesIO()
    pq.write_table(expected, whole, row_group_size=5, **PARQUET_OPTIONS)
    assert parquet == whole.getvalue()

    assert manifest["row_count"] == expected.num_rows == 30
    assert manifest["sites"] == {"a": 11, "b": 15, "c": 4}
    # Distinct ids of rows that are no duplicate: a/4 and b/9 are there twice, b/5 in two
    # revisions, c/1 is a duplicate.
    assert manifest["unique_articles"] == 26
    by_name = {f["name"]: f for f in manifest["files"]}
    for name, data in (("articles.parquet", parquet), ("articles.jsonl.gz", jsonl)):
        assert by_name[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert by_name[name]["size"] == len(data)
        assert by_name[name]["rows"] == 30
    assert list(temp_root.iterdir()) == []


def test_the_same_rows_in_other_files_give_the_same_bytes(
        tmp_path: Path, small_slices: None, temp_root: Path) -> None:
    rows = [_row(site, n) for site in ("b", "a") for n in range(12)]
    one = _store_with(tmp_path / "one", [table_to_parquet(rows_to_table(rows))])
    split = [table_to_parquet(rows_to_table(rows[i::3])) for i in range(3)]
    other = _store_with(tmp_path / "other", split)

    first = build_dump(one, DAY)
    second = build_dump(other, DAY)
    # Rebuilt from scratch over the same files: the same bytes again.
    for key in list(other.list(PREFIX)):
        other.delete(key)
    third = build_dump(other, DAY)

    names = ("articles.parquet", "articles.jsonl.gz")
    for name in names:
        assert one.get(PREFIX + name) == other.get(PREFIX + name)
    assert first["files"] == second["files"] == third["files"]
    assert third["unchanged"] is False
    assert list(temp_root.iterdir()) == []


def test_a_day_without_articles_dumps_the_empty_table(tmp_path: Path, temp_root: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    manifest = build_dump(store, DAY)
    assert manifest["row_count"] == 0 and manifest["sites"] == {}
    assert store.get(PREFIX + "articles.parquet") == table_to_parquet(ARTICLE_SCHEMA.empty_table())
    assert gzip.decompress(store.get(PREFIX + "articles.jsonl.gz")) == b""
    assert list(temp_root.iterdir()) == []


class _FailingUploads:
    """A store whose file uploads fail, as an unreachable bucket's would."""

    def __init__(self, inner: Store):
        self.inner = inner

    def put_file(self, key: str, path: str) -> None:
        raise StoreError(f"upload {key!r} failed")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_temp_files_go_also_when_the_dump_fails(tmp_path: Path, temp_root: Path) -> None:
    store = _store_with(tmp_path / "store", _input_files())
    with pytest.raises(StoreError):
        build_dump(_FailingUploads(store), DAY)  # type: ignore[arg-type]
    assert list(temp_root.iterdir()) == []
    assert not store.exists(PREFIX + "manifest.json")

    store.put(f"articles/site=x/date={DAY}/r-99999.parquet", b"not parquet")
    with pytest.raises(pa.ArrowInvalid):
        build_dump(store, DAY)
    assert list(temp_root.iterdir()) == []


def test_a_dump_into_s3_uploads_the_files_it_names(s3_uri: str, tmp_path: Path,
                                                   temp_root: Path) -> None:
    files = _input_files()
    store = _store_with(tmp_path / "local", files)
    bucket = open_store(s3_uri)
    for key in store.list("articles/"):
        bucket.put(key, store.get(key))

    manifest = build_dump(bucket, DAY)

    assert json.loads(bucket.get(PREFIX + "manifest.json")) == {
        k: v for k, v in manifest.items() if k != "unchanged"}
    for entry in manifest["files"]:
        data = bucket.get(entry["key"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    rows = _parquet_rows(bucket.get(PREFIX + "articles.parquet"))
    assert rows == _parquet_rows(table_to_parquet(_whole_day(files)))
    assert list(temp_root.iterdir()) == []
