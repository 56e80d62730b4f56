"""Shared by the fault-injection and storage-outage tests: one demo server for the session, the
dump of an uninterrupted run against it, and a `newsmill run` that can be killed on a signal
from the store."""

from __future__ import annotations

import atexit
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from newsmill.pipeline.demo.server import DemoServer
from newsmill.storage import Store, open_store

NEWSMILL = str(Path(sys.executable).parent / "newsmill")
# Small WARC files, so raw/ keys appear while the crawl is still fetching; a small delay, so
# the fetch lasts long enough to be interrupted.
CRAWL_ENV = {"NEWSMILL_CRAWL_SETTINGS": json.dumps({"NEWSMILL_ARCHIVE_ROLL_RECORDS": 3})}
DELAY = 0.1

Row = tuple[str, int, str, str | None]

_demo: DemoServer | None = None
_tmp = tempfile.TemporaryDirectory(prefix="newsmill-faults-")
_baseline: set[Row] | None = None


def demo() -> DemoServer:
    global _demo
    if _demo is None:
        _demo = DemoServer().start()
        atexit.register(_demo.stop)
    return _demo


def sites_file() -> Path:
    path = Path(_tmp.name) / "sites.yaml"
    if not path.exists():
        demo().write_sites_file(path, delay=DELAY)
    return path


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def dump_rows(store: Store, day: str | None = None) -> list[Row]:
    """The published dump's rows as (id, revision, content_hash, duplicate_of): what must not
    change (fetched_at legitimately does). Only a dump with a manifest counts."""
    prefix = f"dumps/date={day or today()}/"
    manifest = json.loads(store.get(prefix + "manifest.json"))
    table = pq.read_table(io.BytesIO(store.get(prefix + "articles.parquet")))
    assert table.num_rows == manifest["row_count"]
    return [
        (r["id"], r["revision"], r["content_hash"], r["duplicate_of"])
        for r in table.select(["id", "revision", "content_hash", "duplicate_of"]).to_pylist()
    ]


def run(store_uri: str, env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSMILL, "run", "--sites", str(sites_file()), "--store", store_uri, "-q"],
        capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **CRAWL_ENV, **(env or {})},
    )


def baseline() -> set[Row]:
    """The dump of one uninterrupted run (computed once per session)."""
    global _baseline
    if _baseline is None:
        store = str(Path(_tmp.name) / "baseline")
        proc = run(store)
        assert proc.returncode == 0, proc.stderr[-3000:]
        rows = dump_rows(open_store(store))
        assert len(rows) == len({r[0] for r in rows}) and len(rows) > 5
        _baseline = set(rows)
    return _baseline


def run_until(store_uri: str, when: Callable[[], bool], env: dict[str, str] | None = None,
              timeout: float = 120,
              before_kill: Callable[[int], None] | None = None) -> tuple[int, bool, str]:
    """Start `newsmill run`; SIGKILL it as soon as `when()` holds (polled every 10 ms), after
    calling `before_kill(pid)`.

    Returns (exit status, killed by us, stderr). The process is reaped before returning: a
    zombie still answers kill(pid, 0), which the store lock would take for a live holder.
    """
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(
            [NEWSMILL, "run", "--sites", str(sites_file()), "--store", store_uri, "-q"],
            stdout=subprocess.DEVNULL, stderr=err, text=True,
            env={**os.environ, **CRAWL_ENV, **(env or {})},
        )
        killed = False
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if when():
                if before_kill:
                    before_kill(proc.pid)
                proc.kill()
                killed = True
                break
            time.sleep(0.01)
        if proc.poll() is None and not killed:
            proc.kill()
        code = proc.wait()
        err.seek(0)
        return code, killed, err.read()


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None when gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields


def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live process below `pid`: the start time tells a process
    from a later one that reuses its pid."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    out: set[tuple[int, str]] = set()
    stack = [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            out.add(child)
            stack.append(child[0])
    return out


def wait_gone(procs: set[tuple[int, str]], seconds: float = 5.0) -> set[tuple[int, str]]:
    """The processes of `procs` still alive after waiting up to `seconds` for them to exit."""
    deadline = time.monotonic() + seconds
    while True:
        alive = {(pid, start) for pid, start in procs
                 if (fields := _stat(pid)) and fields[19] == start}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def crawl_children(marker: str) -> list[int]:
    """Live crawl processes whose command line mentions `marker` (a store path or URI)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if state != "Z" and b"spiders.runner.crawl" in cmd and marker.encode() in cmd:
            pids.append(int(entry.name))
    return pids


def wait_no_crawl_children(marker: str, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := crawl_children(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left
