"""Storage outages against a real moto_server behind a TCP proxy that cuts the line.

Restarting moto would wipe its in-memory buckets, so the outage is the proxy's: every open
connection reset, every new one refused, until it is restored.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest
from helpers_faults import baseline, dump_rows, run, run_until
from tcp_proxy import TcpProxy
from throttling_proxy import ThrottlingProxy

from newsmill.storage import StoreError, open_store

pytestmark = pytest.mark.timeout(240)

# A short retry budget, so the outage outlasts it quickly (the default is about a minute).
SHORT_BUDGET = {"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"}


@pytest.fixture
def proxy(s3_env: str) -> Iterator[TcpProxy]:
    parts = urlsplit(s3_env)
    with TcpProxy(parts.hostname or "127.0.0.1", int(parts.port or 80)) as p:
        yield p


@pytest.fixture
def bucket(s3_env: str) -> str:
    name = f"newsmill-outage-{uuid.uuid4().hex[:10]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def _keys(bucket: str, prefix: str) -> list[str]:
    # Straight to moto, around the proxy: the test watches the store while the run cannot.
    out = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"store/{prefix}")
    return [o["Key"][len("store/"):] for o in out.get("Contents", [])]


def test_outage_mid_run_fails_clearly_and_the_rerun_completes(
    proxy: TcpProxy, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = baseline()
    uri = f"s3://{bucket}/store"
    env = {"AWS_ENDPOINT_URL": proxy.url, **SHORT_BUDGET}

    # Cut as soon as the crawl's first WARC file is in the bucket: the rest of the crawl's
    # uploads, the processing and the dump all meet a dead store.
    def cut_after_first_upload() -> bool:
        if proxy.is_up and _keys(bucket, "raw/"):
            proxy.cut()
        return False  # never kill: the run must end by itself

    code, killed, err = run_until(uri, cut_after_first_upload, env=env)

    assert not killed
    assert code == 1, err[-3000:]
    last = [line for line in err.splitlines() if line.startswith("newsmill:")]
    assert len(last) == 1 and uri in last[0], err[-3000:]
    # Nothing half-published: no manifest, and no articles that no dump knows about.
    assert _keys(bucket, "dumps/") == []

    proxy.restore()
    proc = run(uri, env=env)

    assert proc.returncode == 0, proc.stderr[-3000:]
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    rows = dump_rows(open_store(uri))
    assert len(rows) == len({r[0] for r in rows})
    assert set(rows) == expected


def test_retries_then_a_clear_store_error(proxy: TcpProxy, bucket: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    for key, value in SHORT_BUDGET.items():
        monkeypatch.setenv(key, value)
    store = open_store(f"s3://{bucket}/store")
    store.put("a", b"1")
    proxy.cut()
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        store.get("a")
    message = str(err.value)
    assert "\n" not in message and "get 'a' failed" in message
    assert proxy.dropped >= 2  # retried before giving up
    assert time.monotonic() - t0 < 30
    # A blip shorter than the budget is ridden out: the retry after the restore succeeds.
    proxy.restore()
    assert store.get("a") == b"1"


def test_a_throttling_store_slows_the_run_down_but_loses_nothing(s3_env: str, bucket: str) -> None:
    # S3 answers "503 SlowDown" when a prefix is hot; here one request in 25 is refused (about
    # 13 of a demo run's 340 requests; each throttle slows the adaptive retry mode's client
    # rate down for a while, so one in ten made this test take 40-50 s).
    parts = urlsplit(s3_env)
    with ThrottlingProxy(parts.hostname or "127.0.0.1", int(parts.port or 80), every=25) as proxy:
        uri = f"s3://{bucket}/store"
        proc = run(uri, env={"AWS_ENDPOINT_URL": proxy.url})
        assert proc.returncode == 0, proc.stderr[-3000:]
        # Every kind of request met the throttle (uploads, reads, listings) and was retried.
        assert proxy.throttled["PUT"] and proxy.throttled["GET"], proxy.throttled
        assert sum(proxy.throttled.values()) >= 5, proxy.throttled
    rows = dump_rows(open_store(uri))
    assert len(rows) == len({r[0] for r in rows})
    assert set(rows) == baseline()
