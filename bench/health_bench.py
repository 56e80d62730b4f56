"""What the health figures cost processing: the share of `newsmill process` time spent keeping
them (observing each page, saving each batch's figures, the run's drift check).

Crawls the demo sites once, puts that crawl into --days date partitions of a fresh store (each
day processed as a separate run, as a week of scheduled runs would be), and times every call into
pipeline.health during real processing runs, against the runs' total time.

    .venv/bin/python bench/health_bench.py [--days 8]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsmill.pipeline.app import jobs
from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.health import record
from newsmill.pipeline.health.stats import SiteDayStats
from newsmill.pipeline.warc import pending
from newsmill.storage import open_store

SPENT: dict[str, float] = {}


def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[fn.__name__] = SPENT.get(fn.__name__, 0.0) + time.perf_counter() - t0
    return wrapper


def instrument() -> None:
    """Time every entry point processing and the jobs call (pipeline.health.record and the
    SiteDayStats observers), wherever they were imported from."""
    for name in ("observe_record", "observe_verdict", "observe_quarantine"):
        setattr(SiteDayStats, name, timed(getattr(SiteDayStats, name)))
    for name in ("for_batch", "save_batch", "record_run", "drift_messages"):
        setattr(record, name, timed(getattr(record, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=8)
    args = parser.parse_args()
    instrument()
    with tempfile.TemporaryDirectory() as tmp, DemoServer() as server:
        sites = server.write_sites_file(Path(tmp) / "sites.yaml")
        crawl = open_store(f"{tmp}/crawl")
        jobs.crawl(str(sites), crawl.uri)
        raw = [k for k in crawl.list("raw/") if k.endswith(".warc.gz")]
        store = open_store(f"{tmp}/store")
        today = datetime.now(UTC).date()
        total = pages = 0.0
        for i in range(args.days):
            day = (today - timedelta(days=args.days - 1 - i)).isoformat()
            keys = []
            for key in raw:
                site, _, name = key.split("/", 3)[1:]
                new = f"raw/{site}/date={day}/{day.replace('-', '')}T0400Z{i}-{name}"
                store.put(new, crawl.get(key))
                keys.append(new)
            pending.mark(store, keys)
            t0 = time.perf_counter()
            report = jobs.process(store.uri, sites_path=str(sites))
            total += time.perf_counter() - t0
            pages += sum(c.articles + c.unchanged + c.quarantined for c in report.sites.values())
    print(f"processing runs: {args.days}, pages processed: {pages:.0f}, "
          f"processing time: {total:.2f} s")
    spent = sum(SPENT.values())
    print(f"health figures: {spent:.3f} s = {100 * spent / total:.2f}% of processing time")
    for name, seconds in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        print(f"  {name:20} {seconds:.4f} s")


if __name__ == "__main__":
    main()
