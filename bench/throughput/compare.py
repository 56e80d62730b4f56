"""The real-pages comparison: `newsmill run` against the bare trafilatura pool, same pages,
same process tree, and (optionally) `newsmill run` again on ten times the URLs for memory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from throughput.bare_pool import time_pool
from throughput.newsmill_run import RunFigures, newsmill_run
from throughput.pages_site import PagesSite

TARGET_RATIO = 1.25
TARGET_MEMORY = 1.20


def run_on(pages: dict[str, bytes], copies: int, concurrency: int) -> RunFigures:
    with PagesSite(pages, copies=copies) as site, tempfile.TemporaryDirectory() as tmp:
        sites = Path(tmp) / "sites.yaml"
        sites.write_text(site.sites_yaml(concurrency), encoding="utf-8")
        return newsmill_run(sites, Path(tmp) / "store")


def describe(label: str, fig: RunFigures) -> None:
    phases = fig.report.get("phases") or {}
    print(f"{label}: {fig.seconds:.1f} s, {fig.fetched} fetched, {fig.records} records, "
          f"{fig.quarantined} quarantined, {fig.fetched / fig.seconds:.1f} pages/s, "
          f"{fig.cpu_seconds:.1f} s CPU")
    if phases:
        print("  phases: " + ", ".join(f"{k} {v}" for k, v in phases.items()))
    print("  CPU by process: " + ", ".join(f"{role} {sec:.1f} s"
                                           for role, sec in sorted(fig.cpu_by_role.items())))
    print(f"  peak RSS: {fig.peak_tree_mb:.0f} MB for the whole process tree, "
          f"{fig.peak_process_mb:.0f} MB for its largest process ("
          + ", ".join(f"{role} {mb:.0f} MB at {fig.peak_at.get(role, 0):.0f} s"
                      for role, mb in sorted(fig.peak_mb_by_role.items()))
          + ")")


def compare(pages: dict[str, bytes], *, concurrency: int, workers: int, memory: int) -> None:
    n = len(pages)
    run = run_on(pages, 1, concurrency)
    describe(f"newsmill run, {n} pages", run)
    # The pool gets the same URLs the crawl fetched, so URL-based metadata is alike.
    with PagesSite(pages) as site:
        items = [(body, f"{site.base}/c0/{name}.html") for name, body in pages.items()]
    pool_seconds, pool_cpu, found = time_pool(items, workers)
    print(f"trafilatura pool ({workers} processes, bare_extraction with metadata): "
          f"{pool_seconds:.1f} s, {found}/{n} documents, {n / pool_seconds:.1f} pages/s, "
          f"{pool_cpu:.1f} s CPU")
    ratio = run.seconds / pool_seconds
    verdict = "ok" if ratio <= TARGET_RATIO else "over target"
    # On a shared machine the wall ratio moves with the neighbours' load; the CPU ratio says
    # how much more work the run does, whatever the load.
    print(f"run / pool: {ratio:.2f}x wall time (target <= {TARGET_RATIO}x: {verdict}), "
          f"{run.cpu_seconds / pool_cpu:.2f}x CPU time")
    if memory > 1:
        big = run_on(pages, memory, concurrency)
        describe(f"newsmill run, {n * memory} pages ({memory} URLs per page)", big)
        growth = big.peak_tree_mb / run.peak_tree_mb
        single = big.peak_process_mb / run.peak_process_mb
        verdict = "ok" if max(growth, single) <= TARGET_MEMORY else "over target"
        print(f"peak RSS at {memory}N / N: tree {growth:.2f}x, largest process {single:.2f}x "
              f"(target within {TARGET_MEMORY - 1:.0%}: {verdict})")
