"""Tasks of the `newsmill_crawl` DAG: list the sites, then crawl each in a mapped task."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from newsmill.pipeline.tasks.common import (
    OUTCOME_KEY,
    context,
    env_int,
    fail,
    reason,
    reports_errors,
    settings,
    short,
    site_counts,
)
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def crawl_schedule() -> str:
    return os.environ.get("NEWSMILL_CRAWL_SCHEDULE", "@hourly")


def crawl_concurrency() -> int:
    """How many crawl subprocesses (one Scrapy process each) may run at once across all runs."""
    return env_int("NEWSMILL_CRAWL_CONCURRENCY", 4, minimum=1)


@reports_errors
def list_sites() -> list[str]:
    """Site names from the sites file, read when the run starts (so edits need no redeploy)."""
    from newsmill.pipeline.sites import SitesFileError, load_sites

    cfg = settings()
    try:
        sites = load_sites(cfg.sites_path)
    except SitesFileError as exc:
        fail(f"bad sites file: {exc}")
    names = [s.name for s in sites.sites]
    log.info("%d site(s) in %s: %s", len(names), cfg.sites_path, ", ".join(names))
    return names


def crawl_site(site: str) -> dict[str, Any]:
    """Crawl one site in its own Scrapy subprocess; fail this mapped task if the site failed.

    The outcome is pushed as an XCom before failing, so the run's `finish` task can say which
    site failed and why without digging through logs.
    """
    from newsmill.pipeline.app import jobs

    ti = context()["ti"]
    outcome: dict[str, Any] = {"label": site, "task": ti.task_id, "map_index": ti.map_index}
    try:
        cfg = settings()
        with aws_environment(cfg.store_uri):
            report = jobs.crawl(cfg.sites_path, cfg.store_uri, sites=[site])
    except Exception as exc:
        outcome.update(ok=False, reason=reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        raise
    why = report.failures.get(site) or "; ".join(report.failures.values())
    outcome.update(
        ok=not why,
        reason=short(why) if why else None,
        run_id=report.run_id,
        fetched=site_counts(report, site).get("fetched", 0),
    )
    ti.xcom_push(key=OUTCOME_KEY, value=outcome)
    if why:
        fail(f"site {site!r}: crawl failed: {why} (newsmill run {report.run_id})", retry=True)
    log.info("site %s: %s", site, json.dumps(outcome))
    return outcome
