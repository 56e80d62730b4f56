"""Peak memory of a crawl + process + dump over the hostile test site.

    .venv/bin/python bench/memory_bench.py [--bomb-mb 100] [--big-mb 50]

The hostile site (tests/hostile_server.py) serves a 50 MB page, a gzip bomb, a trickling page,
redirect loops, an endless calendar and more. The crawl runs with the production size limit
(DOWNLOAD_MAXSIZE 20 MB) and a short download timeout so the trickle does not dominate the run
time. Prints the peak RSS of this process (processing, dump) and of the largest child (the
Scrapy crawl process, extraction workers), from getrusage.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024  # Linux reports ru_maxrss in KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=100, help="inflated size of the bomb")
    parser.add_argument("--big-mb", type=int, default=50, help="size of the big page")
    args = parser.parse_args()

    import hostile_server

    from newsmill.pipeline.app import jobs

    hostile_server.BOMB = args.bomb_mb * 1024 * 1024
    hostile_server.BIG = args.big_mb * 1024 * 1024
    os.environ["NEWSMILL_CRAWL_SETTINGS"] = json.dumps(
        {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 0, "NEWSMILL_TRAP_MAX_PER_SHAPE": 30}
    )
    with hostile_server.HostileServer() as server, tempfile.TemporaryDirectory() as tmp:
        hostile_server.gzip_bomb(hostile_server.BOMB)  # built before measuring
        base_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sites = Path(tmp, "sites.yaml")
        sites.write_text(server.sites_yaml())
        t0 = time.monotonic()
        report = jobs.run(str(sites), str(Path(tmp, "store")))
        seconds = time.monotonic() - t0
        counts = report.sites["hostile"]
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"hostile crawl+process+dump in {seconds:.1f}s: {counts.fetched} responses, "
          f"{counts.articles} records, {counts.quarantined} quarantined "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(counts.quarantine_reasons.items()))})")
    print(f"bomb {args.bomb_mb} MB inflated, big page {args.big_mb} MB")
    print(f"peak RSS, this process (process + dump): {_mb(peak_self):.0f} MB "
          f"(before the run: {_mb(base_self):.0f} MB, includes the test server)")
    print(f"peak RSS, largest child (Scrapy crawl, extraction workers): {_mb(peak_child):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
