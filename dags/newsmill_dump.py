"""
### newsmill_dump

Publishes the dump partitions `dumps/date=<ingestion date>/` (Parquet, JSONL.gz, then the manifest
last) for downstream teams.

Runs when the `articles` Asset is updated (by `newsmill_crawl`'s processing) and once a day
(`NEWSMILL_DUMP_SCHEDULE`, default `30 0 * * *` UTC) as a safety net.

Which dates: `dates` (list) or `date` in the run conf if given, e.g.
`airflow dags trigger newsmill_dump --conf '{"dates": ["2025-03-01"]}'`; otherwise the dates
carried by the triggering Asset events; otherwise (the daily run) every date whose articles
changed since its partition was last published. Publishing is idempotent: republishing a date
changes nothing unless its articles changed.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from newsmill.pipeline.tasks import common
from newsmill.pipeline.tasks import dump as dump_tasks


@dag(
    dag_id="newsmill_dump",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(dump_tasks.dump_schedule(), timezone="UTC"),
        assets=common.articles_asset(),
    ),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(),
    tags=[*common.TAGS, "dump"],
    doc_md=__doc__,
)
def newsmill_dump() -> None:
    @task
    def dates_to_dump() -> list[str]:
        return dump_tasks.dates_to_dump()

    @task(map_index_template="{{ task.op_kwargs['day'] }}", multiple_outputs=False)
    def dump_partition(day: str) -> dict:
        return dump_tasks.dump_partition(day)

    dump_partition.expand(day=dates_to_dump())


newsmill_dump()
