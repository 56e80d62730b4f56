"""
### newsmill_crawl

Scheduled incremental crawl of every site in the sites file, then processing of what was fetched.

- **list_sites** reads the sites file named by the Variable `newsmill_sites` when the run starts.
- **crawl_site** is mapped once per site (the map index shows the site name). Each runs
  `newsmill.pipeline.app.jobs.crawl` for that one site, which runs Scrapy in its own process and
  archives every response under `raw/` before anything else happens. A site that fails fails
  only its own task, and is retried with backoff.
- **plan_extraction** runs once every crawl is done and at least one succeeded: it cuts the raw
  files waiting to be processed into batches (`NEWSMILL_PROCESS_BATCH_FILES` files each).
- **extract_batch** is mapped over the batches: each extracts its raw files on whichever worker
  runs it, so more workers extract faster.
- **process_articles**, one short single-writer task, then normalises, deduplicates and writes
  `articles/` in sorted raw-file order (the same rows as `newsmill process` on one machine,
  whichever worker extracted what). It updates the `articles` Asset with the ingestion dates it
  changed, which triggers `newsmill_dump`.
- **finish** fails the run, naming each failed site and the reason, if anything failed.

Schedule: `NEWSMILL_CRAWL_SCHEDULE` (cron, default hourly), read when the file is parsed. Only one
run at a time (`max_active_runs=1`), so a site is never crawled by two runs at once; at most
`NEWSMILL_CRAWL_CONCURRENCY` (default 4) crawl processes run together.
Store: Variable `newsmill_store`; S3 credentials and endpoint: connection `newsmill_s3` or the
workers' AWS settings. See docs/airflow.md.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import TriggerRule, dag, task

from newsmill.pipeline.tasks import common, process
from newsmill.pipeline.tasks import crawl as crawl_tasks
from newsmill.pipeline.tasks.finish import finish_run


@dag(
    dag_id="newsmill_crawl",
    schedule=crawl_tasks.crawl_schedule(),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(),
    tags=[*common.TAGS, "crawl"],
    doc_md=__doc__,
)
def newsmill_crawl() -> None:
    @task
    def list_sites() -> list[str]:
        return crawl_tasks.list_sites()

    @task(
        map_index_template="{{ task.op_kwargs['site'] }}",
        max_active_tis_per_dag=crawl_tasks.crawl_concurrency(),
        multiple_outputs=False,
    )
    def crawl_site(site: str) -> dict:
        return crawl_tasks.crawl_site(site)

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def plan_extraction() -> list[list[str]]:
        return process.plan_batches()

    @task(multiple_outputs=False)
    def extract_batch(keys: list[str]) -> dict:
        return process.extract_batch(keys)

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, outlets=[common.articles_asset()])
    def process_articles() -> list[str]:
        return process.process_articles(emit_asset=True)

    @task(trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def finish() -> dict:
        return finish_run(mapped_task="crawl_site", noun="sites")

    crawled = crawl_site.expand(site=list_sites())
    planned = plan_extraction()
    crawled >> planned
    processed = process_articles()
    [planned, extract_batch.expand(keys=planned)] >> processed
    [crawled, processed] >> finish()


newsmill_crawl()
