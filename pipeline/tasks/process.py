"""Processing as the crawl, backfill and re-extract DAGs run it: fanned out, then one writer.

- `plan_batches`: the raw files to process (pending ones, or a re-extraction's date range),
  sorted and cut into batches, one mapped task each;
- `extract_batch` (mapped, on whichever worker Celery gives it): extracts its raw files and
  stores each one's outcomes (pipeline.app.fanout); nothing is decided there, so a retry, or a
  batch rescheduled after its worker died, just extracts again;
- `process_articles` (the re-extract DAG's `reextract` likewise): the single writer, under the
  store's processing lease, learns templates, decides duplicates and writes articles/ in sorted
  raw-key order, as `newsmill process` does on one machine; a raw file whose outcomes are
  missing (new since the plan, or left by a failed earlier run) it extracts itself.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from newsmill.pipeline.tasks.common import (
    SUMMARY_KEY,
    Settings,
    articles_asset,
    context,
    reports_errors,
    settings,
    site_counts,
)
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def sites_of(cfg: Settings) -> dict[str, Any]:
    from newsmill.pipeline.sites import load_sites

    return {s.name: s for s in load_sites(cfg.sites_path).sites} if cfg.sites_path else {}


@reports_errors
def plan_batches(*, reextract: bool = False) -> list[list[str]]:
    """Task: the raw keys to extract, in batches for `extract_batch` to be mapped over."""
    from newsmill.pipeline.app import fanout
    from newsmill.pipeline.app import process as proc
    from newsmill.storage import open_store

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        if reextract:
            from newsmill.pipeline.tasks.reextract import reextract_range

            first, last = reextract_range()
            keys = proc.raw_keys_between(store, first.isoformat(), last.isoformat())
        else:
            keys = proc.pending_raw_keys(store)
    batches = fanout.plan(keys)
    log.info("%d raw file(s) to extract in %d batch(es) (store %s)", len(keys), len(batches),
             cfg.store_uri)
    return batches


@reports_errors
def extract_batch(keys: list[str], *, again: bool = False) -> dict[str, int]:
    """Task (mapped): extract these raw files on this worker and store their outcomes."""
    from newsmill.pipeline.app import fanout
    from newsmill.storage import open_store

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        counts = fanout.extract_files(open_store(cfg.store_uri), keys, sites=sites_of(cfg),
                                      again=again)
    log.info("batch of %d raw file(s) from %s: %s", len(keys), keys[0] if keys else "-",
             json.dumps(counts))
    return counts


PLAN_TASK = "plan_extraction"


def planned_keys() -> list[str]:
    """The raw keys this run's `plan_extraction` task planned (its XCom)."""
    planned = context()["ti"].xcom_pull(task_ids=PLAN_TASK)
    if not isinstance(planned, list):
        return []
    return [k for batch in planned if isinstance(batch, list) for k in batch]


@reports_errors
def process_articles(*, emit_asset: bool) -> list[str]:
    """Task: the single writer. Deduplicate and write every raw capture not yet processed,
    from the outcomes the `extract_batch` tasks stored.

    Returns the ingestion dates that changed (what a dump must republish; a list so the dump task
    can be mapped over it) and pushes a summary under the XCom key `summary` for `finish`. With
    `emit_asset`, the dates also ride on the `articles` Asset event, so the dump DAG republishes
    exactly those partitions.
    """
    from newsmill.pipeline.app import fanout, jobs
    from newsmill.storage import open_store

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        report = jobs.process(cfg.store_uri, sites_path=cfg.sites_path or None,
                              outcomes=fanout.stored_outcomes(store, sites=sites_of(cfg)))
        fanout.discard(store, planned_keys())
        pending = [] if emit_asset else jobs.pending_dump_dates(cfg.store_uri)
    # The backfill DAG's warc and wayback chunks process what they read themselves (to keep
    # only the range): the dates they changed are the ones whose dumps are out of date.
    dates = sorted(set(report.dates) | set(pending))
    summary: dict[str, Any] = {
        "run_id": report.run_id,
        "dates": dates,
        "articles": sum(site_counts(report, s).get("articles", 0) for s in report.sites),
        "quarantined": sum(site_counts(report, s).get("quarantined", 0) for s in report.sites),
        "failures": dict(report.failures),
    }
    ctx = context()
    ctx["ti"].xcom_push(key=SUMMARY_KEY, value=summary)
    if emit_asset:
        ctx["outlet_events"][articles_asset()].extra = {"dates": dates, "run_id": report.run_id}
    log.info("processed: %s", json.dumps(summary))
    # A page that yields no article is quarantined, not a failure. A failure in the report means
    # a whole site could not be processed: `finish` reports it, after the Asset event above has
    # let the good dates be published.
    return dates
