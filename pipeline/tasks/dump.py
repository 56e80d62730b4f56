"""Tasks of the `newsmill_dump` DAG (and the dump step of backfill and re-extraction)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from newsmill.pipeline.tasks.common import (
    OrchestrationError,
    context,
    fail,
    parse_day,
    reports_errors,
    settings,
)
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def dump_schedule() -> str:
    """Daily safety net for the dump DAG, shortly after midnight UTC to close yesterday."""
    return os.environ.get("NEWSMILL_DUMP_SCHEDULE", "30 0 * * *")


def dates_from_events(events: Iterable[Any]) -> list[str] | None:
    """Union of the `dates` carried by asset events; None when no event carried any."""
    found: set[str] = set()
    any_dates = False
    for event in events:
        extra = getattr(event, "extra", None) or {}
        dates = extra.get("dates") if isinstance(extra, Mapping) else None
        if isinstance(dates, list):
            any_dates = True
            found.update(parse_day(d).isoformat() for d in dates)
    return sorted(found) if any_dates else None


@reports_errors
def dates_to_dump() -> list[str]:
    """Which ingestion dates this dump run publishes, most specific source first.

    1. `dates` (or `date`) in the run's conf: an operator republishing by hand;
    2. the dates on the triggering `articles` Asset events: what the crawls changed;
    3. otherwise (the daily timer, or events without dates): every date whose articles changed
       since its partition was last published (the library keeps that list), so a dump missed
       for any reason is caught up by the next daily run.
    """
    ctx = context()
    conf = dict(getattr(ctx.get("dag_run"), "conf", None) or {})
    if conf.get("dates") is not None or conf.get("date") is not None:
        raw = conf.get("dates") if conf.get("dates") is not None else [conf["date"]]
        if not isinstance(raw, list):
            fail(f"conf 'dates' must be a list of YYYY-MM-DD strings, got {raw!r}")
        try:
            days = sorted({parse_day(d).isoformat() for d in raw})
        except OrchestrationError as exc:
            fail(str(exc))
        log.info("dates from the run conf: %s", days)
        return days
    events = [e for evs in (ctx.get("triggering_asset_events") or {}).values() for e in evs]
    from_events = dates_from_events(events)
    if from_events is not None:
        log.info("dates from %d asset event(s): %s", len(events), from_events)
        return from_events
    from newsmill.pipeline.app import jobs

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        days = jobs.pending_dump_dates(cfg.store_uri)
    log.info("no dates given: publishing %s", days or "nothing (no partition out of date)")
    return days


@reports_errors
def dump_partition(day: str) -> dict[str, Any]:
    """Publish `dumps/date=<day>/`; the library writes the manifest last."""
    from newsmill.pipeline.app import jobs

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        manifest = jobs.dump(cfg.store_uri, parse_day(day).isoformat())
    manifest = dict(manifest or {})
    summary = {
        "date": day,
        "rows": manifest.get("row_count"),
        "sites": manifest.get("sites"),
        "unchanged": bool(manifest.get("unchanged", False)),
    }
    verb = "already up to date" if summary["unchanged"] else "published"
    log.info("dumps/date=%s %s: %s", day, verb, json.dumps(summary, default=str))
    return summary
