"""
### newsmill_crawl

Scheduled incremental crawl of every site in the sites file, then processing of what was fetched.

- **list_sites** reads the sites file named by the Variable `newsmill_sites` when the run starts.
- **crawl_site** is mapped once per site (the map index shows the site name). Each runs
  `pipeline.app.jobs.crawl` for that one site, which runs Scrapy in its own process and
  archives every response under `raw/` before anything else happens. A site that fails fails
  only its own task, and is retried with backoff.
- **process_articles** runs once every crawl is done and at least one succeeded, so the good
  sites' pages are extracted, normalised and deduplicated into `articles/`. It updates the
  `articles` Asset with the ingestion dates it changed, which triggers `newsmill_dump`.
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

from newsmill.pipeline.tasks import orchestration as orch


@dag(
    dag_id="newsmill_crawl",
    schedule=orch.crawl_schedule(),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=orch.default_args(),
    tags=[*orch.TAGS, "crawl"],
    doc_md=__doc__,
)
def newsmill_crawl() -> None:
    @task
    def list_sites() -> list[str]:
        return orch.list_sites()

    @task(
        map_index_template="{{ task.op_kwargs['site'] }}",
        max_active_tis_per_dag=orch.crawl_concurrency(),
        multiple_outputs=False,
    )
    def crawl_site(site: str) -> dict:
        return orch.crawl_site(site)

    @task(trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS, outlets=[orch.articles_asset()])
    def process_articles() -> list[str]:
        return orch.process_articles(emit_asset=True)

    @task(trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def finish() -> dict:
        return orch.finish_run(mapped_task="crawl_site", noun="sites")

    crawled = crawl_site.expand(site=list_sites())
    processed = process_articles()
    crawled >> processed
    [crawled, processed] >> finish()


newsmill_crawl()
