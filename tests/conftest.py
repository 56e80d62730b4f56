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

# tests/cluster brings up a whole CeleryExecutor deployment (scripts/cluster.sh): it is the
# second CI stage (.ci/run, with NEWSMILL_CLUSTER_TEST=1), not part of the main suite.
collect_ignore = [] if os.environ.get("NEWSMILL_CLUSTER_TEST") == "1" else ["cluster"]

# Tests never reach the internet; dummy credentials keep boto3 from looking for real ones.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# Every process the suite starts inherits this mark, even one that outlives its parent and is
# adopted by init: what the leftover check below looks for.
SESSION_MARK = "NEWSMILL_TEST_SESSION"
os.environ[SESSION_MARK] = uuid.uuid4().hex
STRAGGLER_SECONDS = 5.0
# Helpers of multiprocessing that exit with pytest itself, not leftovers of a test.
_EXITS_WITH_PYTEST = (b"multiprocessing.resource_tracker", b"multiprocessing.forkserver")


def _proc_processes() -> dict[int, tuple[int, bytes, bytes]]:
    """pid -> (parent pid, command line, environment) of the live processes /proc shows."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            state, ppid = stat.rsplit(") ", 1)[1].split()[:2]
            if state in ("Z", "X"):
                continue
            out[int(entry.name)] = (int(ppid), (entry / "cmdline").read_bytes(),
                                    (entry / "environ").read_bytes())
        except (OSError, ValueError, IndexError):
            continue
    return out


def suite_processes() -> dict[int, bytes]:
    """pid -> command line of every live process this test session started (descendants of
    pytest, and orphans that carry the session's mark), pytest itself excluded."""
    procs = _proc_processes()
    mark = f"{SESSION_MARK}={os.environ[SESSION_MARK]}".encode()
    ours = {pid for pid, (_, _, env) in procs.items() if mark in env.split(b"\0")}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    stack = [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in ours:
                ours.add(child)
                stack.append(child)
    ours.discard(os.getpid())
    return {pid: procs[pid][1] for pid in ours if pid in procs}


def _readable(cmdline: bytes) -> str:
    return cmdline.replace(b"\0", b" ").decode(errors="replace").strip()[:200]


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Fail the session if a process it started is still alive at its end (after a few
    seconds' grace): an orphaned worker or server goes on using the machine for ever."""
    if not Path("/proc/self/environ").exists():
        yield  # no /proc to look in (not Linux)
        return
    before = set(suite_processes())
    yield
    deadline = time.monotonic() + STRAGGLER_SECONDS
    while True:
        left = {pid: cmd for pid, cmd in suite_processes().items()
                if pid not in before and not any(h in cmd for h in _EXITS_WITH_PYTEST)}
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if left:
        listing = "; ".join(f"{pid}: {_readable(cmd)}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"{len(left)} process(es) started by the tests are still alive: {listing}",
                    pytrace=False)


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
