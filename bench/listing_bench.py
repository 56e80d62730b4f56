"""Does a run's cost grow with the store's history? `newsmill run` on an empty store against
the same run on a store that already holds N earlier, processed raw files.

Usage: .venv/bin/python bench/listing_bench.py [--history 2000] [--repeat 3] [--s3]

Each repetition runs the demo sites into a fresh empty store and into a fresh history store
(hourly runs of the demo sites going back N hours: raw file, done marker and articles partition
per run, as processing leaves them), alternating, and times the whole command as a user runs it.
Prints the medians and their ratio (the target is within 1.10), then what finding the waiting
raw files costs on each store, beside what listing all of raw/ and state/processed/ (the old
way) costs on the history store. With --s3 the stores are buckets on a moto_server started on
127.0.0.1 (a real S3 API over HTTP, where a listing is one request per 1,000 keys).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.sites import load_sites
from newsmill.pipeline.warc import pending
from newsmill.storage import Store, open_store


def build_history(store: Store, sites: list[str], n: int) -> None:
    start = datetime.now(UTC) - timedelta(days=2)
    for i in range(n):
        hour = start - timedelta(hours=i // len(sites))
        site = sites[i % len(sites)]
        day, run_id = hour.strftime("%Y-%m-%d"), hour.strftime("%Y%m%dT%H0000Z")
        key = f"raw/site={site}/date={day}/{run_id}-00001.warc.gz"
        store.put(key, b"")
        store.put(pending.done_key(key), b"")
        store.put(f"articles/site={site}/date={day}/{run_id}-00001.parquet", b"")
    # as a store in use has it: the last full reconciliation is recent
    pending.waiting(store)


def timed_run(exe: str, sites_file: Path, store_uri: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([exe, "run", "--sites", str(sites_file), "--store", store_uri, "-q"],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


@contextmanager
def moto_server() -> Iterator[None]:
    """A moto_server on loopback, with this process's (and the runs') AWS settings at it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                       "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Stores:
    """Fresh stores for the runs: folders, or buckets on moto."""

    def __init__(self, tmp: Path, s3: bool):
        self.tmp, self.s3, self.n = tmp, s3, 0

    def fresh(self) -> Store:
        self.n += 1
        if not self.s3:
            return open_store(str(self.tmp / f"store-{self.n}"))
        import boto3

        bucket = f"listing-bench-{self.n}"
        boto3.client("s3").create_bucket(Bucket=bucket)
        return open_store(f"s3://{bucket}/store")


def listing_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=2000, help="earlier raw files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--s3", action="store_true", help="buckets on a local moto_server")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "newsmill")
    with contextlib.ExitStack() as stack:
        if args.s3:
            stack.enter_context(moto_server())
        server = stack.enter_context(DemoServer())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stores = Stores(tmp, args.s3)
        sites_file = server.write_sites_file(tmp / "sites.yaml")
        names = [site.name for site in load_sites(str(sites_file)).sites]
        empty_t, history_t = [], []
        for i in range(args.repeat):
            for label, times in (("empty", empty_t), ("history", history_t)):
                store = stores.fresh()
                if label == "history":
                    build_history(store, names, args.history)
                    history = store
                else:
                    empty = store
                times.append(timed_run(exe, sites_file, store.uri))
                server.reset()
                print(f"run {i + 1} {label:8} {times[-1]:.2f} s", flush=True)
        e, h = statistics.median(empty_t), statistics.median(history_t)
        print(f"median: empty store {e:.2f} s, store with {args.history} earlier raw files "
              f"{h:.2f} s, ratio {h / e:.3f}")

        waiting_empty = listing_ms(lambda: pending.waiting(empty))
        waiting_history = listing_ms(lambda: pending.waiting(history))
        full = listing_ms(
            lambda: (list(history.list("raw/")), list(history.list("state/processed/"))))
        print(f"finding waiting raw files: empty store {waiting_empty:.1f} ms, history store "
              f"{waiting_history:.1f} ms; listing all of raw/ and state/processed/ there (the "
              f"old way): {full:.1f} ms")

if __name__ == "__main__":
    main()
