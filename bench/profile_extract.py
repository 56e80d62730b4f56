"""Where extraction's CPU goes: cProfile of newsmill's per-page extraction (what `newsmill run`
and `newsmill extract` call) against bare trafilatura (`bare_extraction` with metadata).

    .venv/bin/python bench/profile_extract.py [--pages DIR] [--limit 100] [--top 25]

Both run in this process, one after the other, over the same pages, after a warm-up page each
(imports and lazy tables are not per-page work). Prints CPU seconds per page of each and the
top functions of newsmill's profile by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_PAGES = Path("/work/shared/benchmarks/wcxb-dev-articles/html")
FETCHED_AT = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ours(html: bytes, url: str) -> object:
    from newsmill.pipeline.extract.load import NoArticle
    from newsmill.pipeline.extract.page import extract_article

    try:
        return extract_article(html, url=url, site="bench", fetched_at=FETCHED_AT,
                               source="sitemap", raw_ref="bench", content_type="text/html")
    except NoArticle:
        return None


def bare(html: bytes, url: str) -> object:
    from trafilatura import bare_extraction

    return bare_extraction(html, url=url, with_metadata=True)


def profiled(fn: Callable[[bytes, str], object],
             pages: list[tuple[bytes, str]]) -> tuple[float, pstats.Stats]:
    fn(*pages[0])  # warm-up
    profile = cProfile.Profile(time.process_time)
    start = time.process_time()
    profile.enable()
    for html, url in pages:
        fn(html, url)
    profile.disable()
    spent = time.process_time() - start
    return spent, pstats.Stats(profile, stream=io.StringIO())


def top(stats: pstats.Stats, key: str, n: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(key).print_stats(n)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    paths = sorted(args.pages.glob("*.html*"))[: args.limit]
    pages = [(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes(),
              f"http://127.0.0.1/c0/{p.name.split('.html')[0]}.html") for p in paths]
    ours_cpu, ours_stats = profiled(ours, pages)
    bare_cpu, _ = profiled(bare, pages)
    n = len(pages)
    print(f"{n} pages from {args.pages}")
    print(f"newsmill extraction: {ours_cpu:.2f} s CPU ({1000 * ours_cpu / n:.1f} ms/page, "
          "under the profiler)")
    print(f"bare_extraction with metadata: {bare_cpu:.2f} s CPU "
          f"({1000 * bare_cpu / n:.1f} ms/page, under the profiler)")
    print(f"ratio: {ours_cpu / bare_cpu:.2f}x")
    print(f"\nnewsmill, top {args.top} by own time:\n{top(ours_stats, 'tottime', args.top)}")
    print(f"\nnewsmill, top {args.top} by cumulative time:\n"
          f"{top(ours_stats, 'cumulative', args.top)}")


if __name__ == "__main__":
    main()
