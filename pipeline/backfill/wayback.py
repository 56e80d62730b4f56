"""Backfill from the Wayback Machine: the CDX index's captures, fetched as originally served.

The plan comes from the CDX index (pipeline.backfill.cdx). Its rows are replayed in the `id_`
form (`<replay prefix><timestamp>id_/<url>`: the bytes as captured, without the archive's
toolbar or link rewriting), archived by the one WARC writer to
`raw/site=S/date=<today>/<run_id>-wb-<n>.warc.gz` as request + response records with
`Newsmill-Source: backfill-wayback` and the original URL as WARC-Target-URI, and then processed
like any crawled raw file.

The archive is treated as politely as a site: the site's `delay` and `concurrency` apply to CDX
and replay requests, 5xx and 429 answers are retried with backoff, and the network guard (the
sites file's `allow_private_networks`) applies to the CDX and replay hosts and to every redirect
(pipeline.backfill.http).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from newsmill.pipeline.backfill.cdx import CDX_PAGE_ROWS, CdxError, CdxRow, plan_captures
from newsmill.pipeline.backfill.coverage import SiteCoverage
from newsmill.pipeline.backfill.http import FetchError, HTTPClient, NetworkGuard, Refused
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.records import KIND_ARTICLE
from newsmill.pipeline.warc.writer import Exchange, RollingWarcWriter, WarcFile, free_raw_key

log = logging.getLogger(__name__)

SOURCE = "backfill-wayback"
H_REPLAY_URL = "Newsmill-Replay-URL"  # where the bytes actually came from
H_ARCHIVE_TIMESTAMP = "Newsmill-Archive-Timestamp"
RAW_FILE_CAPTURES = 100  # captures per archived raw WARC file
LEDGER = "state/backfill-wayback"


# --- replay -------------------------------------------------------------------------------------


def replay_url(prefix: str, timestamp: str, original: str) -> str:
    return f"{prefix.rstrip('/')}/{timestamp}id_/{original}"


@dataclass
class Fetched:
    row: CdxRow
    status: int
    headers: dict[str, str]
    body: bytes
    replay: str  # the URL the bytes came from (after the archive's redirects)
    error: str | None = None
    refused: bool = False  # the network guard refused the archive's address

    @property
    def transient(self) -> bool:
        """A failure that may pass: no answer at all (network) or a 5xx/429. A 404 or a
        refusal by the network guard will be the same next time."""
        return bool(self.error) and not self.refused and (
            self.status == 0 or self.status >= 500 or self.status == 429
        )


def fetch_capture(client: HTTPClient, prefix: str, row: CdxRow) -> Fetched:
    url = replay_url(prefix, row.timestamp, row.original)
    try:
        status, headers, body, final = client.get(url)
    except Refused as exc:
        return Fetched(row, 0, {}, b"", url, error=str(exc), refused=True)
    except FetchError as exc:
        return Fetched(row, 0, {}, b"", url, error=str(exc))
    error = None if 200 <= status < 300 else f"HTTP {status} from the archive"
    return Fetched(row, status, headers, body, final, error=error)


def fetch_all(
    client: HTTPClient, prefix: str, rows: list[CdxRow], concurrency: int
) -> Iterator[Fetched]:
    """Replay fetches, `concurrency` at a time (the client spaces their starts), in order."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        window = max(1, concurrency) * 2
        futures = []
        it = iter(rows)
        for row in it:
            futures.append(pool.submit(fetch_capture, client, prefix, row))
            if len(futures) >= window:
                break
        while futures:
            done = futures.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                futures.append(pool.submit(fetch_capture, client, prefix, nxt))
            yield done.result()



def exchange_of(site: Site, cap: Fetched) -> Exchange:
    """The capture as the archive holds it. WARC-Date is when the archive captured the page:
    that is the fetch the record is of."""
    row = cap.row
    when = datetime.strptime(row.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    return Exchange(
        url=row.original,
        fetched_at=when.replace(tzinfo=UTC),
        status=cap.status,
        headers=list(cap.headers.items()),
        body=cap.body,
        site=site.name,
        source=SOURCE,
        kind=KIND_ARTICLE,
        request_headers=[("User-Agent", site.user_agent)],
        extra={H_REPLAY_URL: cap.replay, H_ARCHIVE_TIMESTAMP: row.timestamp},
    )


# --- the ledger of captures archived ------------------------------------------------------------


def _ledger_prefix(site: str) -> str:
    return f"{LEDGER}/site={site}/fetched/"


def load_fetched(store: Any, site: str) -> set[tuple[str, str]]:
    """(timestamp, original URL) of every capture an earlier run archived and processed."""
    done: set[tuple[str, str]] = set()
    for key in store.list(_ledger_prefix(site)):
        for line in store.get(key).decode("utf-8").splitlines():
            ts, _, url = line.partition(" ")
            if ts and url:
                done.add((ts, url))
    return done


@dataclass
class WaybackResult:
    results: list[Any] = field(default_factory=list)  # ProcessResult per raw file
    raw_keys: list[str] = field(default_factory=list)
    failure: str | None = None  # the backfill could not work at all (CDX down, every fetch failed)
    fetched: int = 0
    failed: int = 0
    retryable: int = 0  # of `failed`: a network error, 5xx or 429, which may pass



def backfill_wayback(
    store: Any,
    site: Site,
    *,
    allow_private_networks: Iterable[str],
    date_from: date,
    date_to: date,
    cdx_url: str,
    replay_prefix: str,
    run_id: str,
    today: str,
    coverage: SiteCoverage,
    lock: Callable[[], Any],
    sites: dict[str, Site],
    workers: int | None = None,
    backoff: float = 1.0,
    page_rows: int = CDX_PAGE_ROWS,
    file_captures: int = RAW_FILE_CAPTURES,
) -> WaybackResult:
    """List, fetch, archive and process `site`'s captures; see the module docstring."""
    from newsmill.pipeline.app.process import process_batches, raw_batch
    from newsmill.pipeline.backfill.coverage import PageTracker

    out = WaybackResult()
    client = HTTPClient(NetworkGuard(allow_private_networks), user_agent=site.user_agent,
                        delay=site.delay, concurrency=site.concurrency, backoff=backoff)
    try:
        plan = plan_captures(client, cdx_url, site, date_from, date_to, page_rows=page_rows)
    except (CdxError, Refused) as exc:
        out.failure = str(exc)
        log.error("wayback backfill site=%s: %s", site.name, exc)
        client.close()
        return out
    for why, n in plan.skipped.items():
        coverage.skip(why, n)
    already = load_fetched(store, site.name)
    todo = [r for r in plan.rows if (r.timestamp, r.original) not in already]
    if len(todo) < len(plan.rows):
        coverage.skip("archived by an earlier run", len(plan.rows) - len(todo))
    log.info("wayback site=%s: %d article captures listed, %d to fetch", site.name,
             len(plan.rows), len(todo))
    tracker = PageTracker(coverage)
    files = RollingWarcWriter(tempfile.gettempdir(), "newsmill-wb-", max_responses=file_captures,
                              warcinfo={"newsmill-site": site.name, "newsmill-run-id": run_id})
    n = 0

    def archive_and_process(warc: WarcFile) -> None:
        nonlocal n
        # Under the lease: a concurrent `newsmill process` must not see the raw file before
        # this run has processed it with the date filter.
        with lock():
            n, key = free_raw_key(store, site.name, today, f"{run_id}-wb", n)
            try:
                store.put_file(key, warc.path)
            finally:
                os.unlink(warc.path)
            batch = raw_batch(store, key)
            batch.keep = tracker.keep
            out.results.append(process_batches(store, [batch], sites=sites, workers=workers))
            ledger = "".join(f"{ts} {url}\n" for ts, url in warc.notes)
            store.put(f"{_ledger_prefix(site.name)}{run_id}-{n:05d}.txt", ledger.encode("utf-8"))
        tracker.settle(store, [batch.articles_key])
        out.raw_keys.append(key)

    try:
        for fetched in fetch_all(client, replay_prefix, todo, site.concurrency):
            row = fetched.row
            if fetched.error:
                out.failed += 1
                out.retryable += fetched.transient
                coverage.count(row.day, "failed")
                coverage.errors.append(f"{row.original} ({row.timestamp}): {fetched.error}")
                log.warning("wayback capture failed url=%s site=%s timestamp=%s: %s",
                            row.original, site.name, row.timestamp, fetched.error)
                continue
            out.fetched += 1
            files.write(exchange_of(site, fetched), today).notes.append(
                (row.timestamp, row.original))
            for warc in files.take_rolled():
                archive_and_process(warc)
        files.roll()
        for warc in files.take_rolled():
            archive_and_process(warc)
    finally:
        files.discard()
        client.close()
    # Lost captures are reported, not fatal; nothing served at all (and nothing from an
    # earlier run either) means the replay side is down or refusing us.
    if todo and not out.fetched and len(todo) == len(plan.rows):
        out.failure = f"every one of {len(todo)} captures failed to fetch from {replay_prefix}"
    return out
