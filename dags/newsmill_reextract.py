"""
### newsmill_reextract

Re-runs extraction over the raw WARC archived on the ingestion dates `from`..`to` (both
inclusive) and republishes the affected records and dump partitions: same article ids, the new
`extractor` value. Use it after upgrading the extractor; nothing is fetched again.

**plan_extraction** cuts the raw files of those dates into batches, **extract_batch** (mapped)
extracts each on whichever worker runs it, and **reextract**, one single-writer task, decides and
writes the records in sorted raw-file order; **dump_partition** republishes the changed dates.

    airflow dags trigger newsmill_reextract --conf '{"from": "2025-03-01", "to": "2025-03-07"}'
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task

from newsmill.pipeline.tasks import common, process
from newsmill.pipeline.tasks import dump as dump_tasks
from newsmill.pipeline.tasks import reextract as reextract_tasks


@dag(
    dag_id="newsmill_reextract",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(),
    tags=[*common.TAGS, "reextract"],
    doc_md=__doc__,
    params={
        "from": Param(
            type="string", format="date", title="From",
            description="First ingestion date (inclusive).",
        ),
        "to": Param(
            type="string", format="date", title="To",
            description="Last ingestion date (inclusive).",
        ),
    },
)
def newsmill_reextract() -> None:
    @task
    def plan_extraction() -> list[list[str]]:
        return process.plan_batches(reextract=True)

    @task(multiple_outputs=False)
    def extract_batch(keys: list[str]) -> dict:
        return process.extract_batch(keys, again=True)

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def reextract() -> list[str]:
        return reextract_tasks.reextract()

    @task(map_index_template="{{ task.op_kwargs['day'] }}", multiple_outputs=False)
    def dump_partition(day: str) -> dict:
        return dump_tasks.dump_partition(day)

    planned = plan_extraction()
    written = reextract()
    [planned, extract_batch.expand(keys=planned)] >> written
    dump_partition.expand(day=written)


newsmill_reextract()
