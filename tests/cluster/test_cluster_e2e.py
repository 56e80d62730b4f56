"""End to end on a real CeleryExecutor cluster (scripts/cluster.sh: PostgreSQL, Redis, API
server, scheduler, DAG processor, two Celery workers, a moto S3 store, the demo sites).

`newsmill_crawl` is triggered through the REST API; its `articles` Asset triggers
`newsmill_dump`; the published dump must hold the same rows as a single-machine `newsmill run`
of the same sites. Then again into a fresh store, with one worker SIGKILLed (its whole process
tree, as a lost machine) while it runs extraction tasks: Airflow notices the missing
heartbeats, retries them on the other worker, and the dump is still the same.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psutil
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from cluster_api import AirflowApi  # noqa: E402

CLUSTER = REPO / "scripts" / "cluster.sh"
# What a row is compared on: everything a run does not stamp with its own time or file names.
STABLE = ("id", "url", "canonical_url", "site", "title", "content_hash", "word_count", "authors",
          "published_at", "language", "revision", "duplicate_of", "syndicated_from")
TEST_ENV = {
    # No scheduled run may start beside the triggered ones.
    "NEWSMILL_CRAWL_SCHEDULE": "0 0 1 1 *",
    "NEWSMILL_DUMP_SCHEDULE": "0 0 1 1 *",
    "NEWSMILL_CLUSTER_HEARTBEAT": "30",
    "NEWSMILL_RETRY_DELAY_SECONDS": "3",
    # Small raw files, one per extraction task: many tasks to spread and to lose.
    "NEWSMILL_CRAWL_SETTINGS": json.dumps({"NEWSMILL_ARCHIVE_ROLL_RECORDS": 3}),
    "NEWSMILL_PROCESS_BATCH_FILES": "1",
}


class Cluster:
    def __init__(self, directory: str, env: dict[str, str]):
        self.dir = directory
        self.env = env
        values = _sourced(Path(directory, "env"))
        self.values = values
        self.api = AirflowApi(values["CLUSTER_API_URL"], values["CLUSTER_PASSWORDS"])
        self.s3 = boto3.client("s3", endpoint_url=values["AWS_ENDPOINT_URL"],
                               aws_access_key_id="cluster", aws_secret_access_key="cluster",
                               region_name="us-east-1")

    def sh(self, *args: str, timeout: float = 120) -> None:
        proc = subprocess.run(["bash", str(CLUSTER), *args], env=self.env, timeout=timeout,
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"cluster.sh {' '.join(args)}: {proc.stderr[-3000:]}"

    def dump_rows(self, store: str, day: str) -> list[dict[str, Any]]:
        bucket, _, prefix = store.removeprefix("s3://").partition("/")
        key = f"{prefix}/dumps/date={day}/articles.parquet"
        body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return stable(pq.read_table(io.BytesIO(body)).to_pylist())


def _sourced(path: Path) -> dict[str, str]:
    out = subprocess.run(["bash", "-c", f"source {shlex.quote(str(path))} && env -0"],
                         capture_output=True, check=True)
    return dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)


def stable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: r.get(k) for k in STABLE} for r in rows), key=lambda r: r["id"])


def cluster_processes(directory: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("NEWSMILL_CLUSTER") == directory:
                found.append(p)
        except psutil.Error:
            continue
    return found


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not under pytest's tmp_path: the PostgreSQL server runs as `postgres`, which must reach it.
    directory = tempfile.mkdtemp(prefix="newsmill-cluster-")
    os.chmod(directory, 0o755)
    env = {**os.environ, **TEST_ENV, "NEWSMILL_CLUSTER_DIR": directory}
    env.pop("NEWSMILL_STORE", None)
    env.pop("NEWSMILL_SITES", None)
    started = time.monotonic()
    up = subprocess.run(["bash", str(CLUSTER), "up"], env=env, timeout=900,
                        capture_output=True, text=True)
    try:
        assert up.returncode == 0, f"cluster.sh up: {up.stdout[-2000:]}{up.stderr[-4000:]}"
        print(f"cluster up in {time.monotonic() - started:.0f} s")
        yield Cluster(directory, env)
    finally:
        started = time.monotonic()
        down = subprocess.run(["bash", str(CLUSTER), "down", "--purge"], env=env, timeout=300,
                              capture_output=True, text=True)
        print(f"cluster down in {time.monotonic() - started:.0f} s")
        left = cluster_processes(directory)
        assert down.returncode == 0, down.stderr[-3000:]
        assert not left, [" ".join(p.cmdline()) for p in left]
        assert not Path(directory).exists()


@pytest.fixture(scope="module")
def single_machine(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The same sites through `newsmill run` on this machine, into a local folder."""
    store = tmp_path_factory.mktemp("single") / "store"
    env = {k: v for k, v in cluster.env.items() if not k.startswith(("AWS_", "AIRFLOW"))}
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "newsmill"), "run", "--sites",
         cluster.values["CLUSTER_SITES"], "--store", str(store), "-q"],
        env=env, timeout=600, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumps = sorted(store.glob("dumps/date=*/articles.parquet"))
    assert len(dumps) == 1, dumps
    rows = stable(pq.read_table(dumps[0]).to_pylist())
    assert len(rows) >= 10
    return rows


def crawl_then_dump(cluster: Cluster, during: Any = None) -> tuple[str, list[str]]:
    api = cluster.api
    known_dumps = {r["dag_run_id"] for r in api.runs("newsmill_dump")}
    run_id = api.trigger("newsmill_crawl")
    if during is not None:
        during(run_id)
    crawl = api.wait_run("newsmill_crawl", run_id, timeout=900)
    assert crawl["state"] == "success", api.task_instances("newsmill_crawl", run_id)
    dump = api.wait_new_run("newsmill_dump", known_dumps, timeout=300)
    assert dump["state"] == "success"
    assert dump["run_type"] == "asset_triggered"
    days = sorted({ti["rendered_map_index"] for ti in
                   api.task_instances("newsmill_dump", dump["dag_run_id"])
                   if ti["task_id"] == "dump_partition"})
    return run_id, days


# Bringing the cluster up and down counts too (module fixtures run inside the first test).
@pytest.mark.timeout(2400)
def test_cluster_dump_equals_single_machine_even_after_losing_a_worker(
    cluster: Cluster, single_machine: list[dict]
) -> None:
    api = cluster.api
    started = time.monotonic()
    run_id, days = crawl_then_dump(cluster)
    print(f"crawl + dump on the cluster: {time.monotonic() - started:.0f} s")
    assert len(days) == 1
    extract = [ti for ti in api.task_instances("newsmill_crawl", run_id)
               if ti["task_id"] == "extract_batch"]
    assert len(extract) >= 4  # the raw files were spread over tasks ...
    assert {ti["hostname"] for ti in extract} == {"worker1", "worker2"}  # ... and over workers
    assert cluster.dump_rows(cluster.values["CLUSTER_STORE"], days[0]) == single_machine

    # Again into a fresh store, losing worker 1 while it extracts.
    store2 = cluster.values["CLUSTER_STORE"] + "-again"
    api.set_variable("newsmill_store", store2)
    killed: list[str] = []

    def kill_worker_1_mid_extraction(crawl_run: str) -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            held = [ti for ti in api.task_instances("newsmill_crawl", crawl_run)
                    if ti["task_id"] == "extract_batch" and ti["state"] == "running"
                    and ti["hostname"] == "worker1"]
            if held:
                cluster.sh("worker", "kill", "1")
                killed.extend(str(ti["map_index"]) for ti in held)
                return
            time.sleep(0.3)
        pytest.fail("worker 1 never ran an extraction task")

    started = time.monotonic()
    run_id, days = crawl_then_dump(cluster, kill_worker_1_mid_extraction)
    print(f"crawl + dump with worker 1 killed: {time.monotonic() - started:.0f} s")
    assert killed
    for index in killed:
        tries = api.tries("newsmill_crawl", run_id, "extract_batch", int(index))
        assert len(tries) >= 2, tries
        assert tries[-1]["state"] == "success" and tries[-1]["hostname"] == "worker2", tries
    assert cluster.dump_rows(store2, days[0]) == single_machine
