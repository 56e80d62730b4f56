"""Backfill params -> chunks, the unit a mapped task of `newsmill_backfill` runs and retries.

Pure functions of plain values: they are tested without Airflow.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from newsmill.pipeline.tasks.common import OrchestrationError, check_range, parse_day

BACKFILL_SOURCES = ("sitemap", "warc", "wayback")

# The scheduler refuses to expand a mapped task over more items than [core] max_map_length
# (1024 by default); planning fails earlier, with advice, instead.
DEFAULT_MAX_CHUNKS = 1024


def split_range(date_from: date, date_to: date, chunk_days: int) -> list[tuple[date, date]]:
    """[from, to] (both inclusive) as consecutive inclusive chunks of at most `chunk_days` days."""
    if chunk_days < 1:
        raise OrchestrationError(f"chunk_days must be at least 1, got {chunk_days}")
    check_range(date_from, date_to)
    chunks = []
    start = date_from
    while start <= date_to:
        end = min(start + timedelta(days=chunk_days - 1), date_to)
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def marker_key(
    site: str, source: str, date_from: str, date_to: str, warc: str | None = None
) -> str:
    """Where a finished chunk is recorded, so a rerun of the same backfill skips it.

    The source is part of the key: a sitemap pass over a range says nothing about what a Wayback
    pass over the same range would find. A WARC chunk is one file, named by a hash of its path.
    """
    base = f"state/backfill/{site}/{source}/"
    if warc is not None:
        digest = hashlib.sha256(warc.encode("utf-8")).hexdigest()[:16]
        return f"{base}{date_from}_{date_to}_{digest}.done"
    return f"{base}{date_from}_{date_to}.done"


def plan_chunks(params: Mapping[str, Any], *, max_chunks: int = DEFAULT_MAX_CHUNKS) -> list[dict]:
    """Validated backfill params -> one dict per chunk.

    `sitemap` and `wayback` split the date range into `chunk_days` windows. `warc` splits by file
    instead: each chunk reads one WARC for the whole range, because date windows would make every
    chunk read every file.
    """
    site = str(params.get("site") or "").strip()
    if not site:
        raise OrchestrationError("param 'site' is required")
    source = str(params.get("source") or "sitemap")
    if source not in BACKFILL_SOURCES:
        raise OrchestrationError(f"param 'source' must be one of {', '.join(BACKFILL_SOURCES)}")
    if params.get("from") in (None, "") or params.get("to") in (None, ""):
        raise OrchestrationError("params 'from' and 'to' are required (YYYY-MM-DD)")
    date_from = parse_day(params["from"], "param 'from'")
    date_to = parse_day(params["to"], "param 'to'")
    warc = [str(w) for w in (params.get("warc") or [])]
    if source == "warc" and not warc:
        raise OrchestrationError("source 'warc' needs at least one path or URI in param 'warc'")
    chunk_days = int(params.get("chunk_days") or 7)
    common = {
        "site": site,
        "source": source,
        "cdx_url": params.get("cdx_url") or None,
        "replay_url": params.get("replay_url") or None,
    }
    chunks: list[dict] = []
    if source == "warc":
        check_range(date_from, date_to)
        first, last = date_from.isoformat(), date_to.isoformat()
        for path in warc:
            chunks.append(
                {
                    **common,
                    "from": first,
                    "to": last,
                    "warc": [path],
                    "label": f"{site} {os.path.basename(path.rstrip('/')) or path}",
                    "marker": marker_key(site, source, first, last, path),
                }
            )
    else:
        for start, end in split_range(date_from, date_to, chunk_days):
            chunks.append(
                {
                    **common,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "warc": [],
                    "label": f"{site} {start}..{end}",
                    "marker": marker_key(site, source, start.isoformat(), end.isoformat()),
                }
            )
    if len(chunks) > max_chunks:
        raise OrchestrationError(
            f"{len(chunks)} chunks is more than the {max_chunks} one run can map; "
            "raise 'chunk_days' or split the range into several runs"
        )
    return chunks
