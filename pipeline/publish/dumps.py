"""Publishing one dump partition for downstream teams: Parquet, JSONL.gz, then the manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsmill.pipeline.faults import crash_point
from newsmill.pipeline.publish.article import SCHEMA_VERSION
from newsmill.pipeline.publish.background_gzip import BackgroundGzip
from newsmill.pipeline.publish.tables import PARQUET_OPTIONS, SortedSpill, parquet_to_table
from newsmill.storage import KeyNotFound, Store, publish

log = logging.getLogger(__name__)


PENDING_PREFIX = "state/dumps-pending/"


def mark_pending(store: Store, day: str) -> None:
    """Processing calls this when a date's articles change, so the dump job knows to publish."""
    store.put(f"{PENDING_PREFIX}date={day}", b"")


def dumps_pending(store: Store) -> list[str]:
    return [k.rsplit("date=", 1)[-1] for k in store.list(PENDING_PREFIX)]


def partition_prefix(day: str) -> str:
    return f"dumps/date={day}/"


def article_keys_for(store: Store, day: str) -> list[str]:
    marker = f"/date={day}/"
    return [k for k in store.list("articles/") if marker in k and k.endswith(".parquet")]


def read_manifest(store: Store, day: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(store.get(partition_prefix(day) + "manifest.json")))
    except KeyNotFound:
        return None


# Output rows sorted so identical rows give identical bytes, whatever order the inputs came in.
SORT_KEYS = (("site", "ascending"), ("canonical_url", "ascending"), ("revision", "ascending"))
# Rows per Parquet row group: the writer holds one whole group (and we one sorted slice) in
# memory, so this, not the day's size, bounds what writing a dump costs (~5 KB a row).
ROW_GROUP_ROWS = 2_000
# Rows turned into Python dicts, then one chunk of JSONL, at once; up to three chunks are held
# while the compressing thread catches up (500 rows peaked 34 MB higher on the benchmark dump).
JSONL_BATCH_ROWS = 100
FILE_NAMES = ("articles.parquet", "articles.jsonl.gz")
# Columns the manifest's counts need besides the sort keys (site): kept in memory for them.
COUNTED = ("id", "duplicate_of")


def _sha256_of(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").digest()


def _fetch_inputs(store: Store, keys: list[str], folder: Path) -> tuple[list[Path], str]:
    """The input files, downloaded into `folder`, and their digest: an unchanged day is known
    before any input is decoded, and no input is fetched twice."""
    inputs = hashlib.sha256()
    paths = []
    for i, key in enumerate(keys):
        path = folder / f"input-{i}.parquet"
        store.get_file(key, str(path))
        inputs.update(key.encode() + b"\0" + _sha256_of(path))
        paths.append(path)
    return paths, inputs.hexdigest()


def _write_jsonl(gz: BackgroundGzip, rows: pa.Table) -> None:
    for batch in rows.to_batches(max_chunksize=JSONL_BATCH_ROWS):
        lines = [json.dumps(row, ensure_ascii=False, sort_keys=False).encode("utf-8")
                 for row in batch.to_pylist()]
        lines.append(b"")
        gz.write(b"\n".join(lines))


def _write_files(spill: SortedSpill, parquet_path: Path, jsonl_path: Path) -> None:
    """Both dump files, one sorted slice of rows at a time."""
    with (pa.OSFile(str(parquet_path), mode="wb") as sink,
          pq.ParquetWriter(sink, spill.schema, **PARQUET_OPTIONS) as parquet,
          open(jsonl_path, "wb") as raw,
          BackgroundGzip(raw) as gz):
        for rows in spill.slices(ROW_GROUP_ROWS):
            parquet.write_table(rows, row_group_size=ROW_GROUP_ROWS)
            _write_jsonl(gz, rows)
            # Gone before the next slice is gathered, not after: the loop would hold it.
            del rows


def _file_entry(key: str, path: Path, rows: int) -> dict[str, Any]:
    return {"key": key, "name": key.rsplit("/", 1)[-1], "sha256": _sha256_of(path).hex(),
            "size": path.stat().st_size, "rows": rows}


def _sites(table: pa.Table) -> dict[str, int]:
    counts = pc.value_counts(table.column("site")).to_pylist()
    return dict(sorted((c["values"], c["counts"]) for c in counts))


def _story_rows(table: pa.Table) -> int:
    """Stories whose row (duplicate_of null) this partition holds: distinct ids, since an
    article revised on its first day has two versions here."""
    ids = table.column("id").filter(pc.is_null(table.column("duplicate_of")))
    return int(pc.count_distinct(ids).as_py())


def _manifest(day: str, keys: list[str], inputs_digest: str, rows: pa.Table,
              files: list[dict[str, Any]]) -> dict[str, Any]:
    """`rows`: the site, id and duplicate_of columns of every row."""
    return {
        "date": day,
        "schema_version": SCHEMA_VERSION,
        "row_count": rows.num_rows,
        "unique_articles": _story_rows(rows),
        "sites": _sites(rows),
        "files": files,
        "inputs": keys,
        "inputs_digest": inputs_digest,
        "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _upload(store: Store, prefix: str, replacing: bool, paths: list[Path]) -> None:
    # Withdraw the old manifest first: a reader never sees a manifest beside half-replaced files.
    if replacing:
        store.delete(prefix + "manifest.json")
    for path in paths:
        store.put_file(prefix + path.name, str(path))


def build_dump(store: Store, day: str) -> dict[str, Any]:
    """Publish dumps/date=<day>/ unless it already reflects exactly the current articles.

    Returns the manifest, with "unchanged": true when nothing had to be written.
    """
    keys = article_keys_for(store, day)
    prefix = partition_prefix(day)
    # The rows wait on disk, and both files are written there and uploaded from there: memory
    # holds a slice of rows at a time, however big the day. The folder goes, also on error.
    with (tempfile.TemporaryDirectory(prefix="newsmill-dump-") as tmp,
          closing(SortedSpill(Path(tmp) / "rows.spill", SORT_KEYS, COUNTED)) as spill):
        inputs, inputs_digest = _fetch_inputs(store, keys, Path(tmp))
        current = read_manifest(store, day)
        if current and current.get("inputs_digest") == inputs_digest:
            store.delete(f"{PENDING_PREFIX}date={day}")
            return {**current, "unchanged": True}
        for path in inputs:  # one input's rows in memory at a time
            spill.add(parquet_to_table(path.read_bytes()))
        paths = [Path(tmp) / name for name in FILE_NAMES]
        _write_files(spill, *paths)
        rows = spill.kept()
        files = [_file_entry(prefix + p.name, p, rows.num_rows) for p in paths]
        manifest = _manifest(day, keys, inputs_digest, rows, files)
        _upload(store, prefix, current is not None, paths)
    crash_point("dump-before-manifest")
    publish(store, [], (prefix + "manifest.json", json.dumps(manifest, indent=2).encode()))
    store.delete(f"{PENDING_PREFIX}date={day}")
    log.info("published dump %s: %d rows", prefix, manifest["row_count"])
    return {**manifest, "unchanged": False}
