"""The backfill DAG with `source: warc` and `source: wayback`, run with `dag.test()` (through
tests/airflow_driver.py, configured as in tests/test_dags_e2e.py: Variables and the S3
connection from the environment, a store on moto_server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import pytest
from fake_wayback import FakeWayback
from helpers_backfill import in_range_archive
from test_backfill_warc import write_warc
from test_dags_e2e import KEY_ID, SECRET, Airflow, airflow_home, new_store, today
from test_wayback import wayback_captures

from newsmill.pipeline.demo.server import DemoServer

pytestmark = pytest.mark.timeout(900)

FROM, TO = "2019-02-01", "2019-08-31"

# Shared fixtures (pytest finds them by name in this module).
__all__ = ["airflow_home"]


@pytest.fixture
def fake(demo_server: DemoServer) -> Iterator[FakeWayback]:
    server = FakeWayback(wayback_captures(demo_server)).start()
    try:
        yield server
    finally:
        server.stop()


def test_backfill_dag_with_warc_and_wayback_sources(
    airflow_home: Path, demo_server: DemoServer, sites_file: Path, moto_endpoint: str,
    fake: FakeWayback, tmp_path: Path,
) -> None:
    wanted = in_range_archive(demo_server, FROM, TO)

    # --- warc: one file on S3, one mapped chunk -------------------------------------------
    store, bucket = new_store(moto_endpoint)
    warc = tmp_path / "cc.warc.gz"
    write_warc(warc, demo_server, gz=True)
    boto3.client("s3", endpoint_url=moto_endpoint, aws_access_key_id=KEY_ID,
                 aws_secret_access_key=SECRET, region_name="us-east-1").upload_file(
        str(warc), bucket.bucket, "warcs/cc.warc.gz")
    warc_uri = f"s3://{bucket.bucket}/warcs/cc.warc.gz"
    airflow = Airflow(airflow_home, sites_file, store, moto_endpoint)
    run = airflow.test("newsmill_backfill", {"site": "gazette", "from": FROM, "to": TO,
                                             "source": "warc", "warc": [warc_uri]})
    assert run.state == "success", run.explain()
    assert list(run.mapped_states("backfill_chunk").values()) == ["success"]
    rows = bucket.article_rows()
    assert {r["canonical_url"] for r in rows} == wanted and len(rows) == len(wanted)
    assert {r["source"] for r in rows} == {"backfill-warc"}
    assert {r["raw_ref"].rpartition("#")[0] for r in rows} == {warc_uri}
    # Processed in the chunk; the dump task published the ingestion date it changed.
    assert {r["canonical_url"] for r in bucket.dump_rows(today())} == wanted
    (report_key,) = [k for k in bucket.keys("runs/") if "backfill" in bucket.get(k).decode()]
    coverage = json.loads(bucket.get(report_key))["coverage"]["gazette"]
    assert coverage["totals"]["ingested"] == len(wanted)

    # --- wayback: two date chunks against the fake archive ----------------------------------
    store, bucket = new_store(moto_endpoint)
    airflow = Airflow(airflow_home, sites_file, store, moto_endpoint)
    span = (date.fromisoformat(TO) - date.fromisoformat(FROM)).days + 1
    run = airflow.test("newsmill_backfill", {
        "site": "gazette", "from": FROM, "to": TO, "source": "wayback",
        "chunk_days": span // 2 + 1, "cdx_url": fake.cdx_url, "replay_url": fake.replay_url,
    })
    assert run.state == "success", run.explain()
    chunks = run.mapped_states("backfill_chunk")
    assert len(chunks) == 2 and set(chunks.values()) == {"success"}, chunks
    rows = bucket.article_rows()
    assert {r["canonical_url"] for r in rows} == wanted and len(rows) == len(wanted)
    assert {r["source"] for r in rows} == {"backfill-wayback"}
    assert {r["canonical_url"] for r in bucket.dump_rows(today())} == wanted
    assert any(k.startswith("raw/site=gazette/") and "-wb-" in k for k in bucket.keys("raw/"))
    reports = [json.loads(bucket.get(k)) for k in bucket.keys("runs/")]
    failed = sum(r["coverage"]["gazette"]["totals"]["failed"] for r in reports if r["coverage"])
    assert failed == 2  # the lost and the always-failing capture, reported by their chunks
    # The chunk whose 503 capture was never served stays open for the next run; the other is
    # done. (The 404 in the first chunk is final and would not hold it open by itself.)
    markers = sorted(bucket.keys("state/backfill/gazette/wayback/"))
    assert len(markers) == 1 and not markers[0].startswith(
        f"state/backfill/gazette/wayback/{FROM}_"), markers
