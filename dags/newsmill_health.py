"""
### newsmill_health

The operator's morning view: writes the health report of the last `days` days (default 14) to
`reports/date=<D>/index.html` (self-contained page with plots) and `health.json` in the store,
then fails **check_drift**, naming the sites, when any site's extraction drifts from its own
history (a field's fill rate, its median text length or its record count).

Schedule: `NEWSMILL_HEALTH_SCHEDULE` (cron, default `0 6 * * *` UTC). Store: Variable
`newsmill_store`. What the figures mean and what to do about a drifting site: docs/operations.md.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from newsmill.pipeline.tasks import common
from newsmill.pipeline.tasks import health as health_tasks


@dag(
    dag_id="newsmill_health",
    schedule=CronTriggerTimetable(health_tasks.health_schedule(), timezone="UTC"),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(),
    tags=[*common.TAGS, "health"],
    doc_md=__doc__,
    params={
        "days": Param(14, type="integer", minimum=1, maximum=366, title="Days",
                      description="Days covered by the report, ending on the run's date."),
    },
)
def newsmill_health() -> None:
    @task
    def write_report(params: dict | None = None) -> dict:
        return health_tasks.write_report((params or {}).get("days", 14))

    @task
    def check_drift(summary: Any) -> dict:  # Any: at parse time it is the upstream's XComArg
        return health_tasks.check_drift(summary)

    check_drift(write_report())


newsmill_health()
