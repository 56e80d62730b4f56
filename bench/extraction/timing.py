"""Running the extractors over the pages, timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor

from extraction.datasets import Page
from extraction.extractors import Output, ours_job

Extractor = Callable[[bytes, str], Output]


def warm(fns: list[Extractor], pages: list[Page]) -> None:
    """Imports and lazy models are a one-off cost: pay it before the clock starts."""
    for page in pages[:3]:
        for fn in fns:
            fn(page.html, page.url)
    # dateparser builds its tables for all of its locales the first time htmldate hands it a
    # string no locale claims (about 1 s of CPU here, 3 s under a profiler); whichever side
    # met that first paid for both.
    from htmldate.extractors import external_date_parser

    external_date_parser("zzqx 13 blorp 2021", "%Y-%m-%d")


def timed_side_by_side(
    fns: list[Extractor], pages: Iterable[Page], per_page: list[list[float]] | None = None
) -> tuple[list[list[Output]], list[float]]:
    """Run every extractor on each page in turn, timing each call: a load change on the
    machine (other jobs, thermal throttling) then weighs on all of them alike, which running
    one extractor over all pages and then the next would not. `per_page`, when given, gets
    each page's seconds per extractor."""
    outs: list[list[Output]] = [[] for _ in fns]
    spent = [0.0 for _ in fns]
    for page in pages:
        row = []
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            outs[i].append(fn(page.html, page.url))
            took = time.perf_counter() - start
            spent[i] += took
            row.append(took)
        if per_page is not None:
            per_page.append(row)
    return outs, spent


def timed_pool(pages: list[Page], workers: int) -> tuple[list[Output], float]:
    """newsmill over the pages in a pool of `workers` processes, and the wall time."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Warm every worker first: imports and the language model load are not throughput.
        list(pool.map(ours_job, [(pages[0].html, pages[0].url)] * workers))
        start = time.perf_counter()
        outs = list(pool.map(ours_job, ((p.html, p.url) for p in pages), chunksize=4))
        return outs, time.perf_counter() - start
