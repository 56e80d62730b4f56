"""Pages per second of `newsmill run` (crawl + process + dump), on the demo sites or on real pages.

Usage: .venv/bin/python bench/run_bench.py [--repeat N]
       .venv/bin/python bench/run_bench.py --pages DIR [DIR ...] [--limit N] [--memory K]

Demo mode prints, per repetition, pages fetched, records published and wall time of the whole
command as a user runs it (subprocess, fresh store), then the median. The demo sites are small,
so the figure includes process start-up; it is a floor for real crawls.

`--pages` serves every saved page (*.html.gz) of the folders from a loopback site with a
sitemap (bench/throughput/pages_site.py), runs `newsmill run` on it (delay 0, concurrency 16),
then bare trafilatura (`bare_extraction` with metadata) over the same pages in a pool of
`--workers` processes, and prints both times and their ratio: how close the pipeline comes to
the machine's extraction limit (target 1.25x). With `--memory K` it runs `newsmill run` again
with every page served under K URLs, and compares the peak RSS of the two runs (target: within
20%). Real pages: /work/shared/benchmarks/wcxb-dev-articles/html and trafilatura-eval/html.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput.compare import compare
from throughput.pages_site import load_pages

from newsmill.pipeline.demo.server import DemoServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=Path, nargs="+", help="folders of saved pages")
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--memory", type=int, default=1, metavar="K",
                        help="also run on every page under K URLs and compare peak RSS")
    parser.add_argument("--workers", type=int, default=2, help="trafilatura pool processes")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    args = parser.parse_args()
    if args.pages:
        pages = load_pages(args.pages, args.limit)
        if not pages:
            raise SystemExit(f"no *.html.gz pages in {', '.join(map(str, args.pages))}")
        compare(pages, concurrency=args.concurrency, workers=args.workers, memory=args.memory)
        return
    exe = str(Path(sys.executable).parent / "newsmill")
    rates = []
    for i in range(args.repeat):
        with DemoServer() as server, tempfile.TemporaryDirectory() as tmp:
            sites = server.write_sites_file(Path(tmp) / "sites.yaml")
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    exe,
                    "run",
                    "--sites",
                    str(sites),
                    "--store",
                    str(Path(tmp) / "store"),
                    "--json",
                    "-q",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds = time.perf_counter() - t0
            report = json.loads(proc.stdout)
            fetched = sum(s["fetched"] for s in report["sites"].values())
            records = sum(s["articles"] for s in report["sites"].values())
            rates.append(fetched / seconds)
            print(
                f"run {i + 1}: {fetched} pages fetched, {records} records, {seconds:.2f} s, "
                f"{fetched / seconds:.1f} pages/s"
            )
    print(f"median: {statistics.median(rates):.1f} pages/s over {args.repeat} runs")


if __name__ == "__main__":
    main()
