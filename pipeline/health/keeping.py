"""Where health figures live in the store, and reading a site's days back.

Writers never read-modify-write, so concurrent crawls and processing cannot lose each other's
figures: processing writes one small file per batch it processed (named like the batch's
articles file, so processing the batch again replaces its figures instead of adding to them),
crawls and backfills one per run and site:

    state/health/date=<D>/site=<S>/batch-<articles stem>.json
    state/health/date=<D>/site=<S>/run-<run_id>.json
    state/health/daily/date=<D>/site=<S>.json    the day's sum, cached for days that are over

Readers list one site-day folder and use the cached sum when it covers exactly those files.
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newsmill.pipeline.health.stats import SiteDayStats
from newsmill.storage import KeyNotFound, Store, StoreError

log = logging.getLogger(__name__)

PREFIX = "state/health/"
_DAY_SITE = re.compile(r"^state/health/date=(?P<day>[^/]+)/site=(?P<site>[^/]+)/(?P<name>[^/]+)$")


def batch_key(day: str, site: str, articles_key: str) -> str:
    stem = articles_key.rsplit("/", 1)[-1].removesuffix(".parquet")
    return f"{PREFIX}date={day}/site={site}/batch-{stem}.json"


def run_key(day: str, site: str, run_id: str) -> str:
    return f"{PREFIX}date={day}/site={site}/run-{run_id}.json"


def daily_key(day: str, site: str) -> str:
    return f"{PREFIX}daily/date={day}/site={site}.json"


def run_of_stem(stem: str) -> str:
    """The run id in a raw file's stem `<run_id>-<n>` (what crawled the pages)."""
    head, _, tail = stem.rpartition("-")
    return head if head and tail.isdigit() else stem


def save(store: Store, key: str, stats: SiteDayStats) -> None:
    store.put(key, json.dumps(stats.to_json(), separators=(",", ":")).encode())
    if stats.day < _today():
        # A past day's cached sum may list this very key (figures of a batch processed again),
        # so the cache goes rather than be trusted.
        store.delete(daily_key(stats.day, stats.site))


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


@dataclass
class SiteDay:
    """A site's figures for one day, in total and per run (to say since which run it drifts)."""

    total: SiteDayStats
    by_run: dict[str, SiteDayStats] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total.to_json(),
                "by_run": {k: v.to_json() for k, v in sorted(self.by_run.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteDay:
        return cls(SiteDayStats.from_json(data["total"]),
                   {k: SiteDayStats.from_json(v) for k, v in data.get("by_run", {}).items()})


def _read(store: Store, key: str) -> SiteDayStats | None:
    try:
        return SiteDayStats.from_json(json.loads(store.get(key)))
    except KeyNotFound:
        return None
    except (ValueError, TypeError) as exc:
        log.warning("unreadable health figures %s: %s", key, exc)
        return None


def _sum(site: str, day: str, parts: list[SiteDayStats]) -> SiteDay:
    entry = SiteDay(SiteDayStats(site, day))
    for part in parts:
        entry.total.merge(part)
        run = part.runs[0] if part.runs else ""
        entry.by_run.setdefault(run, SiteDayStats(site, day)).merge(part)
    return entry


def load_site_day(store: Store, day: str, site: str, keys: list[str] | None = None,
                  today: str | None = None) -> SiteDay | None:
    """A site's day, or None when nothing was recorded for it."""
    if keys is None:
        keys = list(store.list(f"{PREFIX}date={day}/site={site}/"))
    if not keys:
        return None
    cache = daily_key(day, site)
    try:
        cached = json.loads(store.get(cache))
        if cached.get("keys") == sorted(keys):
            return SiteDay.from_json(cached)
    except KeyNotFound:
        pass
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("unreadable health cache %s: %s", cache, exc)
    parts = [p for p in (_read(store, k) for k in sorted(keys)) if p is not None]
    entry = _sum(site, day, parts)
    # A day still running gets more files: only a past day is worth caching.
    if day < (today or _today()):
        try:
            store.put(cache, json.dumps({"keys": sorted(keys), **entry.to_json()},
                                        separators=(",", ":")).encode())
        except StoreError as exc:  # a read-only operator may still read the figures
            log.info("could not cache health figures %s: %s", cache, exc)
    return entry


def _day_keys(store: Store, day: str, sites: set[str] | None) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    # A few sites: list their own folders, not every site's figures of the day.
    prefixes = ([f"{PREFIX}date={day}/site={s}/" for s in sorted(sites)]
                if sites is not None and len(sites) <= 10 else [f"{PREFIX}date={day}/"])
    for prefix in prefixes:
        for key in store.list(prefix):
            m = _DAY_SITE.match(key)
            if m and (sites is None or m["site"] in sites):
                grouped.setdefault(m["site"], []).append(key)
    return grouped


def days_ending(last: str, n: int) -> list[str]:
    end = date.fromisoformat(last)
    return [(end - timedelta(days=i)).isoformat() for i in range(n - 1, -1, -1)]


def load_days(store: Store, days: list[str],
              sites: set[str] | None = None) -> dict[str, dict[str, SiteDay]]:
    """site -> day -> figures, over `days` (days without figures are absent)."""
    # Each site-day is a listing and a read or two: threads hide an object store's latency.
    with ThreadPoolExecutor(max_workers=8) as pool:
        listed = dict(zip(days, pool.map(lambda d: _day_keys(store, d, sites), days),
                          strict=True))
        jobs = [(day, site, keys) for day, by_site in listed.items()
                for site, keys in by_site.items()]
        loaded = pool.map(lambda j: load_site_day(store, j[0], j[1], j[2]), jobs)
        out: dict[str, dict[str, SiteDay]] = {}
        for (day, site, _), entry in zip(jobs, loaded, strict=True):
            if entry is not None:
                out.setdefault(site, {})[day] = entry
    return {site: dict(sorted(v.items())) for site, v in sorted(out.items())}
