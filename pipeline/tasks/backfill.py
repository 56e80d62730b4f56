"""Tasks of the `newsmill_backfill` DAG: plan the chunks, then run each as a mapped task."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from newsmill.pipeline.tasks.backfill_plan import DEFAULT_MAX_CHUNKS, plan_chunks
from newsmill.pipeline.tasks.common import (
    OUTCOME_KEY,
    OrchestrationError,
    context,
    env_int,
    fail,
    parse_day,
    reason,
    reports_errors,
    settings,
    short,
    site_counts,
)
from newsmill.pipeline.tasks.s3env import aws_environment

log = logging.getLogger(__name__)


def backfill_concurrency() -> int:
    """Backfill chunks of a run hit the same site, so by default they run one after another."""
    return env_int("NEWSMILL_BACKFILL_CONCURRENCY", 1, minimum=1)


@reports_errors
def backfill_chunks() -> list[dict]:
    """Task: read and check the run's params (the site must exist) and return the chunks."""
    from newsmill.pipeline.sites import SitesFileError, load_sites

    params = dict(context()["params"])
    cfg = settings()
    try:
        chunks = plan_chunks(params, max_chunks=_max_map_length())
        load_sites(cfg.sites_path).site(chunks[0]["site"])
    except (OrchestrationError, SitesFileError) as exc:
        fail(f"backfill not started: {exc}")
    log.info(
        "backfill %s %s..%s from %s: %d chunk(s)",
        params.get("site"), params.get("from"), params.get("to"), params.get("source"), len(chunks),
    )
    return chunks


def _max_map_length() -> int:
    try:
        from airflow.sdk import conf

        return int(conf.getint("core", "max_map_length", fallback=DEFAULT_MAX_CHUNKS))
    except Exception:  # configuration unavailable: keep Airflow's documented default
        return DEFAULT_MAX_CHUNKS


def run_backfill_chunk(chunk: Mapping[str, Any]) -> dict[str, Any]:
    """Backfill one chunk unless its marker says an earlier run already did it."""
    from newsmill.pipeline.app.jobs import InvalidArguments

    ctx = context()
    ti = ctx["ti"]
    outcome: dict[str, Any] = {
        "label": chunk["label"], "task": ti.task_id, "map_index": ti.map_index,
        "marker": chunk["marker"], "skipped": False,
    }
    try:
        outcome.update(_backfill_chunk(chunk, redo=bool(ctx["params"].get("redo", False)),
                                       airflow_run_id=str(ctx["run_id"])))
    except InvalidArguments as exc:
        # A wrong request stays wrong: fail now instead of spending the retries on it.
        outcome.update(ok=False, reason=reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        fail(f"backfill chunk {chunk['label']}: {exc}")
    except Exception as exc:
        outcome.update(ok=False, reason=reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        raise
    ti.xcom_push(key=OUTCOME_KEY, value=outcome)
    if not outcome["ok"]:
        fail(f"backfill chunk {chunk['label']} failed: {outcome['reason']}", retry=True)
    return outcome


def _backfill_chunk(chunk: Mapping[str, Any], *, redo: bool, airflow_run_id: str) -> dict:
    from newsmill.pipeline.app import jobs
    from newsmill.storage import open_store

    cfg = settings()
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        if not redo and store.exists(chunk["marker"]):
            log.info("chunk %s already done (%s): skipped", chunk["label"], chunk["marker"])
            return {"ok": True, "skipped": True, "reason": None}
        report = jobs.backfill(
            cfg.sites_path,
            cfg.store_uri,
            site=chunk["site"],
            date_from=parse_day(chunk["from"]),
            date_to=parse_day(chunk["to"]),
            source=chunk["source"],
            warc=list(chunk.get("warc") or []) or None,
            cdx_url=chunk.get("cdx_url"),
            replay_url=chunk.get("replay_url"),
        )
        why = "; ".join(f"{k}: {v}" for k, v in report.failures.items())
        counts = site_counts(report, chunk["site"])
        unserved = counts.get("retryable", 0)
        if unserved and not why:
            # Captures the archive could not serve this time (network, 5xx): the chunk is not
            # done. The next run skips what this one archived (the wayback ledger) and asks for
            # these again. A 404 is final and does not hold the chunk open.
            log.warning(
                "chunk %s: %d captures not served; left unmarked so the next run retries them",
                chunk["label"],
                unserved,
            )
        if not why and not unserved:
            # Written only once the job succeeded: a crash before this line reruns the chunk,
            # which the crawl ledger makes cheap and free of duplicates.
            marker = {
                **{k: chunk[k] for k in ("site", "source", "from", "to", "warc")},
                "newsmill_run_id": report.run_id,
                "airflow_run_id": airflow_run_id,
                "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "counts": counts,
            }
            store.put(chunk["marker"], json.dumps(marker, indent=2).encode("utf-8"))
    return {
        "ok": not why,
        "reason": short(why) if why else None,
        "run_id": report.run_id,
        "fetched": counts.get("fetched", 0),
        "unserved": unserved,
    }
