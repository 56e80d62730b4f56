"""The last task of a crawl or backfill run: say what failed, and fail the run if anything did."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from newsmill.pipeline.tasks.common import ERROR_KEY, OUTCOME_KEY, SUMMARY_KEY, context, fail

log = logging.getLogger(__name__)


def summarise_run(
    states: Mapping[str, Any],
    outcomes: Iterable[Mapping[str, Any]],
    errors: Mapping[str, str],
    processed: Mapping[str, Any] | None,
    *,
    dag_id: str,
    noun: str,
) -> tuple[list[str], dict[str, Any]]:
    """(problems, summary) of a finished run.

    `states` maps `task_id` or `task_id_<map_index>` to a state, as Airflow's `get_task_states`
    returns them, and decides what failed (a killed task pushes nothing). `outcomes` (pushed by
    the mapped tasks) say which site or chunk a failed task was, and why; `errors` has the reason
    other failed tasks pushed, by the same keys.
    """
    by_ti = {f"{o['task']}_{o['map_index']}": o for o in outcomes if o}
    problems: list[str] = []
    failed: list[str] = []
    not_run: list[str] = []
    for ti_key, state in sorted(states.items()):
        state = str(getattr(state, "value", state))
        if state == "upstream_failed":
            not_run.append(ti_key)
        elif state == "failed":
            outcome = by_ti.get(ti_key)
            if outcome is not None:
                failed.append(outcome["label"])
                problems.append(f"{outcome['label']}: {outcome.get('reason') or 'failed'}")
            else:
                problems.append(f"{ti_key}: {errors.get(ti_key) or 'failed (see its task log)'}")
    for site, why in sorted(((processed or {}).get("failures") or {}).items()):
        problems.append(f"processing {site}: {why}")
    if not_run:
        # Only worth saying when the cause is not already listed above.
        problems.append(f"not run after an upstream failure: {', '.join(not_run)}")
    ok = sorted(o["label"] for o in by_ti.values() if o.get("ok") and o["label"] not in failed)
    summary = {
        "dag_id": dag_id,
        noun: {"ok": ok, "failed": sorted(failed)},
        "dates": list((processed or {}).get("dates") or []),
        "problems": problems,
    }
    return problems, summary


def failure_message(dag_id: str, noun: str, problems: list[str], summary: Mapping[str, Any]) -> str:
    failed, ok = summary[noun]["failed"], summary[noun]["ok"]
    if failed:
        head = f"{dag_id}: {len(failed)} of {len(failed) + len(ok)} {noun} failed"
    else:
        head = f"{dag_id}: run failed"
    return f"{head}: " + "; ".join(problems)


def finish_run(*, mapped_task: str, noun: str) -> dict[str, Any]:
    """Fail the run, with one readable line, if any task of it failed; else return a summary.

    Airflow decides a run's state from its last tasks only, and processing deliberately runs
    after a site has failed, so without this task a run with a broken site would end green.
    """
    ti = context()["ti"]
    dag_id, run_id = ti.dag_id, ti.run_id
    states = dict((ti.get_task_states(dag_id=dag_id, run_ids=[run_id]) or {}).get(run_id) or {})
    states.pop(ti.task_id, None)
    raw = ti.xcom_pull(task_ids=mapped_task, key=OUTCOME_KEY)
    outcomes = [o for o in (raw if isinstance(raw, list) else [raw]) if isinstance(o, dict)]
    errors: dict[str, str] = {}
    for ti_key, state in states.items():
        if str(getattr(state, "value", state)) == "failed" and ti_key in set(ti.task.dag.task_ids):
            error = ti.xcom_pull(task_ids=ti_key, key=ERROR_KEY)
            if error:
                errors[ti_key] = str(error)
    processed = ti.xcom_pull(task_ids="process_articles", key=SUMMARY_KEY)
    problems, summary = summarise_run(
        states, outcomes, errors, processed if isinstance(processed, dict) else None,
        dag_id=dag_id, noun=noun,
    )
    log.info("run summary: %s", json.dumps(summary))
    if problems:
        fail(failure_message(dag_id, noun, problems, summary))
    return summary
