"""`newsmill run` overlaps extraction with the crawl: records land in the store while the crawl
is still fetching, the published dump is the one the sequential commands publish, and the run
report (and `newsmill status`) say where the time went."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers_faults import CRAWL_ENV, NEWSMILL, baseline, demo, descendants, dump_rows, sites_file
from helpers_raw import BASE, SITE, TOPICS, article_html, put_raw

from newsmill.pipeline.app.overlap import crawl_and_process
from newsmill.pipeline.app.runs import RunReport
from newsmill.pipeline.warc import pending
from newsmill.storage import open_store

pytestmark = pytest.mark.timeout(240)


def _newsmill(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([NEWSMILL, *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **CRAWL_ENV})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _first_seen(root: Path, pattern: str, seen: dict[str, float]) -> None:
    now = time.monotonic()
    for path in root.glob(pattern):
        seen.setdefault(str(path), now)


def test_records_land_while_the_crawl_still_fetches(tmp_path: Path) -> None:
    root = tmp_path / "store"
    raw: dict[str, float] = {}
    articles: dict[str, float] = {}
    # Small raw files (3 responses) and a polite delay: the crawl lasts several seconds.
    sites = demo().write_sites_file(tmp_path / "sites.yaml", delay=0.4)
    proc = subprocess.Popen(
        [NEWSMILL, "run", "--sites", str(sites), "--store", str(root), "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **CRAWL_ENV},
    )
    try:
        while proc.poll() is None:
            _first_seen(root, "raw/**/*.warc.gz", raw)
            _first_seen(root, "articles/**/*.parquet", articles)
            time.sleep(0.02)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    assert raw and articles
    # The first records were written before the crawl uploaded its last raw file.
    assert min(articles.values()) < max(raw.values())

    report = json.loads(next((root / "runs").glob("*.json")).read_text())
    phases = report["phases"]
    assert phases["crawl"] > 0 and phases["extract"] > 0 and phases["publish"] > 0
    assert phases["pages"] >= sum(s["articles"] for s in report["sites"].values()) > 5
    assert report["pages_per_second"] > 0

    status = _newsmill("status", "--store", str(root)).stdout
    assert "time: crawl" in status and "pages/s" in status


def test_the_overlapped_run_publishes_what_the_sequential_commands_publish(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "store")
    _newsmill("crawl", "--sites", str(sites_file()), "--store", store, "-q")
    _newsmill("process", "--sites", str(sites_file()), "--store", store, "-q")
    _newsmill("dump", "--store", store, "-q")

    rows = dump_rows(open_store(store))

    # Same records, same revisions, same story rows (duplicate_of) as `newsmill run`.
    assert set(rows) == baseline()


def test_status_reads_reports_written_before_phases_were_recorded(tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / "runs").mkdir(parents=True)
    old = {"run_id": "20261101T000000Z-abcdef", "command": "run", "ok": True,
           "started_at": "2026-11-01T00:00:00Z", "finished_at": "2026-11-01T00:01:00Z",
           "seconds": 60.0, "sites": {"gazette": {"fetched": 3, "articles": 3}}}
    (root / "runs" / f"{old['run_id']}.json").write_text(json.dumps(old))

    status = _newsmill("status", "--store", str(root)).stdout

    assert "run 20261101T000000Z-abcdef: ok in 60.0s" in status
    assert "time:" not in status  # nothing measured, nothing claimed


def test_no_extraction_worker_is_forked_while_the_crawl_process_starts(tmp_path: Path) -> None:
    """A rerun finds raw files already waiting, so its extraction could start at once; a worker
    forked while the crawl's Popen runs holds Popen's error pipe open and the run never ends.
    Extraction must wait for the crawl process to have started."""
    store = open_store(str(tmp_path / "store"))
    key = f"raw/site={SITE}/date=2026-03-02/r1-00001.warc.gz"
    slug, lead = TOPICS[0]
    put_raw(store, key, [(BASE + slug, article_html(slug, lead))])
    pending.mark(store, [key])
    at_spawn: list[set[tuple[int, str]]] = []
    before = descendants(os.getpid())  # servers other tests of the session started

    def crawl(on_spawn: Callable[[], None]) -> None:
        time.sleep(1.5)  # the crawl process takes its time to start
        at_spawn.append(descendants(os.getpid()) - before)
        on_spawn()

    report = RunReport(run_id="20261202T000000Z-abcdef", command="run", started_at="")
    result = crawl_and_process(report, store, crawl, busy=RuntimeError, sites=[SITE],
                               site_config={})

    assert at_spawn == [set()], "extraction workers were forked before the crawl had started"
    # The waiting file was processed all the same, once the crawl was under way.
    assert result.raw_keys == [key]
    assert sum(c.articles for c in result.per_site.values()) == 1


def test_the_warm_up_before_the_workers_fork_goes_through_extraction_cleanly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`newsmill run` extracts a sample page in the parent before forking its workers, so they
    start with the extractors' tables built; a warm-up that broke would only log, and every
    worker would quietly pay for the tables again. Once the workers exist, the parent lets go
    of the largest table (the language model), which they keep using."""
    from newsmill.pipeline.app.extraction import Batch, extract_outcomes
    from newsmill.pipeline.extract import language, warm
    from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture

    monkeypatch.setattr(warm, "_done", False)
    monkeypatch.setattr(language, "_identifier", None)
    with caplog.at_level("ERROR", logger="newsmill"):
        warm.warm_up()
    assert not [r for r in caplog.records if r.name.startswith("newsmill")]
    assert language._identifier is not None  # the sample reached the language check
    # the tables are out of the collector's way, in the workers forked from here too
    assert gc.get_freeze_count() > 10_000

    def captures() -> Iterator[Capture]:
        for n, (slug, lead) in enumerate(TOPICS[:3]):
            yield Capture(url=f"{BASE}{slug}.html", status=200, body=article_html(slug, lead),
                          content_type="text/html; charset=utf-8", site=SITE, source="feed",
                          fetched_at="2024-05-04T10:00:00Z", kind=KIND_ARTICLE,
                          raw_ref=f"test#{n}")

    batch = Batch(name="b0", site=SITE, date="2024-05-04", articles_key="a", quarantine_key="q",
                  captures=captures)
    outcomes = [o for job, o in extract_outcomes([batch], sites={}, workers=1) if job.capture]
    assert [o.article.language if o.article else o.reason for o in outcomes] == ["en"] * 3
    assert language._identifier is None


def test_the_writer_ends_when_the_feed_completes_not_a_poll_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer waits for new raw files and for the feed's end. It must be woken by them:
    left to notice by polling, every run idled up to a poll between its last batch and its
    dump. A poll of a minute here makes a missed wake-up fail the join below."""
    import threading

    from newsmill.pipeline.app import overlap
    from newsmill.pipeline.app.extraction import Batch
    from newsmill.pipeline.app.spill import Spills

    monkeypatch.setattr(overlap, "POLL_SECONDS", 60.0)
    store = open_store(str(tmp_path / "store"))
    crawl_over, stop = threading.Event(), threading.Event()
    spills = Spills(str(tmp_path))
    feed = overlap.RawFeed(store, [SITE], crawl_over, stop, poll=0.05, changed=spills.wake)
    written: list[Batch] = []
    writer = threading.Thread(
        target=lambda: written.extend(overlap._write_order(feed, spills, crawl_over)))
    writer.start()
    time.sleep(0.2)  # the writer is waiting now: no raw file, crawl not over
    try:
        # the crawl's last upload, marked as it ends: found by the feed's final look only
        key = f"raw/site={SITE}/date=2026-03-02/late-00001.warc.gz"
        slug, lead = TOPICS[0]
        put_raw(store, key, [(BASE + slug, article_html(slug, lead))])
        pending.mark(store, [key])
        crawl_over.set()
        # What the extraction thread does: take the batch, then, once the writer has it and
        # waits again, ask for more, which makes the feed's final look and completes it.
        feed_batches = iter(feed)
        batches = [next(feed_batches)]
        deadline = time.monotonic() + 20
        while not written and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        batches += list(feed_batches)
        writer.join(timeout=20)
        assert not writer.is_alive(), "the writer slept through the end of the feed"
        assert [b.name for b in batches] == [b.name for b in written] == [key]
    finally:
        stop.set()
        spills.close()
        writer.join(timeout=70)
        spills.remove()
