"""The DAGs end to end: real `dag.test()` runs against the demo sites and S3 on moto_server.

Airflow runs in a subprocess (tests/airflow_driver.py) on a SQLite metadata DB migrated once for
the module. The DAGs are configured the way an operator configures them: the Variables come from
AIRFLOW_VAR_NEWSMILL_SITES / AIRFLOW_VAR_NEWSMILL_STORE, and S3 credentials and endpoint come
only from the `newsmill_s3` connection (AIRFLOW_CONN_NEWSMILL_S3): no AWS_* variable is set for
the Airflow process, so reaching moto at all proves the connection is exported to the jobs and to
their crawl subprocesses.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import free_port

from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.publish.article import article_id

pytestmark = pytest.mark.timeout(900)

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "airflow_driver.py"
BIN = Path(sys.executable).parent
KEY_ID, SECRET = "newsmill-test", "newsmill-test-secret"


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


# --- Airflow ----------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    """The test process's environment minus anything Airflow, AWS or newsmill."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "AWS_", "NEWSMILL_"))
    }


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("airflow-home")
    proc = subprocess.run(
        [sys.executable, str(DRIVER), "--home", str(home), "migrate"],
        env=clean_env(), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return home


class DagRun:
    def __init__(self, result: dict[str, Any], output: str):
        self.result = result
        self.output = output  # the driver's stdout + stderr: every task's log

    @property
    def state(self) -> str:
        return str(self.result["state"])

    def tasks(self, task_id: str) -> list[dict[str, Any]]:
        return [t for t in self.result["tasks"] if t["task_id"] == task_id]

    def state_of(self, task_id: str) -> str:
        (task,) = self.tasks(task_id)
        return str(task["state"])

    def mapped_states(self, task_id: str) -> dict[str, str]:
        return {t["rendered_map_index"]: t["state"] for t in self.tasks(task_id)}

    def xcoms(self, task_id: str, key: str = "return_value") -> list[Any]:
        found = [x for x in self.result["xcoms"] if x["task_id"] == task_id and x["key"] == key]
        return [x["value"] for x in sorted(found, key=lambda x: x["map_index"])]

    def explain(self) -> str:
        states = [(t["task_id"], t["rendered_map_index"], t["state"]) for t in self.result["tasks"]]
        return f"run {self.state}: {states}\n--- log tail ---\n{self.output[-6000:]}"


class Airflow:
    """Runs a DAG with `dag.test()`, configured through Variables and a connection in the env."""

    def __init__(self, home: Path, sites: Path, store: str, s3_endpoint: str):
        self.home, self.sites, self.store, self.s3_endpoint = home, sites, store, s3_endpoint

    def env(self, **extra: str) -> dict[str, str]:
        env = clean_env()
        conn = {
            "conn_type": "aws",
            "login": KEY_ID,
            "password": SECRET,
            "extra": {"endpoint_url": self.s3_endpoint, "region_name": "us-east-1"},
        }
        env.update(
            AIRFLOW_VAR_NEWSMILL_SITES=str(self.sites),
            AIRFLOW_VAR_NEWSMILL_STORE=self.store,
            AIRFLOW_CONN_NEWSMILL_S3=json.dumps(conn),
            # Without a connection boto3 would otherwise probe the EC2 metadata service.
            AWS_EC2_METADATA_DISABLED="true",
        )
        env.update(extra)
        return env

    def test(self, dag_id: str, conf: dict[str, Any] | None = None, **env: str) -> DagRun:
        out = self.home / f"{dag_id}-{uuid.uuid4().hex[:8]}.json"
        cmd = [sys.executable, str(DRIVER), "--home", str(self.home), "test", dag_id,
               "--out", str(out), "--no-retries"]
        if conf is not None:
            cmd += ["--conf", json.dumps(conf)]
        proc = subprocess.run(cmd, env=self.env(**env), capture_output=True, text=True,
                              timeout=600, cwd=self.home)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0 and out.exists(), output[-6000:]
        result = json.loads(out.read_text())
        assert "error" not in result, result
        return DagRun(result, output)


# --- S3 on moto, read back as a downstream team would -------------------------------------------


class Bucket:
    def __init__(self, endpoint: str, uri: str):
        self.bucket, _, self.prefix = uri[len("s3://"):].partition("/")
        self.s3 = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET, region_name="us-east-1",
        )

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/{prefix}"
        )
        cut = len(self.prefix) + 1
        return sorted(o["Key"][cut:] for page in pages for o in page.get("Contents", []))

    def get(self, key: str) -> bytes:
        obj = self.s3.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")
        return bytes(obj["Body"].read())

    def dump_rows(self, day: str) -> list[dict[str, Any]]:
        """Rows of a published partition, after checking the manifest against the files."""
        prefix = f"dumps/date={day}/"
        manifest = json.loads(self.get(prefix + "manifest.json"))
        for f in manifest["files"]:
            data = self.get(f["key"])
            assert hashlib.sha256(data).hexdigest() == f["sha256"], f["key"]
        rows = pq.read_table(io.BytesIO(self.get(prefix + "articles.parquet"))).to_pylist()
        lines = gzip.decompress(self.get(prefix + "articles.jsonl.gz")).decode().splitlines()
        assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]
        assert manifest["row_count"] == len(rows)
        return rows

    def article_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for key in self.keys("articles/"):
            if key.endswith(".parquet"):
                rows += pq.read_table(io.BytesIO(self.get(key))).to_pylist()
        return rows


@pytest.fixture(scope="module")
def s3(moto_endpoint: str) -> str:
    return moto_endpoint


def new_store(endpoint: str) -> tuple[str, Bucket]:
    name = f"newsmill-dags-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
        region_name="us-east-1",
    ).create_bucket(Bucket=name)
    uri = f"s3://{name}/newsmill"
    return uri, Bucket(endpoint, uri)


# --- the demo sites ---------------------------------------------------------------------------


def expected_current(demo_server: DemoServer) -> list[Any]:
    return [a for a in demo_server.catalogue() if not a.archive and a.edition == 1]


def assert_published_once(rows: list[dict[str, Any]], expected: list[Any]) -> None:
    """Every expected article exactly once; syndicated copies flagged, everything else not."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(row["canonical_url"], []).append(row)
    assert expected
    for exp in expected:
        assert len(by_url.get(exp.canonical_url, [])) == 1, exp.canonical_url
        row = by_url[exp.canonical_url][0]
        assert row["site"] == exp.site and row["title"] == exp.title
        if exp.syndicated_of:
            assert row["duplicate_of"] == article_id(exp.syndicated_of), exp.canonical_url
        else:
            assert row["duplicate_of"] is None, exp.canonical_url
    assert set(by_url) == {e.canonical_url for e in expected}, "unexpected extra records"


# --- crawl, then dump, then re-extract ----------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(
    airflow_home: Path, demo_server: DemoServer, sites_file: Path, s3: str
) -> tuple[Airflow, Bucket, DagRun, DagRun]:
    """One scheduled-style crawl run and the dump run it triggers, into a fresh bucket."""
    store, bucket = new_store(s3)
    airflow = Airflow(airflow_home, sites_file, store, s3)
    crawl = airflow.test("newsmill_crawl")
    dump = airflow.test("newsmill_dump")
    return airflow, bucket, crawl, dump


def test_crawl_then_dump_publishes_every_article_once(
    crawled: tuple[Airflow, Bucket, DagRun, DagRun], demo_server: DemoServer
) -> None:
    _, bucket, crawl, dump = crawled
    assert crawl.state == "success", crawl.explain()
    assert crawl.mapped_states("crawl_site") == {"gazette": "success", "ledger": "success"}
    assert crawl.state_of("process_articles") == "success"
    # The articles Asset was updated, carrying the ingestion dates the dump must publish.
    (event,) = crawl.result["asset_events"]
    assert event["uri"] == "newsmill://articles/" and today() in event["extra"]["dates"]
    summary = crawl.xcoms("finish")[0]
    assert summary["sites"] == {"ok": ["gazette", "ledger"], "failed": []}

    # The dump run had no Asset event to read (dag.test makes a manual run): it fell back to
    # "every date whose partition is out of date", which must publish today only.
    assert dump.state == "success", dump.explain()
    assert dump.mapped_states("dump_partition") == {today(): "success"}
    assert bucket.keys("dumps/") == [
        f"dumps/date={today()}/{name}"
        for name in ("articles.jsonl.gz", "articles.parquet", "manifest.json")
    ]
    assert_published_once(bucket.dump_rows(today()), expected_current(demo_server))
    # The crawl really went through the store: raw WARC for both sites.
    raw = bucket.keys("raw/")
    assert any(k.startswith("raw/site=gazette/") for k in raw)
    assert any(k.startswith("raw/site=ledger/") for k in raw)


def test_reextract_republishes_same_ids_with_the_new_extractor(
    crawled: tuple[Airflow, Bucket, DagRun, DagRun], demo_server: DemoServer
) -> None:
    airflow, bucket, crawl, _ = crawled
    assert crawl.state == "success", crawl.explain()
    before = {r["id"]: r for r in bucket.dump_rows(today())}
    assert before

    run = airflow.test(
        "newsmill_reextract", {"from": today(), "to": today()},
        NEWSMILL_EXTRACTOR_PROFILE="precision",
    )
    assert run.state == "success", run.explain()
    assert run.mapped_states("dump_partition") == {today(): "success"}

    after = {r["id"]: r for r in bucket.dump_rows(today())}
    assert set(after) == set(before)
    for row_id, row in after.items():
        assert row["extractor"] != before[row_id]["extractor"], row["canonical_url"]
        assert "precision" in row["extractor"], row["extractor"]
        assert row["canonical_url"] == before[row_id]["canonical_url"]
    assert_published_once(list(after.values()), expected_current(demo_server))


# --- backfill -----------------------------------------------------------------------------------


def test_backfill_ingests_exactly_the_archive_range_and_reruns_skip_done_chunks(
    airflow_home: Path, demo_server: DemoServer, sites_file: Path, s3: str
) -> None:
    archive = sorted((e for e in demo_server.catalogue() if e.archive),
                     key=lambda e: e.published_at)
    assert len(archive) >= 3
    first, last = archive[1].published_at[:10], archive[-2].published_at[:10]
    wanted = {e.canonical_url for e in archive if first <= e.published_at[:10] <= last}
    assert wanted and len(wanted) < len(archive)
    # Two chunks: enough to show the range is split and mapped, few enough to stay quick.
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    conf = {"site": "gazette", "from": first, "to": last, "source": "sitemap",
            "chunk_days": max(1, math.ceil(span / 2))}

    store, bucket = new_store(s3)
    airflow = Airflow(airflow_home, sites_file, store, s3)
    run = airflow.test("newsmill_backfill", conf)
    assert run.state == "success", run.explain()
    chunks = run.mapped_states("backfill_chunk")
    assert len(chunks) == 2 and set(chunks.values()) == {"success"}, chunks

    records = bucket.article_rows()
    assert {r["canonical_url"] for r in records} == wanted
    assert {r["source"] for r in records} == {"backfill-sitemap"}
    rows = bucket.dump_rows(today())
    assert {r["canonical_url"] for r in rows} == wanted
    assert len(bucket.keys("state/backfill/gazette/")) == 2

    # The same backfill again: every chunk is found done and nothing is fetched.
    demo_server.reset()
    again = airflow.test("newsmill_backfill", conf)
    assert again.state == "success", again.explain()
    assert all(o["skipped"] for o in again.xcoms("backfill_chunk", "outcome"))
    article_paths = {"/" + url.split("/", 3)[3] for url in wanted}
    assert not any(r.path in article_paths for r in demo_server.requests)
    assert {r["canonical_url"] for r in bucket.article_rows()} == wanted


# --- a broken site ------------------------------------------------------------------------------


def test_a_failing_site_fails_only_its_task_and_the_others_are_published(
    airflow_home: Path, demo_server: DemoServer, sites_file: Path, s3: str, tmp_path: Path
) -> None:
    # A third site on a loopback address where nothing listens: every request is refused.
    dead_port = free_port("127.0.0.1")
    data = yaml.safe_load(sites_file.read_text())
    data["sites"].append({
        "name": "deadsite",
        "domains": ["127.0.0.1"],
        "feeds": [f"http://127.0.0.1:{dead_port}/feed.xml"],
    })
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump(data, sort_keys=False))
    store, bucket = new_store(s3)
    airflow = Airflow(airflow_home, sites, store, s3)
    crawl = airflow.test("newsmill_crawl")

    assert crawl.state == "failed", crawl.explain()
    assert crawl.mapped_states("crawl_site") == {
        "gazette": "success", "ledger": "success", "deadsite": "failed",
    }
    assert crawl.state_of("process_articles") == "success"
    assert crawl.state_of("finish") == "failed"
    (dead,) = [o for o in crawl.xcoms("crawl_site", "outcome") if o["label"] == "deadsite"]
    assert dead["ok"] is False and dead["reason"]
    # The run's failure names the site and the reason.
    assert "newsmill_crawl: 1 of 3 sites failed: deadsite: " + dead["reason"] in crawl.output

    # The good sites' articles are published, by a dump run given the event's dates.
    (event,) = crawl.result["asset_events"]
    dump = airflow.test("newsmill_dump", {"dates": event["extra"]["dates"]})
    assert dump.state == "success", dump.explain()
    assert_published_once(bucket.dump_rows(today()), expected_current(demo_server))


# --- the operator's shell -----------------------------------------------------------------------


def test_airflow_dags_test_works_with_only_the_documented_environment(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    """`airflow db migrate` + `airflow dags test newsmill_crawl`, as docs/airflow.md has it:
    a shell with only the documented variables, a local-folder store, a fresh AIRFLOW_HOME."""
    doc = (ROOT / "docs" / "airflow.md").read_text()
    store = tmp_path / "data"
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_VAR_NEWSMILL_SITES": str(sites_file),
        "AIRFLOW_VAR_NEWSMILL_STORE": str(store),
    }
    for name in env:
        if name not in ("PATH", "HOME"):
            assert f"export {name}=" in doc, f"docs/airflow.md does not set {name}"
    for args in (["db", "migrate"], ["dags", "test", "newsmill_crawl"]):
        proc = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"airflow {' '.join(args)}:\n{output[-6000:]}"
    assert "DagRun Finished: dag_id=newsmill_crawl" in output and "state=success" in output
    assert list(store.glob("raw/site=gazette/date=*/*.warc.gz"))
    assert list(store.glob("raw/site=ledger/date=*/*.warc.gz"))
    assert list((store / "runs").glob("*.json"))
