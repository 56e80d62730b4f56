"""Tasks of the `newsmill_health` DAG: write the health report, then fail on drift."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from newsmill.pipeline.tasks.common import context, fail, reports_errors, settings
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def health_schedule() -> str:
    """Daily, after the night's dumps, so the morning report covers the whole of yesterday."""
    return os.environ.get("NEWSMILL_HEALTH_SCHEDULE", "0 6 * * *")


def report_day() -> str:
    """The run's logical date (today for a manual run without one), as YYYY-MM-DD."""
    logical = context().get("logical_date")
    return (logical or datetime.now(UTC)).strftime("%Y-%m-%d")


@reports_errors
def write_report(days: int) -> dict[str, Any]:
    """Write reports/date=<D>/index.html and health.json; returns what the next task needs."""
    from newsmill.pipeline.health.report import write_report as write
    from newsmill.storage import open_store

    cfg = settings(need_sites=False)
    day = report_day()
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        store.check()
        written = write(store, days=int(days), last=day)
    summary = {
        "day": day,
        "html": written.html,
        "json": written.json,
        "sites": written.data["summary"]["sites"],
        "drifting": written.drifting,
        "flags": [f["message"] for f in written.data["flags"]],
    }
    log.info("health report %s: %d sites, drifting: %s", written.html, summary["sites"],
             ", ".join(summary["drifting"]) or "none")
    return summary


@reports_errors
def check_drift(summary: dict[str, Any]) -> dict[str, Any]:
    """Fail, naming the drifting sites, so the operator's alerting on failed tasks sees them.
    No retries: the figures will not change by asking again."""
    drifting = list(summary.get("drifting") or [])
    if drifting:
        fail(f"newsmill_health: {len(drifting)} site(s) drift: {', '.join(drifting)} -- "
             + "; ".join(summary.get("flags") or [])
             + f" (report: {summary.get('html')})")
    return summary
