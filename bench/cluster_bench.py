"""Processing speed-up on the CeleryExecutor cluster: one one-core worker against two.

    .venv/bin/python bench/cluster_bench.py [--copies 12] [--files-per-batch 2]

Brings up scripts/cluster.sh in a temporary directory with each Celery worker pinned to its own
core (taskset) and running one task at a time, crawls the demo sites into the cluster's S3
store, copies the raw files `--copies` times (the same pages under other raw keys: the same
work, more of it), then times `newsmill_reextract` over them: once to warm up, then with worker
2 stopped, then with both. Prints the DAG run's wall time, the extraction phase (first
extract_batch start to last end) and the ratios; the cluster is brought down at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from cluster_api import AirflowApi  # noqa: E402

CLUSTER = str(REPO / "scripts" / "cluster.sh")


def sh(env: dict[str, str], *args: str, timeout: float = 900) -> None:
    proc = subprocess.run(["bash", CLUSTER, *args], env=env, timeout=timeout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"cluster.sh {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def sourced(path: Path) -> dict[str, str]:
    out = subprocess.run(["bash", "-c", f"source '{path}' && env -0"], capture_output=True,
                         check=True)
    return dict(i.split("=", 1) for i in out.stdout.decode().split("\0") if "=" in i)


def fill_store(values: dict[str, str], env: dict[str, str], copies: int) -> int:
    """Crawl the demo sites into the store, then copy each raw file `copies` times."""
    crawl_env = {k: v for k, v in values.items() if not k.startswith("AIRFLOW")}
    crawl_env["NEWSMILL_CRAWL_SETTINGS"] = json.dumps({"NEWSMILL_ARCHIVE_ROLL_RECORDS": 8})
    subprocess.run([str(REPO / ".venv/bin/newsmill"), "crawl", "--sites",
                    values["CLUSTER_SITES"], "--store", values["CLUSTER_STORE"], "-q"],
                   env={**env, **crawl_env}, check=True, timeout=600)
    bucket, _, prefix = values["CLUSTER_STORE"].removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", endpoint_url=values["AWS_ENDPOINT_URL"],
                      aws_access_key_id="cluster", aws_secret_access_key="cluster",
                      region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/raw/")
    keys = [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".warc.gz")]
    for key in keys:
        for n in range(1, copies):
            copy = key.replace(".warc.gz", f"-copy{n:03d}.warc.gz")
            s3.copy_object(Bucket=bucket, Key=copy, CopySource={"Bucket": bucket, "Key": key})
    return len(keys) * copies


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def timed_reextract(api: AirflowApi) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    run_id = api.trigger("newsmill_reextract", {"from": today, "to": today})
    run = api.wait_run("newsmill_reextract", run_id, timeout=3600)
    if run["state"] != "success":
        raise SystemExit(f"reextract run {run_id} ended {run['state']}")
    tis = [t for t in api.task_instances("newsmill_reextract", run_id)
           if t["task_id"] == "extract_batch"]
    return {
        "run_seconds": _ts(run["end_date"]) - _ts(run["start_date"]),
        "extract_seconds": max(_ts(t["end_date"]) for t in tis)
        - min(_ts(t["start_date"]) for t in tis),
        "tasks": len(tis),
        "workers": sorted({t["hostname"] for t in tis}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--files-per-batch", type=int, default=2)
    args = ap.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("needs two cores")
    directory = tempfile.mkdtemp(prefix="newsmill-bench-cluster-")
    os.chmod(directory, 0o755)  # the PostgreSQL server runs as `postgres`
    env = {**os.environ, "NEWSMILL_CLUSTER_DIR": directory, "NEWSMILL_CLUSTER_PIN": "1",
           "NEWSMILL_CLUSTER_CONCURRENCY": "1", "NEWSMILL_WORKERS": "1",
           "NEWSMILL_PROCESS_BATCH_FILES": str(args.files_per_batch),
           "NEWSMILL_CRAWL_SCHEDULE": "0 0 1 1 *", "NEWSMILL_DUMP_SCHEDULE": "0 0 1 1 *"}
    for key in ("NEWSMILL_STORE", "NEWSMILL_SITES"):
        env.pop(key, None)
    sh(env, "up")
    try:
        values = sourced(Path(directory, "env"))
        api = AirflowApi(values["CLUSTER_API_URL"], values["CLUSTER_PASSWORDS"])
        files = fill_store(values, env, args.copies)
        print(f"{files} raw files, {args.files_per_batch} per extraction task")
        warm = timed_reextract(api)
        print(f"warm-up (2 workers): run {warm['run_seconds']:.1f} s")
        sh(env, "worker", "stop", "2")
        one = timed_reextract(api)
        sh(env, "worker", "start", "2")
        two = timed_reextract(api)
    finally:
        sh(env, "down", "--purge")
    print(f"{'':12} {'run s':>8} {'extract s':>10} {'tasks':>6}  workers")
    for name, r in (("1 worker", one), ("2 workers", two)):
        print(f"{name:12} {r['run_seconds']:8.1f} {r['extract_seconds']:10.1f} {r['tasks']:6}  "
              f"{', '.join(r['workers'])}")
    print(f"speed-up: run {one['run_seconds'] / two['run_seconds']:.2f}x, "
          f"extraction {one['extract_seconds'] / two['extract_seconds']:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
