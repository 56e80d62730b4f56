"""Shared fixtures: a real S3 endpoint (moto_server on loopback) and the demo news sites."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests never reach the internet; dummy credentials keep boto3 from looking for real ones.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto_server process on 127.0.0.1, for the whole session."""
    port = free_port()
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"moto_server did not start on {url}") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def s3_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 (here and in child processes) at moto; returns the endpoint."""
    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


@pytest.fixture
def s3_uri(s3_env: str) -> str:
    """A fresh bucket on moto; returns s3://bucket/prefix."""
    import boto3

    bucket = f"newsmill-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/store"


@pytest.fixture
def demo():
    """The demo news sites, edition 1, on loopback."""
    from newsmill.pipeline.demo.server import DemoServer

    server = DemoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_sites(demo, tmp_path: Path) -> Path:
    return demo.write_sites_file(tmp_path / "sites.yaml")


@pytest.fixture(scope="module")
def demo_server():
    """The demo sites, edition 1, once per module: for tests that leave the edition alone
    (they may reset() the request log)."""
    from newsmill.pipeline.demo.server import DemoServer

    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def sites_file(demo_server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_server.write_sites_file(tmp_path_factory.mktemp("sites") / "sites.yaml")


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsmill` command as a user would."""
    full_env = {**os.environ, **(env or {})}
    exe = Path(sys.executable).parent / "newsmill"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=cwd)
