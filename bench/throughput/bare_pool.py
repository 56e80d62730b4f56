"""The machine's extraction limit: bare trafilatura (`bare_extraction` with metadata) over the
same pages in a pool of worker processes, timed from the first page to the last."""

from __future__ import annotations

import gzip
import time
from concurrent.futures import ProcessPoolExecutor

from throughput.newsmill_run import children_cpu


def _bare(args: tuple[bytes, str]) -> bool:
    from trafilatura import bare_extraction

    html, url = args
    doc = bare_extraction(gzip.decompress(html), url=url, with_metadata=True)
    return doc is not None


def time_pool(pages: list[tuple[bytes, str]], workers: int = 2) -> tuple[float, float, int]:
    """Wall seconds for the pool to extract every page, the workers' CPU seconds (start-up and
    a few warm-up pages included), and how many pages gave a document."""
    cpu_before = children_cpu()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Imports and lazy tables are a one-off per worker, not throughput.
        list(pool.map(_bare, pages[:workers * 2]))
        start = time.perf_counter()
        found = sum(pool.map(_bare, pages, chunksize=4))
        seconds = time.perf_counter() - start
    return seconds, children_cpu() - cpu_before, found
