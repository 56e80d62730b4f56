"""Article rows as Arrow tables: one explicit schema for every Parquet file we write."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
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


# Fixed writer options keep the bytes identical for identical rows, so reruns are no-ops. Shared
# by every writer (whole tables here, streamed dumps) so all our Parquet files read the same.
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True,
                                   "use_dictionary": True}


def table_to_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


# Rows per batch of the spill file: a slice of sorted output reads whole batches, so smaller
# ones waste less when many inputs each give a slice only a few rows.
SPILL_BATCH_ROWS = 64


class SortedSpill:
    """Many tables' rows read back in the order `pa.concat_tables(tables).sort_by(sort_keys)`
    gives, a slice at a time, without ever holding all of them in memory.

    Each added table is sorted on its own and written to a file on disk; only the sort keys
    and the `kept` columns stay in memory. Reading back merges those sorted runs: a slice of
    the merged order takes the next rows of each run, so each row is read about once. Arrow's
    sort is stable and ties keep their input order, so the order is exactly sort_by's.

    The file holds bare IPC messages at offsets kept here, not the IPC file format: opening
    an IPC file starts Arrow's thread pool, whose threads left at exit can abort the process
    (see parquet_to_table).
    """

    def __init__(self, path: Path, sort_keys: Sequence[tuple[str, str]], kept: Sequence[str]):
        self.schema = ARTICLE_SCHEMA
        self._path = str(path)
        self._sort_keys = list(sort_keys)
        self._columns = list(dict.fromkeys([k for k, _ in sort_keys] + list(kept)))
        self._sink: pa.NativeFile | None = None
        self._kept: list[pa.Table] = []
        self._extents: list[tuple[int, int]] = []  # per batch: offset and length in the file
        self._first_batch: list[int] = []  # per run: index of its first batch
        self._batch_starts: list[npt.NDArray[np.int64]] = []  # per run: row where each starts

    def add(self, table: pa.Table) -> None:
        if self._sink is None:
            # The first table's schema, as pa.concat_tables would keep.
            self.schema = table.schema
            self._sink = pa.OSFile(self._path, mode="wb")
        if not table.num_rows:
            return
        run = table.sort_by(self._sort_keys)
        self._first_batch.append(len(self._extents))
        sizes = [0]
        for batch in run.to_batches(max_chunksize=SPILL_BATCH_ROWS):
            message = batch.serialize()
            self._extents.append((self._sink.tell(), message.size))
            self._sink.write(message)
            sizes.append(batch.num_rows)
        self._batch_starts.append(np.cumsum(sizes, dtype=np.int64))
        self._kept.append(run.select(self._columns))

    def kept(self) -> pa.Table:
        """The sort keys and kept columns of every row (in no particular order)."""
        if not self._kept:
            return self.schema.empty_table().select(self._columns)
        return pa.concat_tables(self._kept)

    def close(self) -> None:
        """Finish the file; rows can be added no more. Removing it is the caller's part."""
        if self._sink is not None:
            self._sink.close()

    def slices(self, size: int) -> Iterator[pa.Table]:
        """All rows in sort order, `size` at a time; one empty table when there are none."""
        self.close()
        if not self._kept:
            yield self.schema.empty_table()
            return
        keys = pa.concat_tables(self._kept).select([k for k, _ in self._sort_keys])
        order = pc.sort_indices(keys, sort_keys=self._sort_keys).to_numpy().astype(np.int64)
        del keys
        run_rows = [int(starts[-1]) for starts in self._batch_starts]
        run_of = np.repeat(np.arange(len(run_rows), dtype=np.int64), run_rows)[order]
        del order
        done = np.zeros(len(run_rows), dtype=np.int64)  # rows of each run already returned
        with pa.OSFile(self._path) as source:
            for lo in range(0, len(run_of), size):
                yield self._merge(source, run_of[lo:lo + size], done)

    def _merge(self, source: pa.NativeFile, runs: npt.NDArray[np.int64],
               done: npt.NDArray[np.int64]) -> pa.Table:
        """The next rows, from runs `runs` in that order (each run's rows come in its order)."""
        counts = np.bincount(runs, minlength=len(done))
        pieces = []
        for run in np.flatnonzero(counts).tolist():
            pieces += self._read(source, run, int(done[run]), int(done[run] + counts[run]))
            done[run] += counts[run]
        # One copy made and the pieces dropped before take() makes the next: take() on many
        # chunks would concatenate them itself while they are still held, a third copy.
        gathered = pa.Table.from_batches(pieces, schema=self.schema).combine_chunks()
        del pieces
        # gathered holds the rows grouped by run; row j of the slice is gathered row inverse[j].
        by_run = np.argsort(runs, kind="stable")
        inverse = np.empty_like(by_run)
        inverse[by_run] = np.arange(len(by_run))
        return gathered.take(pa.array(inverse))

    def _read(self, source: pa.NativeFile, run: int, lo: int, hi: int) -> list[pa.RecordBatch]:
        """Rows [lo, hi) of one sorted run, from the batches that hold them."""
        starts = self._batch_starts[run]
        first = int(np.searchsorted(starts, lo, side="right")) - 1
        last = int(np.searchsorted(starts, hi - 1, side="right")) - 1
        out = []
        for i in range(first, last + 1):
            offset, length = self._extents[self._first_batch[run] + i]
            source.seek(offset)
            batch = pa.ipc.read_record_batch(source.read_buffer(length), self.schema)
            start = int(starts[i])
            begin, end = max(lo - start, 0), min(hi - start, batch.num_rows)
            # A copy of just these rows, so the whole batch is freed now: a slice would keep
            # it alive, and a slice drawn from many inputs held a batch of each (a dump of 90
            # inputs, 16,520 rows: Arrow's peak 73 MB with slices, 60 MB with copies).
            out.append(batch if (begin, end) == (0, batch.num_rows)
                       else batch.take(pa.array(np.arange(begin, end, dtype=np.int64))))
        return out


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
