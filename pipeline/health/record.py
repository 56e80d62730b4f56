"""The few calls the processing loop and the jobs make to keep health figures.

Processing fills one `SiteDayStats` per batch (`for_batch`) and saves it when the batch's outputs
are written (`save_batch`); a job, when it ends, saves what its run report knows that processing
does not (crawl politeness, backfill coverage: `record_run`) and asks which of its sites now
drift (`drift_messages`). Figures never fail the work they describe: a store error here is
logged and the run goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from newsmill.pipeline.health import keeping
from newsmill.pipeline.health.drift import HISTORY_DAYS, Flag, flag_sites
from newsmill.pipeline.health.stats import SiteDayStats
from newsmill.storage import Store, StoreError

log = logging.getLogger(__name__)

# How far back a streak of drifting days is followed to say since when a site drifts.
STREAK_DAYS = 14


class BatchStats(SiteDayStats):
    """A batch's figures while it is processed; knows when its first page came back."""

    started: float = 0.0


def for_batch(site: str, day: str, articles_key: str) -> BatchStats:
    stem = articles_key.rsplit("/", 1)[-1].removesuffix(".parquet")
    stats = BatchStats(site, day, runs=[keeping.run_of_stem(stem)])
    stats.started = time.perf_counter()
    return stats


def quarantine_bucket(reason: str) -> str:
    """A reason without its particulars (URL, sizes): what the reason counts group by."""
    return reason.split(":")[0].split(" (")[0]


def save_batch(store: Store, articles_key: str, stats: BatchStats,
               rows: list[dict[str, Any]], quarantined: list[dict[str, Any]]) -> None:
    """Complete a batch's figures with its outcome (records written, pages quarantined) and
    save them beside the other batches of its site and day."""
    for entry in quarantined:
        stats.observe_quarantine(quarantine_bucket(str(entry.get("reason") or "no article")))
    for row in rows:
        stats.observe_verdict("duplicate" if row.get("duplicate_of")
                              else "revision" if (row.get("revision") or 1) > 1 else "new")
    # extracted pages that wrote no record: unchanged refetches
    stats.unchanged = max(stats.extracted - stats.records, 0)
    stats.processing_seconds = round(time.perf_counter() - stats.started, 4)
    if not stats.pages:
        return
    try:
        keeping.save(store, keeping.batch_key(stats.day, stats.site, articles_key), stats)
    except StoreError as exc:
        log.error("could not save health figures of %s site=%s: %s", articles_key, stats.site,
                  exc)


def record_run(store: Store, report: Any) -> None:
    """Save a run's crawl politeness and backfill coverage, per site, on the run's day."""
    day = (report.started_at or datetime.now(UTC).isoformat())[:10]
    for site, counts in report.sites.items():
        stats = SiteDayStats(site, day, runs=[report.run_id])
        stats.observe_crawl(getattr(counts, "crawl", None) or {})
        months = (report.coverage.get(site) or {}).get("months") or {}
        stats.observe_coverage(months)
        if not stats.crawl and not stats.coverage:
            continue
        try:
            keeping.save(store, keeping.run_key(day, site, report.run_id), stats)
        except StoreError as exc:
            log.error("could not save health figures of run %s site=%s: %s", report.run_id,
                      site, exc)


def current_flags(store: Store, sites: Iterable[str] | None = None,
                  last: str | None = None) -> list[Flag]:
    """Drift flags as of `last` (default today, UTC) for `sites` (default every site)."""
    last = last or datetime.now(UTC).strftime("%Y-%m-%d")
    days = keeping.days_ending(last, HISTORY_DAYS + STREAK_DAYS)
    wanted = set(sites) if sites is not None else None
    return flag_sites(keeping.load_days(store, days, wanted))


def drift_messages(store: Store, sites: Iterable[str]) -> list[str]:
    """One line per drifting figure of `sites`; empty when the figures cannot be read."""
    names = list(sites)
    if not names:
        return []
    try:
        return [f.message for f in current_flags(store, names)]
    except StoreError as exc:
        log.error("could not read health figures for drift: %s", exc)
        return []
