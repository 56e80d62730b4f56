"""Publishing one dump partition for downstream teams: Parquet, JSONL.gz, then the manifest."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from newsmill.pipeline.publish.article import SCHEMA_VERSION
from newsmill.pipeline.publish.tables import ARTICLE_SCHEMA, parquet_to_table, table_to_parquet
from newsmill.storage import KeyNotFound, Store, publish

log = logging.getLogger(__name__)


PENDING_PREFIX = "state/dumps-pending/"


def crash_point(name: str) -> None:
    """Die here, at once and without cleanup (as a SIGKILL would), when NEWSMILL_FAULT names
    this point. For fault-injection tests of moments too short to hit with a timed kill."""
    if os.environ.get("NEWSMILL_FAULT") == name:
        log.error("NEWSMILL_FAULT=%s: dying here", name)
        os._exit(137)


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


def _jsonl_gz(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    # mtime=0 keeps the gzip bytes identical for identical rows.
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        for row in table.to_pylist():
            gz.write(json.dumps(row, ensure_ascii=False, sort_keys=False).encode("utf-8"))
            gz.write(b"\n")
    return buf.getvalue()


def _story_rows(table: pa.Table) -> int:
    """Stories whose row (duplicate_of null) this partition holds: distinct ids, since an
    article revised on its first day has two versions here."""
    ids = table.column("id").to_pylist()
    links = table.column("duplicate_of").to_pylist()
    return len({i for i, link in zip(ids, links, strict=True) if link is None})


def build_dump(store: Store, day: str) -> dict[str, Any]:
    """Publish dumps/date=<day>/ unless it already reflects exactly the current articles.

    Returns the manifest, with "unchanged": true when nothing had to be written.
    """
    keys = article_keys_for(store, day)
    inputs = hashlib.sha256()
    tables = []
    for key in keys:
        data = store.get(key)
        inputs.update(key.encode() + b"\0" + hashlib.sha256(data).digest())
        tables.append(parquet_to_table(data))
    inputs_digest = inputs.hexdigest()
    current = read_manifest(store, day)
    if current and current.get("inputs_digest") == inputs_digest:
        store.delete(f"{PENDING_PREFIX}date={day}")
        return {**current, "unchanged": True}

    table = pa.concat_tables(tables) if tables else ARTICLE_SCHEMA.empty_table()
    table = table.sort_by([("site", "ascending"), ("canonical_url", "ascending"),
                           ("revision", "ascending")])
    parquet = table_to_parquet(table)
    jsonl = _jsonl_gz(table)
    prefix = partition_prefix(day)
    files = [(prefix + "articles.parquet", parquet), (prefix + "articles.jsonl.gz", jsonl)]
    per_site: dict[str, int] = {}
    for site in table.column("site").to_pylist():
        per_site[site] = per_site.get(site, 0) + 1
    manifest: dict[str, Any] = {
        "date": day,
        "schema_version": SCHEMA_VERSION,
        "row_count": table.num_rows,
        "unique_articles": _story_rows(table),
        "sites": dict(sorted(per_site.items())),
        "files": [
            {
                "key": key,
                "name": key.rsplit("/", 1)[-1],
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "rows": table.num_rows,
            }
            for key, data in files
        ],
        "inputs": keys,
        "inputs_digest": inputs_digest,
        "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    # Withdraw the old manifest first: a reader never sees a manifest beside half-replaced files.
    if current is not None:
        store.delete(prefix + "manifest.json")
    for key, data in files:
        store.put(key, data)
    crash_point("dump-before-manifest")
    publish(store, [], (prefix + "manifest.json", json.dumps(manifest, indent=2).encode()))
    store.delete(f"{PENDING_PREFIX}date={day}")
    log.info("published dump %s: %d rows", prefix, table.num_rows)
    return {**manifest, "unchanged": False}
