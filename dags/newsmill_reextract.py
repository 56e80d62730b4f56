"""
### newsmill_reextract

Re-runs extraction over the raw WARC archived on the ingestion dates `from`..`to` (both
inclusive) and republishes the affected records and dump partitions: same article ids, the new
`extractor` value. Use it after upgrading the extractor; nothing is fetched again.

    airflow dags trigger newsmill_reextract --conf '{"from": "2025-03-01", "to": "2025-03-07"}'
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from newsmill.pipeline.tasks import orchestration as orch


@dag(
    dag_id="newsmill_reextract",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=orch.default_args(),
    tags=[*orch.TAGS, "reextract"],
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
    def reextract() -> list[str]:
        return orch.reextract()

    @task(map_index_template="{{ task.op_kwargs['day'] }}", multiple_outputs=False)
    def dump_partition(day: str) -> dict:
        return orch.dump_partition(day)

    dump_partition.expand(day=reextract())


newsmill_reextract()
