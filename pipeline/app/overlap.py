"""Extraction overlapped with the crawl: `newsmill run` extracts each raw file as soon as the
crawl has uploaded it, so the crawl's time hides under extraction's.

Three threads of work, one store lease:

- the crawl, in its subprocess as before (spiders.runner.crawl), waited on from a thread;
- extraction (a thread running the worker pool): raw files in the order the crawl uploads them
  (their pending markers, pipeline.warc.pending), until the crawl has ended and a final look
  has found nothing more; each file's outcomes go to a local spill file;
- the single writer (the calling thread, under the processing lease): templates, duplicates
  and outputs, from the spill files, in sorted raw-key order, as `newsmill process` decides.

The writer's order is the sequential run's, so a run decides the same story rows whatever the
crawl's timing. While the crawl runs, only the first selected site's files (which sort before
every other site's) are written; the rest follow the crawl.

Durability is unchanged: the spill is local scratch, and a raw file's outputs and done marker
are written by the same single-writer step as in `newsmill process`, so a crash at any moment
leaves raw files waiting, as a crash of the sequential run does, and the next run mends it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from newsmill.pipeline.app import process as proc
from newsmill.pipeline.app.extraction import Batch, Job, Outcome, extract_outcomes
from newsmill.pipeline.app.fenced import FencedStore
from newsmill.pipeline.app.leases import LockBusy, store_lock
from newsmill.pipeline.app.runs import RunReport, pages_ticker
from newsmill.pipeline.app.spill import Spills
from newsmill.pipeline.extract.warm import warm_up
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc import pending
from newsmill.storage import Store

__all__ = ["RawFeed", "crawl_and_process", "pages_ticker"]

log = logging.getLogger(__name__)

# How often extraction looks for newly uploaded raw files while the crawl runs: one listing
# per site per poll, against a raw file that takes seconds to fill.
POLL_SECONDS = 0.5


def _site(key: str) -> str:
    m = pending.RAW_KEY.match(key)
    return m["site"] if m else ""


class RawFeed:
    """Raw files to extract, in the order they become ready, until the crawl is over."""

    def __init__(self, store: Store, sites: list[str], crawl_over: threading.Event,
                 stop: threading.Event, poll: float = POLL_SECONDS,
                 changed: Callable[[], None] = lambda: None):
        self.store = store
        self.sites = sites
        self.crawl_over = crawl_over
        self.stop = stop
        self.poll = poll
        self.keys: list[str] = []
        self.complete = False  # the final look is done: `keys` holds every file there is
        self.waiting_seconds = 0.0  # idle: nothing uploaded that is not already extracting
        # Called when `keys` grows and when the feed is complete: the writer waits on both, and
        # a writer left to notice by polling idled up to a poll at the end of every run.
        self.changed = changed

    def __iter__(self) -> Iterator[Batch]:
        seen: set[str] = set()
        # The first look goes through pending.waiting: it drops stale markers and runs the
        # periodic reconciliation, as the sequential run does before processing.
        found = pending.waiting(self.store, self.sites)
        while not self.stop.is_set():
            # Read before listing: a crawl that ends after this read is listed once more.
            over = self.crawl_over.is_set()
            fresh = [k for k in found if k not in seen]
            for key in fresh:
                seen.add(key)
                self.keys.append(key)
                self.changed()
                yield proc.raw_batch(self.store, key)
            if over:
                # Final look: markers written as the crawl ended (its last upload, the sweep
                # of recent folders in jobs._crawl_into), through the full checks again.
                for key in pending.waiting(self.store, self.sites):
                    if key not in seen:
                        seen.add(key)
                        self.keys.append(key)
                        self.changed()
                        yield proc.raw_batch(self.store, key)
                self.complete = True
                self.changed()
                return
            if not fresh:
                started = time.monotonic()
                self.crawl_over.wait(self.poll)
                self.waiting_seconds += time.monotonic() - started
            found = self._uploaded()

    def _uploaded(self) -> list[str]:
        """Raw files the running crawl has marked, without the per-marker checks: the crawl
        marks a file after uploading it, and a file new in this run cannot be done yet."""
        keys = []
        for site in self.sites:
            for marker in self.store.list(f"{pending.PREFIX}raw/site={site}/"):
                key = marker[len(pending.PREFIX):]
                if pending.RAW_KEY.match(key):
                    keys.append(key)
        return keys


class _Worker(threading.Thread):
    """Runs `target` in a thread; keeps its error for the caller's thread to raise."""

    def __init__(self, name: str, target: Callable[[], Any]):
        super().__init__(name=name, daemon=False)
        self._target_fn = target
        self.over = threading.Event()
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        started = time.monotonic()
        try:
            self._target_fn()
        except BaseException as exc:  # raised again by the caller, after the other threads
            self.error = exc
        finally:
            self.seconds = time.monotonic() - started
            self.over.set()


def _extract_all(feed: RawFeed, spills: Spills, site_config: dict[str, Site]) -> None:
    try:
        for job, outcome in extract_outcomes(feed, sites=site_config):
            spills.add(job, outcome)
    finally:
        spills.close()


def _write_order(feed: RawFeed, spills: Spills, crawl_over: threading.Event) -> Iterator[Batch]:
    """The writer's batches: sorted raw-key order, the first site's while the crawl runs."""
    first = min(feed.sites) if feed.sites else ""
    written: set[str] = set()
    last = ""
    while True:
        # Closed spills: extraction ended (or failed), so no more keys come from the feed.
        over = crawl_over.is_set() and (feed.complete or spills.closed)
        keys = sorted(k for k in list(feed.keys) if k not in written)
        if not over:
            # Everything of the first site sorts before the other sites' keys; a key of it
            # below one already written (rare: found late) waits for the end, out of order.
            keys = [k for k in keys if _site(k) == first and k > last]
        for key in keys:
            written.add(key)
            last = max(last, key)
            yield proc.raw_batch(feed.store, key)
        if over:
            return
        spills.wait_change(POLL_SECONDS)


def crawl_and_process(
    report: RunReport,
    store: Store,
    crawl: Callable[[Callable[[], None]], Any],
    *,
    busy: Callable[[str], Exception],
    sites: list[str],
    site_config: dict[str, Site],
    progress: Callable[[str], None] | None = None,
) -> proc.ProcessResult:
    """Run `crawl`, extract the raw files of `sites` as they arrive and write them under the
    store's processing lease; returns what processing found. `crawl` is given a callback to
    call once its subprocess has started. Extraction and dedup seconds go to `report.phases`
    (the crawl's own are counted by `crawl`, as in a sequential run).

    The crawl's error, if any, is raised after processing what it uploaded (that work is kept);
    `busy(reason)` when another processing run holds the lease, after the crawl has ended.
    """
    spawned = threading.Event()
    crawler = _Worker("newsmill-crawl", lambda: crawl(spawned.set))
    stop = threading.Event()
    spills = Spills()
    feed = RawFeed(store, sites, crawler.over, stop, changed=spills.wake)
    extraction = _Worker("newsmill-extract", lambda: _extract_all(feed, spills, site_config))
    crawler.start()
    # The extraction pool forks its workers only once the crawl process is running. A worker
    # forked while Popen is starting it inherits Popen's error pipe and holds it open for
    # ever, and Popen waits for that pipe's end: a rerun with raw files already waiting (its
    # pool starts at once) hung so in 1 of 12 tries (tests/test_faults.py, kill at fetch).
    while not spawned.wait(0.05) and not crawler.over.is_set():
        pass
    # While the crawl fills its first raw file, and before the pool forks: the workers start
    # with the extractors imported and their tables built, so none spends a page's time limit
    # on them (on the 1,656 dev pages, 64.4 s of worker CPU without, 61.5 s with, for 1.6 s
    # here; bench/run_bench.py --pages).
    warm_up()
    extraction.start()
    try:
        with store_lock(store, "process", report.run_id) as lease:
            leased = FencedStore(store, lease)
            batches = _write_order(feed, spills, crawler.over)
            result = proc.process_batches(leased, batches, sites=site_config,
                                          progress=pages_ticker(progress),
                                          outcomes=_spilled(spills, site_config))
        result.raw_keys = list(feed.keys)
    except LockBusy as exc:
        raise busy(f"another processing run is under way: {exc}") from exc
    finally:
        # Whatever happened to the writer, the crawl is not abandoned mid-way: it finishes
        # (and uploads what it fetched) before an error goes up; extraction stops early.
        stop.set()
        crawler.join()
        extraction.join()
        spills.remove()
    if crawler.error is not None:
        raise crawler.error
    if extraction.error is not None:
        # The writer extracted what the thread could not, and finished: the run is whole.
        log.warning("run %s: extraction alongside the crawl stopped (%s); the rest was "
                    "extracted after it", report.run_id, extraction.error)
    report.phases.extract += round(max(extraction.seconds - feed.waiting_seconds, 0.0), 3)
    report.phases.extract_waiting += round(feed.waiting_seconds, 3)
    report.phases.dedup += round(result.dedup_seconds, 3)
    report.phases.pages += sum(c.pages for c in result.per_site.values())
    log.info("run %s: crawl %.1fs, extraction of %d raw files %.1fs alongside it",
             report.run_id, crawler.seconds, len(feed.keys), extraction.seconds)
    return result


def _spilled(spills: Spills, site_config: dict[str, Site]
             ) -> Callable[[Iterable[Batch]], Iterator[tuple[Job, Outcome]]]:
    """The writer's OutcomeSource: each batch's outcomes from its spill file, once extraction
    has finished it; a batch extraction never saw (it stopped early) is extracted here."""

    def source(batches: Iterable[Batch]) -> Iterator[tuple[Job, Outcome]]:
        for batch in batches:
            if spills.wait_ready(batch.name):
                yield from spills.read(batch)
            else:
                yield from extract_outcomes([batch], sites=site_config)

    return source
