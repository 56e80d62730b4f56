"""The DAG files parse cleanly, declare the Airflow contract, and do no I/O at parse time.

Airflow runs in a subprocess (tests/airflow_driver.py) because it fixes its configuration when
first imported; the parse happens with no Variables set, the store's endpoint unreachable, and
sockets, Variables, connections and the library's heavy modules all refusing to be used.
The rest of the file tests the pure helpers of the task modules (newsmill.pipeline.tasks.*),
which need no Airflow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsmill.pipeline.tasks import backfill_plan, common, dump, finish, s3env

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "airflow_driver.py"
DAG_FILES = {
    "newsmill_crawl.py",
    "newsmill_dump.py",
    "newsmill_backfill.py",
    "newsmill_reextract.py",
    "newsmill_health.py",
}
DAG_IDS = {"newsmill_crawl", "newsmill_dump", "newsmill_backfill", "newsmill_reextract",
           "newsmill_health"}


def parse_env(home: Path, **extra: str) -> dict[str, str]:
    """A worker's environment with nothing configured: no Variables, a dead store endpoint."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "AWS_", "NEWSMILL_"))
    }
    env.update(
        AWS_ENDPOINT_URL="http://127.0.0.1:9",  # nothing listens on the discard port
        AWS_ACCESS_KEY_ID="unused",
        AWS_SECRET_ACCESS_KEY="unused",
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


def parse_dags(home: Path, **extra: str) -> dict[str, Any]:
    out = home / "dagbag.json"
    proc = subprocess.run(
        [sys.executable, str(DRIVER), "--home", str(home), "dagbag", "--guard", "--out", str(out)],
        env=parse_env(home, **extra), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(json.loads(out.read_text()))


@pytest.fixture(scope="module")
def bag(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parse_dags(tmp_path_factory.mktemp("airflow-parse"))


def test_every_dag_file_imports_without_errors(bag: dict[str, Any]) -> None:
    assert bag["import_errors"] == {}
    assert bag["serialize_errors"] == {}
    assert set(bag["files"]) == DAG_FILES
    # Every file defines a DAG (a file the DagBag skipped would not show up as an import error).
    assert {Path(d["fileloc"]).name for d in bag["dags"].values()} == DAG_FILES


def test_parse_does_no_io_and_imports_nothing_heavy(bag: dict[str, Any]) -> None:
    # The guards turn any socket, Variable, connection or store use into an import error, which
    # the previous test would show; here: the jobs, Scrapy, boto3, pyarrow stay unimported.
    assert bag["forbidden_modules_imported"] == []
    # What keeps a scheduler's parse cheap, checked by what it loads rather than by a stopwatch
    # (which a busy machine defeats): of newsmill, only the task modules and their packages.
    loaded = set(bag["newsmill_modules_imported"])
    assert "newsmill.pipeline.tasks.common" in loaded
    assert loaded <= {"newsmill", "newsmill.pipeline", "newsmill.pipeline.tasks"} | {
        m for m in loaded if m.startswith("newsmill.pipeline.tasks.")
    }, sorted(loaded)


def test_four_dags_with_tags_docs_and_retries(bag: dict[str, Any]) -> None:
    assert set(bag["dags"]) == DAG_IDS
    for dag_id, dag in bag["dags"].items():
        assert "newsmill" in dag["tags"] and len(dag["tags"]) >= 2, dag_id
        assert dag["doc_md"] and dag_id in dag["doc_md"], dag_id
        assert dag["catchup"] is False, dag_id
        assert dag["max_active_runs"] == 1, dag_id
        for task_id, task in dag["tasks"].items():
            where = f"{dag_id}.{task_id}"
            assert task["retries"] >= 2, where
            assert task["retry_delay"] > 0, where
            # Airflow 3 reads this as a multiplier: 1.0 (what `True` becomes) is no backoff.
            assert task["retry_exponential_backoff"] >= 2, where


def test_crawl_dag_maps_one_task_per_site_and_updates_articles(bag: dict[str, Any]) -> None:
    dag = bag["dags"]["newsmill_crawl"]
    assert dag["timetable"] == "CronTriggerTimetable"
    assert "'0 * * * *'" in dag["timetable_repr"]
    tasks = dag["tasks"]
    assert tasks["crawl_site"]["mapped"] and tasks["crawl_site"]["upstream"] == ["list_sites"]
    assert tasks["crawl_site"]["max_active_tis_per_dag"] >= 1
    # Processing fans out: the crawls -> a plan of raw-file batches -> one extraction task per
    # batch -> the single writer.
    assert tasks["plan_extraction"]["upstream"] == ["crawl_site"]
    assert tasks["plan_extraction"]["trigger_rule"] == "all_done_min_one_success"
    assert tasks["extract_batch"]["mapped"]
    assert tasks["extract_batch"]["upstream"] == ["plan_extraction"]
    process = tasks["process_articles"]
    assert sorted(process["upstream"]) == ["extract_batch", "plan_extraction"]
    # Nothing to extract maps no task (skipped), which must not skip the writer.
    assert process["trigger_rule"] == "none_failed_min_one_success"
    assert process["outlets"] == ["newsmill://articles/"]
    assert tasks["finish"]["trigger_rule"] == "all_done"
    assert set(tasks["finish"]["upstream"]) == {"crawl_site", "process_articles"}


def test_dump_dag_runs_on_the_asset_and_daily(bag: dict[str, Any]) -> None:
    dag = bag["dags"]["newsmill_dump"]
    assert dag["timetable"] == "AssetOrTimeSchedule"
    assert "newsmill://articles/" in dag["timetable_repr"]
    assert "'30 0 * * *'" in dag["timetable_repr"]
    assert dag["tasks"]["dump_partition"]["mapped"]


def test_backfill_params_are_validated_by_json_schema(bag: dict[str, Any]) -> None:
    dag = bag["dags"]["newsmill_backfill"]
    assert dag["timetable"] == "NullTimetable"
    params, defaults = dag["params"], dag["param_defaults"]
    assert params["site"]["type"] == "string" and "site" not in defaults  # required
    for key in ("from", "to"):
        assert params[key] == {**params[key], "type": "string", "format": "date"}
        assert key not in defaults
    assert params["source"]["enum"] == ["sitemap", "warc", "wayback"]
    assert defaults["source"] == "sitemap"
    assert params["warc"]["type"] == "array" and params["warc"]["items"] == {"type": "string"}
    assert defaults["warc"] == []
    assert params["chunk_days"]["type"] == "integer" and defaults["chunk_days"] == 7
    tasks = dag["tasks"]
    assert tasks["backfill_chunk"]["mapped"] and tasks["backfill_chunk"]["upstream"] == ["plan"]
    assert tasks["dump_partition"]["upstream"] == ["process_articles"]


def test_reextract_params(bag: dict[str, Any]) -> None:
    dag = bag["dags"]["newsmill_reextract"]
    assert dag["timetable"] == "NullTimetable"
    for key in ("from", "to"):
        assert dag["params"][key]["format"] == "date" and key not in dag["param_defaults"]
    assert dag["tasks"]["dump_partition"]["upstream"] == ["reextract"]


def test_schedules_come_from_the_environment(tmp_path: Path) -> None:
    bag = parse_dags(
        tmp_path,
        NEWSMILL_CRAWL_SCHEDULE="*/20 * * * *",
        NEWSMILL_DUMP_SCHEDULE="15 2 * * *",
    )
    assert bag["import_errors"] == {}
    assert "'*/20 * * * *'" in bag["dags"]["newsmill_crawl"]["timetable_repr"]
    assert "'15 2 * * *'" in bag["dags"]["newsmill_dump"]["timetable_repr"]


# --- task helpers, no Airflow needed ------------------------------------------------------------


def test_split_range_covers_the_range_inclusively() -> None:
    chunks = backfill_plan.split_range(date(2025, 1, 1), date(2025, 1, 17), 7)
    assert chunks == [
        (date(2025, 1, 1), date(2025, 1, 7)),
        (date(2025, 1, 8), date(2025, 1, 14)),
        (date(2025, 1, 15), date(2025, 1, 17)),
    ]
    assert backfill_plan.split_range(date(2025, 1, 1), date(2025, 1, 1), 7) == [
        (date(2025, 1, 1), date(2025, 1, 1))
    ]
    with pytest.raises(common.OrchestrationError, match="after"):
        backfill_plan.split_range(date(2025, 1, 2), date(2025, 1, 1), 7)


def test_plan_chunks_by_dates_and_by_warc_file() -> None:
    chunks = backfill_plan.plan_chunks(
        {"site": "gazette", "from": "2019-01-01", "to": "2019-01-10", "chunk_days": 5}
    )
    assert [(c["from"], c["to"]) for c in chunks] == [
        ("2019-01-01", "2019-01-05"),
        ("2019-01-06", "2019-01-10"),
    ]
    assert chunks[0]["source"] == "sitemap" and chunks[0]["warc"] == []
    assert chunks[0]["marker"] == "state/backfill/gazette/sitemap/2019-01-01_2019-01-05.done"
    assert chunks[0]["label"] == "gazette 2019-01-01..2019-01-05"

    warc = backfill_plan.plan_chunks({
        "site": "gazette", "from": "2019-01-01", "to": "2019-12-31", "source": "warc",
        "warc": ["s3://cc/a.warc.gz", "/data/b.warc.gz"],
    })
    assert [c["warc"] for c in warc] == [["s3://cc/a.warc.gz"], ["/data/b.warc.gz"]]
    assert all((c["from"], c["to"]) == ("2019-01-01", "2019-12-31") for c in warc)
    assert len({c["marker"] for c in warc}) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2019-01-01", "to": "2019-01-02"}, "'site' is required"),
        ({"site": "g", "from": "2019-01-03", "to": "2019-01-02"}, "after"),
        ({"site": "g", "from": "2019-02-30", "to": "2019-03-02"}, "not a date"),
        ({"site": "g", "from": "2019-01-01", "to": "2019-01-02", "source": "ftp"}, "one of"),
        ({"site": "g", "from": "2019-01-01", "to": "2019-01-02", "source": "warc"}, "needs"),
        ({"site": "g", "to": "2019-01-02"}, "required"),
    ],
)
def test_plan_chunks_rejects_bad_params(params: dict[str, Any], message: str) -> None:
    with pytest.raises(common.OrchestrationError, match=message):
        backfill_plan.plan_chunks(params)


def test_plan_chunks_refuses_more_than_airflow_can_map() -> None:
    params = {"site": "g", "from": "2000-01-01", "to": "2019-12-31", "chunk_days": 1}
    with pytest.raises(common.OrchestrationError, match="chunk_days"):
        backfill_plan.plan_chunks(params, max_chunks=1024)


def test_dump_dates_from_asset_events() -> None:
    events = [
        SimpleNamespace(extra={"dates": ["2025-03-02", "2025-03-01"]}),
        SimpleNamespace(extra={"dates": ["2025-03-02"]}),
        SimpleNamespace(extra={}),
    ]
    assert dump.dates_from_events(events) == ["2025-03-01", "2025-03-02"]
    assert dump.dates_from_events([SimpleNamespace(extra={"dates": []})]) == []
    # Events without dates (e.g. created by hand in the UI) leave the choice to the fallback.
    assert dump.dates_from_events([SimpleNamespace(extra=None)]) is None


def test_aws_connection_maps_onto_boto3_environment() -> None:
    env = s3env.aws_env_from_connection(
        "AKIAEXAMPLE", "s3cret",
        {"endpoint_url": "http://minio:9000", "region_name": "eu-west-1"},
    )
    assert env == {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "s3cret",
        "AWS_ENDPOINT_URL": "http://minio:9000",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    # A connection with only an endpoint leaves credentials to the worker's own settings.
    assert s3env.aws_env_from_connection(None, None, {"endpoint_url": "http://x:1"}) == {
        "AWS_ENDPOINT_URL": "http://x:1"
    }


def test_aws_environment_is_restored_after_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "worker")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "worker-token")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(
        s3env, "connection_env",
        lambda: {
            "AWS_ACCESS_KEY_ID": "conn",
            "AWS_SECRET_ACCESS_KEY": "conn-secret",
            "AWS_ENDPOINT_URL": "http://s3:1",
        },
    )
    with s3env.aws_environment("s3://bucket/x"):
        assert os.environ["AWS_ACCESS_KEY_ID"] == "conn"
        assert os.environ["AWS_ENDPOINT_URL"] == "http://s3:1"
        # The worker's temporary token belongs to the worker's keys, not the connection's.
        assert "AWS_SESSION_TOKEN" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "worker"
    assert os.environ["AWS_SESSION_TOKEN"] == "worker-token"
    assert "AWS_ENDPOINT_URL" not in os.environ
    # A local store never looks the connection up.
    monkeypatch.setattr(s3env, "connection_env", lambda: pytest.fail("looked up"))
    with s3env.aws_environment("/srv/newsmill"):
        pass


def test_run_summary_names_the_failed_site_and_why() -> None:
    states = {
        "list_sites": "success",
        "crawl_site_0": "success",
        "crawl_site_1": "failed",
        "crawl_site_2": "success",
        "process_articles": "success",
    }
    outcomes = [
        {"label": "gazette", "task": "crawl_site", "map_index": 0, "ok": True},
        {"label": "dead", "task": "crawl_site", "map_index": 1, "ok": False,
         "reason": "nothing could be fetched: connection refused"},
        {"label": "ledger", "task": "crawl_site", "map_index": 2, "ok": True},
    ]
    problems, summary = finish.summarise_run(
        states, outcomes, {}, {"dates": ["2025-03-01"], "failures": {}},
        dag_id="newsmill_crawl", noun="sites",
    )
    assert summary["sites"] == {"ok": ["gazette", "ledger"], "failed": ["dead"]}
    assert finish.failure_message("newsmill_crawl", "sites", problems, summary) == (
        "newsmill_crawl: 1 of 3 sites failed: dead: nothing could be fetched: connection refused"
    )
    clean, _ = finish.summarise_run(
        {k: "success" for k in states}, outcomes[:1], {}, None, dag_id="d", noun="sites"
    )
    assert clean == []


def test_run_summary_quotes_other_failed_tasks() -> None:
    problems, summary = finish.summarise_run(
        {"plan": "failed", "backfill_chunk": "upstream_failed"}, [],
        {"plan": "backfill not started: site 'x': no such site"}, None,
        dag_id="newsmill_backfill", noun="chunks",
    )
    message = finish.failure_message("newsmill_backfill", "chunks", problems, summary)
    assert message.startswith("newsmill_backfill: run failed: plan: backfill not started")
    assert "not run after an upstream failure: backfill_chunk" in message
