"""Peak memory while `backfill --source warc` streams a large WARC file.

Writes a gzip-per-record WARC of about --size-mb megabytes (CC-NEWS-like: mostly other sites'
pages, incompressible so the file really is that big, with one of the site's articles every
--every records), then runs `jobs.backfill(source="warc")` on it in a child process into a
temporary local store, sampling the child's RSS twice a second. Memory is flat when the peak
does not grow with the file: compare --size-mb 50 with --size-mb 500.

    .venv/bin/python bench/warc_stream_bench.py --size-mb 500
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Bench story {n} - The Bench Times</title>
<meta property="article:published_time" content="2019-{month:02d}-10T09:00:00Z">
<link rel="canonical" href="https://bench.example/2019/{month:02d}/10/story-{n}/"></head>
<body><article><h1>Bench story {n}</h1><p class="byline">By Ada Lovelace</p>
{paragraphs}</article></body></html>"""

_TEXT = (
    "harbour board council ferry fares lido dredging channel pier storm museum lighthouse "
    "festival market rowing crew cup seal pups point station clock cafe owner pass rockfall "
    "vote budget tide wind school bridge road bus night snow river mill quay boat crab net "
    "winter summer spring autumn mayor report plan meeting residents visitors record year"
)
WORDS = tuple(_TEXT.split())

SITES = """allow_private_networks: []
sites:
  - name: bench
    domains: [bench.example]
    feeds: ['https://bench.example/feed/']
    article_urls: ['/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']
"""


def write_warc(path: Path, size_mb: int, every: int) -> tuple[int, int]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    target = size_mb * 1024 * 1024
    rng = random.Random(7)
    records = articles = 0
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        while fh.tell() < target:
            records += 1
            if records % every == 0:
                articles += 1
                month = 1 + articles % 12
                # Distinct words per story, or the near-duplicate detector would rightly
                # flag them as copies of each other.
                paras = "".join(
                    "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".</p>"
                    for _ in range(12))
                body = ARTICLE.format(n=articles, month=month, paragraphs=paras).encode()
                url = f"https://bench.example/2019/{month:02d}/10/story-{articles}/"
            else:
                body = os.urandom(100_000)  # another site's page, as far as size goes
                url = f"https://other{records % 97}.example/page/{records}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2019-06-01T00:00:00Z"}))
    return records, articles


def child(warc: str, store: str, sites: str) -> None:
    """Runs in the measured process: the backfill, then its numbers as JSON on stdout."""
    from newsmill.pipeline.app import jobs  # noqa: F401 - loaded before the first sample

    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not stop.is_set():
            with open("/proc/self/statm") as f:
                samples.append(int(f.read().split()[1]) * page)
            time.sleep(0.5)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    t0 = time.monotonic()
    report = jobs.backfill(sites, store, site="bench", date_from=date(2019, 1, 1),
                           date_to=date(2019, 12, 31), source="warc", warc=[warc])
    seconds = time.monotonic() - t0
    stop.set()
    t.join()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "ok": report.ok,
        "seconds": round(seconds, 1),
        "coverage": report.coverage["bench"]["totals"],
        "out_of_range": report.coverage["bench"]["out_of_range"],
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_first_sample_mb": round(samples[0] / 2**20, 1) if samples else None,
        "rss_median_mb": round(statistics.median(samples) / 2**20, 1) if samples else None,
        "rss_max_sample_mb": round(max(samples) / 2**20, 1) if samples else None,
        "rss_samples": len(samples),
    }))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--every", type=int, default=50, help="one article every N records")
    parser.add_argument("--keep", help="write the WARC here and keep it")
    parser.add_argument("--child", nargs=3, metavar=("WARC", "STORE", "SITES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="newsmill-warc-bench-") as tmp:
        warc = Path(args.keep) if args.keep else Path(tmp) / "bench.warc.gz"
        t0 = time.monotonic()
        records, articles = write_warc(warc, args.size_mb, args.every)
        print(f"wrote {warc.stat().st_size / 2**20:.0f} MB, {records} records "
              f"({articles} articles) in {time.monotonic() - t0:.0f}s", flush=True)
        sites = Path(tmp) / "sites.yaml"
        sites.write_text(SITES)
        env = {**os.environ, "NEWSMILL_WORKERS": os.environ.get("NEWSMILL_WORKERS", "1")}
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(warc), str(Path(tmp) / "store"),
             str(sites)], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["file_mb"] = round(warc.stat().st_size / 2**20)
        result["articles_in_file"] = articles
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
