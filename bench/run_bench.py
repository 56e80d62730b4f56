"""Pages per second of `newsmill run` against the demo sites (crawl + process + dump).

Usage: .venv/bin/python bench/run_bench.py [--repeat N]

Prints, per repetition, pages fetched, records published and wall time of the whole command as a
user runs it (subprocess, fresh store), then the median. The demo sites are small, so the figure
includes process start-up; it is a floor for real crawls, where per-site delays dominate anyway.
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

from newsmill.pipeline.demo.server import DemoServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
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
