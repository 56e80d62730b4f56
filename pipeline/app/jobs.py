"""The jobs the CLI and the Airflow DAGs both call: crawl, process, dump, run, backfill, reextract.

Each takes the sites file path and the store URI (not open objects), so an Airflow task on any
worker can call it, and each writes a run report to runs/<run_id>.json.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from newsmill.pipeline.app import overlap
from newsmill.pipeline.app import process as proc
from newsmill.pipeline.app.fenced import FencedStore
from newsmill.pipeline.app.leases import LockBusy, store_lock
from newsmill.pipeline.app.runs import RunReport, SiteCounts, iso, new_run_id, save_report, utcnow
from newsmill.pipeline.health import record as health
from newsmill.pipeline.publish.dumps import build_dump, dumps_pending
from newsmill.pipeline.sites import Site, SitesFile, load_sites
from newsmill.pipeline.warc import pending
from newsmill.storage import Store, StoreError, open_store

__all__ = [
    "RunReport",
    "SiteCounts",
    "backfill",
    "crawl",
    "dump",
    "pending_dump_dates",
    "process",
    "reextract",
    "run",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
BACKFILL_SOURCES = ("sitemap", "warc", "wayback")


class JobError(RuntimeError):
    """A step could not do its work at all; the message is the one-line reason."""


class InvalidArguments(JobError, ValueError):
    """The request itself is wrong (bad dates, unknown source): retrying cannot help."""


def _open(store_uri: str) -> Store:
    store = open_store(store_uri)
    store.check()
    return store


def _start(command: str, run_id: str | None) -> tuple[RunReport, float]:
    return RunReport(run_id=run_id or new_run_id(), command=command, started_at=iso(utcnow())), (
        time.monotonic()
    )


def _finish(store: Store | None, report: RunReport, t0: float) -> RunReport:
    report.finished_at = iso(utcnow())
    report.seconds = round(time.monotonic() - t0, 3)
    if store is not None:
        health.record_run(store, report)  # politeness and coverage; processing saved its own
        report.drift = health.drift_messages(store, report.sites)
        try:
            save_report(store, report)
        except StoreError as exc:
            log.error("could not save run report %s: %s", report.run_id, exc)
    return report


def _crawl_into(
    report: RunReport,
    sites_path: str,
    store_uri: str,
    sites: list[str] | None,
    **kwargs: Any,
) -> Any:
    """Crawl into raw/ and count it in `report`; returns the crawl's result (its raw keys)."""
    from newsmill.spiders.runner.crawl import run_crawl

    result = run_crawl(sites_path, sites, store_uri, report.run_id, **kwargs)
    # Processing lists only raw files marked as waiting (pipeline.warc.pending). The crawl's
    # archive marks each file as it uploads it; this sweep of the crawled sites' recent folders
    # catches a file whose marker could not be written.
    pending.mark_recent(open_store(store_uri), list(result.sites))
    for name, stats in result.sites.items():
        counts = report.site(name)
        counts.fetched += stats.pages_fetched
        counts.skipped_seen += stats.skipped_seen
        counts.refused += stats.refused_offsite + stats.refused_private + stats.refused_robots
        # Pages a crawl limit cut: no raw capture, so they are counted here, not by processing.
        counts.quarantined += stats.quarantined
        for reason, n in stats.quarantine_reasons.items():
            counts.quarantine_reasons[reason] = counts.quarantine_reasons.get(reason, 0) + n
        counts.errors.extend(stats.errors)
        counts.crawl = stats.politeness()
        if stats.failed:
            report.failures[name] = stats.failure or "crawl failed"
    report.phases.crawl += result.seconds
    return result


def _process_into(
    report: RunReport,
    store: Store,
    keys: list[str] | None,
    sites: dict[str, Site],
    progress: Progress | None,
    only_sites: list[str] | None = None,
    outcomes: proc.OutcomeSource | None = None,
) -> None:
    """Process `keys`, or (None) every raw file not yet processed, under the store's lock."""
    t0 = time.monotonic()
    tick = overlap.pages_ticker(progress)
    try:
        with store_lock(store, "process", report.run_id) as lease:
            # Every write of the run checks first that the lease is still this run's.
            leased = FencedStore(store, lease)
            if keys is None:
                keys = proc.pending_raw_keys(leased, only_sites)
            result = proc.process_keys(leased, keys, sites=sites, progress=tick, outcomes=outcomes)
    except LockBusy as exc:
        raise JobError(f"another processing run is under way: {exc}") from exc
    report.phases.add_processing(time.monotonic() - t0, result)
    _add_result(report, result)


def _add_result(report: RunReport, result: proc.ProcessResult) -> None:
    for name, c in result.per_site.items():
        counts = report.site(name)
        counts.articles += c.articles
        counts.duplicates += c.duplicates
        counts.revisions += c.revisions
        counts.unchanged += c.unchanged
        counts.quarantined += c.quarantined
        counts.missing_title += c.missing_title
        for reason, n in c.reasons.items():
            counts.quarantine_reasons[reason] = counts.quarantine_reasons.get(reason, 0) + n
    report.dates = sorted(set(report.dates) | result.dates)


def _sites_map(sites_path: str | None) -> dict[str, Site]:
    if not sites_path:
        return {}
    return {s.name: s for s in load_sites(sites_path).sites}


def crawl(
    sites_path: str,
    store_uri: str,
    *,
    sites: list[str] | None = None,
    run_id: str | None = None,
) -> RunReport:
    """Incremental crawl of the selected sites; raw responses to raw/."""
    sites_file = load_sites(sites_path)
    selected = [s.name for s in sites_file.select(sites)]
    store = _open(store_uri)
    report, t0 = _start("crawl", run_id)
    _crawl_into(report, sites_path, store_uri, selected)
    return _finish(store, report, t0)


def process(
    store_uri: str,
    *,
    sites_path: str | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
    outcomes: proc.OutcomeSource | None = None,
) -> RunReport:
    """Extract, normalise and deduplicate every raw capture not yet processed."""
    sites = _sites_map(sites_path)
    store = _open(store_uri)
    report, t0 = _start("process", run_id)
    _process_into(report, store, None, sites, progress, outcomes=outcomes)
    return _finish(store, report, t0)


def pending_dump_dates(store_uri: str) -> list[str]:
    """Ingestion dates whose articles changed since their dump partition was last published."""
    return dumps_pending(_open(store_uri))


def dump(store_uri: str, day: str | None = None) -> dict[str, Any]:
    """Publish dumps/date=<day>/ (default today, UTC). Returns the manifest."""
    day = day or utcnow().strftime("%Y-%m-%d")
    try:
        date.fromisoformat(day)
    except ValueError as exc:
        raise InvalidArguments(f"not a date (YYYY-MM-DD): {day!r}") from exc
    return build_dump(_open(store_uri), day)


def _dump_dates(report: RunReport, store_uri: str) -> None:
    # Also the dates still pending: a dump cut short (killed, store outage) by an earlier run
    # left its date marked, and this run must finish publishing it even if nothing changed.
    started = time.monotonic()
    store = open_store(store_uri)
    days = sorted(set(report.dates) | set(dumps_pending(store)))
    for day in days:
        manifest = build_dump(store, day)
        if not manifest.get("unchanged"):
            report.dumps.append(day)
    report.phases.publish += round(time.monotonic() - started, 3)


def run(
    sites_path: str,
    store_uri: str,
    *,
    sites: list[str] | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """The whole scheduled job: crawl, process what it fetched (overlapped), publish."""
    sites_file = load_sites(sites_path)
    selected = [s.name for s in sites_file.select(sites)]
    store = _open(store_uri)
    report, t0 = _start("run", run_id)
    if progress:
        progress(f"crawling {', '.join(selected)}, processing as raw files arrive")
    result = overlap.crawl_and_process(
        report, store,
        lambda on_spawn: _crawl_into(report, sites_path, store_uri, selected, on_spawn=on_spawn),
        busy=JobError, sites=selected, site_config={s.name: s for s in sites_file.sites},
        progress=progress)
    _add_result(report, result)
    _dump_dates(report, store_uri)
    return _finish(store, report, t0)


def backfill(
    sites_path: str,
    store_uri: str,
    *,
    site: str,
    date_from: date,
    date_to: date,
    source: str = "sitemap",
    warc: list[str] | None = None,
    cdx_url: str | None = None,
    replay_url: str | None = None,
    run_id: str | None = None,
) -> RunReport:
    """Archive ingest of `site`'s articles published in [date_from, date_to]."""
    if date_from > date_to:
        raise InvalidArguments(f"--from {date_from} is after --to {date_to}")
    if source not in BACKFILL_SOURCES:
        raise InvalidArguments(
            f"unknown backfill source {source!r} (use {', '.join(BACKFILL_SOURCES)})"
        )
    if source == "warc" and not warc:
        raise InvalidArguments("backfill source 'warc' needs at least one --warc path or URI")
    sites_file = load_sites(sites_path)
    sites_file.site(site)
    store = _open(store_uri)
    report, t0 = _start(f"backfill {site} {date_from}..{date_to} ({source})", run_id)
    if source in ("warc", "wayback"):
        _archive_backfill(report, store, sites_file, site, date_from, date_to, source, warc,
                          cdx_url, replay_url)
        return _finish(store, report, t0)
    crawled = _crawl_into(
        report,
        sites_path,
        store_uri,
        [site],
        mode="backfill-sitemap",
        date_from=date_from,
        date_to=date_to,
    )
    stats = crawled.sites.get(site)
    _process_backfilled(report, store, sites_file, site, date_from, date_to,
                        list(stats.raw_keys) if stats else [])
    return _finish(store, report, t0)


def _process_backfilled(
    report: RunReport,
    store: Store,
    sites_file: SitesFile,
    site: str,
    date_from: date,
    date_to: date,
    keys: list[str],
) -> None:
    """Process what a sitemap backfill fetched now, as the archive sources do, so that it too
    keeps only the range and ends with a coverage report."""
    from newsmill.pipeline.backfill.coverage import PageTracker, SiteCoverage

    coverage = SiteCoverage(site, "backfill-sitemap", date_from.isoformat(), date_to.isoformat())
    tracker = PageTracker(coverage)
    batches = []
    for key in keys:
        batch = proc.raw_batch(store, key)
        batch.keep = tracker.keep
        batches.append(batch)
    with _lease(store, report.run_id):
        result = proc.process_batches(store, batches, sites={s.name: s for s in sites_file.sites})
    tracker.settle(store, [b.articles_key for b in batches])
    _add_result(report, result)
    report.coverage[site] = coverage.to_json()


def _archive_backfill(
    report: RunReport,
    store: Store,
    sites_file: SitesFile,
    site_name: str,
    date_from: date,
    date_to: date,
    source: str,
    warc: list[str] | None,
    cdx_url: str | None,
    replay_url: str | None,
) -> None:
    """The warc and wayback sources: read the archive, process under the lease, and account
    for every page per month (pipeline.backfill.coverage) in report.coverage."""
    from newsmill.pipeline.backfill.coverage import SiteCoverage
    from newsmill.pipeline.backfill.http import HTTPClient, NetworkGuard
    from newsmill.pipeline.backfill.slices import WarcContext
    from newsmill.pipeline.backfill.sources import Sources
    from newsmill.pipeline.backfill.warc import backfill_warc
    from newsmill.pipeline.backfill.wayback import backfill_wayback
    from newsmill.pipeline.settings import DEFAULT_CDX_URL, DEFAULT_REPLAY_URL

    site = sites_file.site(site_name)
    sites = {s.name: s for s in sites_file.sites}
    today = utcnow().strftime("%Y-%m-%d")
    coverage = SiteCoverage(site.name, f"backfill-{source}", date_from.isoformat(),
                            date_to.isoformat())
    counts = report.site(site.name)

    def lock() -> Any:
        return _lease(store, report.run_id)

    if source == "warc":
        http = HTTPClient(NetworkGuard(sites_file.allow_private_networks),
                          user_agent=site.user_agent)
        ctx = WarcContext(store, site, date_from, date_to, Sources(http), coverage)
        wres = backfill_warc(ctx, list(warc or []), sites=sites, today=today, lock=lock)
        results = wres.results
        if wres.failures:
            report.failures[site.name] = "; ".join(wres.failures)
        coverage.files = wres.files
    else:
        wb = backfill_wayback(
            store, site,
            allow_private_networks=sites_file.allow_private_networks,
            date_from=date_from, date_to=date_to,
            cdx_url=cdx_url or DEFAULT_CDX_URL, replay_prefix=replay_url or DEFAULT_REPLAY_URL,
            run_id=report.run_id, today=today, coverage=coverage, lock=lock, sites=sites,
        )
        results = wb.results
        counts.fetched += wb.fetched
        counts.retryable += wb.retryable
        if wb.failure:
            report.failures[site.name] = wb.failure
    for result in results:
        _add_result(report, result)
    counts.errors.extend(coverage.errors)
    report.coverage[site.name] = coverage.to_json()


@contextmanager
def _lease(store: Store, owner: str) -> Iterator[None]:
    try:
        with store_lock(store, "process", owner):
            yield
    except LockBusy as exc:
        raise JobError(f"another processing run is under way: {exc}") from exc


def reextract(
    store_uri: str,
    *,
    date_from: date,
    date_to: date,
    sites_path: str | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
    outcomes: proc.OutcomeSource | None = None,
) -> RunReport:
    """Re-run extraction over the archived raw WARC of ingestion dates [date_from, date_to].

    Records keep their ids and revisions; their `extractor` and content change to what the
    current extractor produces. The affected dates are returned for republication.
    """
    if date_from > date_to:
        raise InvalidArguments(f"--from {date_from} is after --to {date_to}")
    store = _open(store_uri)
    report, t0 = _start(f"reextract {date_from}..{date_to}", run_id)
    keys = proc.raw_keys_between(store, date_from.isoformat(), date_to.isoformat())
    _process_into(report, store, keys, _sites_map(sites_path), progress, outcomes=outcomes)
    return _finish(store, report, t0)
