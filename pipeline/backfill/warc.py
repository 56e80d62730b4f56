"""Backfill from WARC collections (CC-NEWS and the like): stream the files, ingest one site.

Inputs are WARC or ARC files, gzipped per record or plain, given as local paths, `s3://` URIs
(boto3, the same AWS settings as the store) or `http(s)://` URLs (through the network guard), or
`*.paths` / `*.paths.gz` listings of such files as Common Crawl publishes (`warc.paths.gz`;
relative entries resolve against the listing's host or bucket root, or for a local listing its
directory and then its parents).

A file is read as one stream (pipeline.backfill.sources), record by record by the one WARC
reader, and never stored: memory holds one record (bodies are cut at the extractor's size limit)
plus a read buffer, whatever the file's size. A read that fails mid-file is resumed with a range
request from the byte it stopped at.

Which records: `response` records (ARC records read as responses) with a 2xx status whose host
is one of the site's `domains` and whose URL matches `article_urls` (every page of the site
when it has none), as in a crawl. Requests, metadata and warcinfo records are passed over;
revisits are counted and skipped (they carry no body). Each becomes a Capture with
`source = backfill-warc` and `raw_ref = <file>#<record offset>` (the original file: nothing is
copied into raw/), and goes through `pipeline.app.process.process_batches`, the one extract /
normalise / dedup path. After extraction a page is kept when its date is in [from, to]: the
published date the page states, else the capture's WARC-Date. Others are dropped, counted as
out of range.

Resumability (pipeline.backfill.slices): a file is cut into slices of SLICE_RECORDS records or
SLICE_BYTES bytes, whichever comes first, each slice a Batch with deterministic outputs:

    articles/site=S/date=D/bf-<sha1(file)[:12]>-<n>.parquet
    quarantine/date=D/S-bf-<sha1(file)[:12]>-<n>.jsonl
    state/backfill-warc/site=S/<sha1(file)>/slice-<n>.json       where slice n starts and ends
    state/backfill-warc/site=S/<sha1(file)>/done/<from>_<to>/<n>  written once its outputs are in

D, the ingestion date, is the date of the first backfill run that read the file for the site
(kept in `.../date`), so a run resumed the next day rewrites the same keys instead of adding a
second copy under a new date. A rerun skips the slices done for its range, seeking straight to
the first one that is not (a range request for S3 and HTTP). A run for another range rewrites a
slice with the union of its range and the ranges already done for that slice, so the records
published earlier stay (and are not counted again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsmill.pipeline.app.process import ProcessResult, process_batches
from newsmill.pipeline.backfill.coverage import PageTracker, SiteCoverage
from newsmill.pipeline.backfill.http import Refused
from newsmill.pipeline.backfill.slices import FileState, WarcContext, WarcFileReader
from newsmill.pipeline.backfill.sources import SourceError, expand_inputs
from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

# Hold the store's processing lease at most this long before letting other runs in; the
# stream stays open meanwhile.
LOCK_HOLD_SECONDS = 600.0


@dataclass
class WarcBackfillResult:
    results: list[ProcessResult] = field(default_factory=list)
    coverage: SiteCoverage | None = None
    failures: list[str] = field(default_factory=list)  # files that could not be read to the end
    files: list[dict[str, Any]] = field(default_factory=list)


Locker = Callable[[], Any]  # a context manager factory: the store's processing lease


def backfill_warc(
    ctx: WarcContext,
    inputs: list[str],
    *,
    sites: dict[str, Site],
    today: str,
    lock: Locker,
    workers: int | None = None,
    lock_hold_seconds: float | None = None,
) -> WarcBackfillResult:
    """Ingest `ctx.site`'s pages from every file in `inputs`; see the module docstring."""
    hold = LOCK_HOLD_SECONDS if lock_hold_seconds is None else lock_hold_seconds
    out = WarcBackfillResult(coverage=ctx.coverage)
    tracker = PageTracker(ctx.coverage)
    try:
        files = expand_inputs(inputs, ctx.sources)
    except (SourceError, Refused) as exc:
        out.failures.append(str(exc))
        return out
    for uri in files:
        state = FileState.load(ctx.store, ctx.site.name, uri, today)
        reader = WarcFileReader(ctx, uri, state, tracker)
        log.info("backfill-warc %s site=%s: from slice %d (byte %d)", uri, ctx.site.name,
                 reader.n, reader.offset)
        try:
            while not reader.exhausted and reader.error is None:
                # The lease is taken per stretch of slices, so a long download does not keep
                # scheduled processing waiting (nor look abandoned to other machines).
                with lock():
                    deadline = time.monotonic() + hold
                    result = process_batches(ctx.store, reader.batches(deadline), sites=sites,
                                             workers=workers)
                out.results.append(result)
                tracker.settle(ctx.store, reader.articles_keys)
                reader.articles_keys.clear()
        finally:
            reader.close()
        if reader.error:
            out.failures.append(reader.error)
        out.files.append({
            "file": uri, "ingestion_date": state.day, "slices_read": reader.slices_read,
            "slices_skipped": reader.skipped_slices, "complete": reader.error is None,
        })
    return out
