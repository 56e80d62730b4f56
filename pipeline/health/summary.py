"""The report's data: a period's per-site figures, day by day and in total, with drift flags.

This is what `health.json` holds and what the HTML page draws; both come from one dict so the
page never shows a figure the JSON lacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newsmill.pipeline.health import keeping
from newsmill.pipeline.health.drift import HISTORY_DAYS, Flag, flag_site
from newsmill.pipeline.health.keeping import SiteDay
from newsmill.pipeline.health.record import STREAK_DAYS
from newsmill.pipeline.health.stats import CRAWL_FIGURES, FIELDS, SiteDayStats
from newsmill.storage import Store

# Health states, worst first: how the site table sorts by default.
HEALTH_ORDER = ("drifting", "no records", "ok")


def _rounded(v: float | None, digits: int = 3) -> float | None:
    return None if v is None else round(v, digits)


def _day_json(stats: SiteDayStats) -> dict[str, Any]:
    return {
        "day": stats.day,
        "runs": stats.runs,
        "pages": stats.pages,
        "records": stats.records,
        "duplicates": stats.duplicates,
        "revisions": stats.revisions,
        "unchanged": stats.unchanged,
        "quarantined": stats.quarantined,
        "quarantine_reasons": dict(sorted(stats.quarantine_reasons.items())),
        "fill": {f: _rounded(stats.fill_rate(f)) for f in FIELDS},
        "median_length": _rounded(stats.median_length(), 0),
        "processing_seconds": round(stats.processing_seconds, 3),
        "crawl": {k: stats.crawl[k] for k in CRAWL_FIGURES if k in stats.crawl},
    }


def _health(flags: list[Flag], total: SiteDayStats) -> str:
    if flags:
        return "drifting"
    if total.pages and not total.records and not total.unchanged:
        return "no records"
    return "ok"


def site_summary(site: str, days: dict[str, SiteDay], period: list[str],
                 flags: list[Flag]) -> dict[str, Any]:
    """One site's entry: totals over `period`, its days, and its flags."""
    total = SiteDayStats(site, period[-1])
    shown = [days[d].total for d in period if d in days]
    for stats in shown:
        total.merge(stats)
    median = total.median_length()
    crawl = {k: total.crawl[k] for k in CRAWL_FIGURES if k in total.crawl}
    delay = total.mean_delay()
    if delay is not None:
        crawl["mean_delay"] = round(delay, 3)
    health = _health(flags, total)
    return {
        "site": site,
        "health": health,
        "health_rank": HEALTH_ORDER.index(health),
        "flags": [f.message for f in flags],
        "days_with_figures": len(shown),
        "pages": total.pages,
        "records": total.records,
        "duplicates": total.duplicates,
        "revisions": total.revisions,
        "unchanged": total.unchanged,
        "quarantined": total.quarantined,
        "quarantine_share": _rounded(total.quarantined / total.pages if total.pages else None),
        "quarantine_reasons": dict(sorted(total.quarantine_reasons.items())),
        "fill": {f: _rounded(total.fill_rate(f)) for f in FIELDS},
        "median_length": _rounded(median, 0),
        # texts under a third of the median: cut bodies, teasers, pages that are not stories
        "short_share": _rounded(total.share_shorter_than(median / 3) if median else None),
        "processing_seconds": round(total.processing_seconds, 3),
        "crawl": crawl,
        "coverage": dict(sorted(total.coverage.items())),
        "daily": [_day_json(s) for s in shown],
    }


def build(store: Store, days: int = 14, last: str | None = None) -> dict[str, Any]:
    """The report's data for the `days` days ending `last` (default today, UTC)."""
    now = datetime.now(UTC)
    last = last or now.strftime("%Y-%m-%d")
    period = keeping.days_ending(last, days)
    # Flags need the history before the period too.
    window = keeping.days_ending(last, max(days, HISTORY_DAYS + STREAK_DAYS))
    history = keeping.load_days(store, window)
    sites, flags = [], []
    for site, site_days in history.items():
        site_flags = flag_site(site, site_days)
        flags.extend(site_flags)
        if any(d in site_days for d in period):
            sites.append(site_summary(site, site_days, period, site_flags))
    sites.sort(key=lambda s: (s["health_rank"], s["site"]))
    return {
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "store": store.uri,
        "period": {"from": period[0], "to": period[-1], "days": days},
        "summary": {
            "sites": len(sites),
            "drifting": sorted({f.site for f in flags}),
            **{k: sum(int(s[k]) for s in sites)
               for k in ("pages", "records", "duplicates", "revisions", "quarantined")},
            "requests": sum(int(s["crawl"].get("requests", 0)) for s in sites),
        },
        "flags": [f.to_json() for f in flags],
        "sites": sites,
    }
