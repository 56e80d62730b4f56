"""
### newsmill_backfill

Archive ingest, on demand, of one site's articles published between `from` and `to` (both
inclusive) — the DAG form of `newsmill backfill`.

Trigger it from the UI (Trigger, then fill in the form) or the CLI:

    airflow dags trigger newsmill_backfill \\
        --conf '{"site": "gazette", "from": "2025-01-01", "to": "2025-06-30"}'

- **plan** checks the params (the site must be in the sites file) and splits the range into
  `chunk_days` windows; with `source: warc` it makes one chunk per WARC file instead.
- **backfill_chunk** is mapped over the chunks, one small retryable task each. A chunk that
  succeeded leaves a marker under `state/backfill/` in the store; a rerun with the same params
  skips those chunks (set `redo` to run them again).
- Each chunk extracts and deduplicates its own pages (keeping only the date range) and records
  per-month coverage; **plan_extraction**, **extract_batch** (mapped) and **process_articles**
  then process anything left unprocessed, as in `newsmill_crawl`, and list the ingestion dates
  whose dumps are out of date; **dump_partition** republishes them;
  **finish** fails the run, naming each failed chunk, if any did.

Chunks of one run go one at a time by default (`NEWSMILL_BACKFILL_CONCURRENCY`), since they all
fetch from the same site.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task

from newsmill.pipeline.tasks import backfill as backfill_tasks
from newsmill.pipeline.tasks import common, process
from newsmill.pipeline.tasks import dump as dump_tasks
from newsmill.pipeline.tasks.backfill_plan import BACKFILL_SOURCES
from newsmill.pipeline.tasks.finish import finish_run

_DATE: dict[str, Any] = {"type": "string", "format": "date"}


@dag(
    dag_id="newsmill_backfill",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(),
    tags=[*common.TAGS, "backfill"],
    doc_md=__doc__,
    params={
        "site": Param(
            type="string",
            pattern=r"^[a-z0-9_-]+$",
            title="Site",
            description="Site name from the sites file.",
        ),
        "from": Param(**_DATE, title="From", description="First publication date (inclusive)."),
        "to": Param(**_DATE, title="To", description="Last publication date (inclusive)."),
        "source": Param(
            "sitemap",
            type="string",
            enum=list(BACKFILL_SOURCES),
            title="Source",
            description="sitemap: the site's sitemaps by lastmod; warc: WARC files; "
            "wayback: the Wayback Machine's captures.",
        ),
        "warc": Param(
            [],
            type="array",
            items={"type": "string"},
            title="WARC files",
            description="Paths or URIs (s3://, https://) of WARC files, for source warc.",
        ),
        "chunk_days": Param(
            7, type="integer", minimum=1, maximum=366, title="Days per chunk",
            description="Size of each retryable task's date window (sitemap and wayback).",
        ),
        "redo": Param(
            False, type="boolean", title="Redo finished chunks",
            description="Run chunks again even if an earlier run finished them.",
        ),
        "cdx_url": Param(
            None, type=["null", "string"], title="CDX API URL",
            description="For source wayback; default: the Wayback Machine's CDX API.",
        ),
        "replay_url": Param(
            None, type=["null", "string"], title="Replay URL prefix",
            description="For source wayback; default: https://web.archive.org/web/",
        ),
    },
)
def newsmill_backfill() -> None:
    @task
    def plan() -> list[dict]:
        return backfill_tasks.backfill_chunks()

    @task(
        map_index_template="{{ task.op_kwargs['chunk']['label'] }}",
        max_active_tis_per_dag=backfill_tasks.backfill_concurrency(),
        multiple_outputs=False,
    )
    def backfill_chunk(chunk: dict) -> dict:
        return backfill_tasks.run_backfill_chunk(chunk)

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def plan_extraction() -> list[list[str]]:
        return process.plan_batches()

    @task(multiple_outputs=False)
    def extract_batch(keys: list[str]) -> dict:
        return process.extract_batch(keys)

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def process_articles() -> list[str]:
        return process.process_articles(emit_asset=False)

    @task(map_index_template="{{ task.op_kwargs['day'] }}", multiple_outputs=False)
    def dump_partition(day: str) -> dict:
        return dump_tasks.dump_partition(day)

    @task(trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def finish() -> dict:
        return finish_run(mapped_task="backfill_chunk", noun="chunks")

    chunks = backfill_chunk.expand(chunk=plan())
    planned = plan_extraction()
    chunks >> planned
    processed = process_articles()
    [planned, extract_batch.expand(keys=planned)] >> processed
    dumped = dump_partition.expand(day=processed)
    [chunks, processed, dumped] >> finish()


newsmill_backfill()
