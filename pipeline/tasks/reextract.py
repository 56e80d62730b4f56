"""The writer task of the `newsmill_reextract` DAG: the raw archive of some days, extracted again
by the fanned-out `extract_batch` tasks (pipeline.tasks.process), deduplicated and written."""

from __future__ import annotations

import json
import logging
from datetime import date

from newsmill.pipeline.tasks.common import (
    SUMMARY_KEY,
    OrchestrationError,
    check_range,
    context,
    fail,
    parse_day,
    reports_errors,
    settings,
)
from newsmill.pipeline.tasks.process import planned_keys, sites_of
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def reextract_range() -> tuple[date, date]:
    """The run's params `from` and `to` (ingestion dates); fails the task when they are wrong."""
    params = context()["params"]
    try:
        date_from = parse_day(params.get("from"), "param 'from'")
        date_to = parse_day(params.get("to"), "param 'to'")
        check_range(date_from, date_to)
    except OrchestrationError as exc:
        fail(f"re-extraction not started: {exc}")
    return date_from, date_to


@reports_errors
def reextract() -> list[str]:
    """Re-run extraction over the raw WARC of the ingestion dates in the run's params, from the
    outcomes the `extract_batch` tasks stored (what is missing is extracted here).

    Returns the ingestion dates whose records changed, for the dump task to map over.
    """
    from newsmill.pipeline.app import fanout, jobs
    from newsmill.storage import open_store

    date_from, date_to = reextract_range()
    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        report = jobs.reextract(
            cfg.store_uri, date_from=date_from, date_to=date_to,
            sites_path=cfg.sites_path or None,
            outcomes=fanout.stored_outcomes(store, sites=sites_of(cfg)),
        )
        fanout.discard(store, planned_keys())
    summary = {
        "run_id": report.run_id,
        "dates": sorted(set(report.dates)),
        "failures": dict(report.failures),
    }
    context()["ti"].xcom_push(key=SUMMARY_KEY, value=summary)
    if report.failures:
        fail(f"re-extraction failed: {json.dumps(report.failures)}", retry=True)
    log.info("re-extracted: %s", json.dumps(summary))
    return list(summary["dates"])
