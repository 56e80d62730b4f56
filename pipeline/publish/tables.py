"""Article rows as Arrow tables: one explicit schema for every Parquet file we write."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsmill.pipeline.publish.article import RECORD_FIELDS, SCHEMA_VERSION, Article

PROVENANCE_FIELDS = ("title", "authors", "published_at")

_STR = pa.string()
_LIST = pa.list_(pa.string())
_INT = pa.int32()
# Lists of structs and a struct, not JSON strings: DuckDB, pandas and Spark read them as columns.
_IMAGES = pa.list_(pa.struct([pa.field("url", _STR), pa.field("caption", _STR),
                              pa.field("credit", _STR), pa.field("width", _INT),
                              pa.field("height", _INT)]))
_EMBEDS = pa.list_(pa.struct([pa.field("kind", _STR), pa.field("url", _STR),
                              pa.field("text", _STR), pa.field("author", _STR),
                              pa.field("position", _INT)]))
_RIGHTS = pa.struct([pa.field("license", _STR), pa.field("tdm_reserved", pa.bool_()),
                     pa.field("tdm_policy", _STR), pa.field("noai", pa.bool_())])

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("id", _STR, nullable=False),
        pa.field("url", _STR, nullable=False),
        pa.field("canonical_url", _STR, nullable=False),
        pa.field("site", _STR, nullable=False),
        pa.field("domain", _STR, nullable=False),
        pa.field("title", _STR),
        pa.field("description", _STR),
        pa.field("authors", _LIST, nullable=False),
        pa.field("organizations", _LIST, nullable=False),
        pa.field("published_at", _STR),
        pa.field("published_local", _STR),
        pa.field("modified_at", _STR),
        pa.field("language", _STR),
        pa.field("text", _STR, nullable=False),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("categories", _LIST, nullable=False),
        pa.field("tags", _LIST, nullable=False),
        pa.field("image", _STR),
        pa.field("images", _IMAGES, nullable=False),
        pa.field("embeds", _EMBEDS, nullable=False),
        pa.field("rights", _RIGHTS, nullable=False),
        pa.field("paywalled", pa.bool_()),
        pa.field("fetched_at", _STR, nullable=False),
        pa.field("source", _STR, nullable=False),
        pa.field("content_hash", _STR, nullable=False),
        pa.field("revision", pa.int32(), nullable=False),
        pa.field("duplicate_of", _STR),
        pa.field("syndicated_from", _STR),
        pa.field("raw_ref", _STR, nullable=False),
        pa.field("extractor", _STR, nullable=False),
        # A struct rather than a map: DuckDB, pandas and Spark all read it as plain columns.
        pa.field("provenance", pa.struct([pa.field(f, _STR) for f in PROVENANCE_FIELDS])),
        pa.field("schema_version", _STR, nullable=False),
    ],
    metadata={"newsmill.schema_version": SCHEMA_VERSION},
)

assert tuple(ARTICLE_SCHEMA.names) == RECORD_FIELDS


def to_row(article: Article) -> dict[str, Any]:
    row = article.to_record()
    row["provenance"] = {f: article.provenance.get(f) for f in PROVENANCE_FIELDS}
    return row


def rows_to_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=ARTICLE_SCHEMA)


def table_to_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    # Fixed writer options keep the bytes identical for identical rows, so reruns are no-ops.
    pq.write_table(table, sink, compression="zstd", write_statistics=True, use_dictionary=True)
    return sink.getvalue()


def parquet_to_table(data: bytes) -> pa.Table:
    """The rows of one Parquet file, in ARTICLE_SCHEMA (columns it lacks are null).

    Read from memory on the calling thread with ParquetFile, not pq.read_table: that builds a
    dataset scanner whose background threads can outlive the command and abort the interpreter
    at exit (`terminate called without an active exception`, apache/arrow#34314 and #39162).
    One small file gains nothing from threads anyway.
    """
    table = pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False)
    if table.schema.equals(ARTICLE_SCHEMA):
        return table
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
               else pa.nulls(table.num_rows, f.type) for f in ARTICLE_SCHEMA]
    return pa.Table.from_arrays(columns, schema=ARTICLE_SCHEMA)


def row_to_article(row: dict[str, Any]) -> Article:
    prov = {k: v for k, v in (row.get("provenance") or {}).items() if v is not None}
    return Article.from_record({**row, "provenance": prov})
