"""Process: raw WARC captures -> extracted, normalised, deduplicated records in articles/.

Every output key is derived from the raw file it came from (raw/site=S/date=D/<stem>.warc.gz ->
articles/site=S/date=D/<stem>.parquet, quarantine/date=D/<stem>.jsonl), so processing the same
raw file twice overwrites rather than duplicates, and a crash mid-way is mended by running again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsmill.pipeline.app.extraction import (
    Batch,
    Job,
    Outcome,
    OutcomeSource,
    extract_outcomes,
)
from newsmill.pipeline.dedup.index import DedupIndex, Verdict
from newsmill.pipeline.extract.templates import Templates, cut_template
from newsmill.pipeline.faults import pause_point
from newsmill.pipeline.health import record as health
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.publish.dumps import mark_pending
from newsmill.pipeline.publish.tables import rows_to_table, table_to_parquet, to_row
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc import pending
from newsmill.pipeline.warc.reader import iter_captures
from newsmill.pipeline.warc.records import Capture
from newsmill.storage import Store

log = logging.getLogger(__name__)

RAW_KEY = pending.RAW_KEY
DONE_PREFIX = pending.DONE_PREFIX
# Flush the dedup index and the done-markers at least this often, so a crash repeats little work.
CHECKPOINT_SECONDS = 30.0


def articles_key(raw_key: str) -> str:
    m = RAW_KEY.match(raw_key)
    assert m, raw_key
    return f"articles/site={m['site']}/date={m['date']}/{m['stem']}.parquet"


def quarantine_key(raw_key: str) -> str:
    m = RAW_KEY.match(raw_key)
    assert m, raw_key
    return f"quarantine/date={m['date']}/{m['site']}-{m['stem']}.jsonl"


def _key_site(raw_key: str) -> str:
    m = RAW_KEY.match(raw_key)
    return m["site"] if m else ""


def raw_date(raw_key: str) -> str:
    m = RAW_KEY.match(raw_key)
    return m["date"] if m else ""


@dataclass
class Counts:
    pages: int = 0
    articles: int = 0
    new: int = 0
    duplicates: int = 0
    revisions: int = 0
    unchanged: int = 0
    quarantined: int = 0
    # records published with a null title: the page offered no headline anywhere
    missing_title: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class ProcessResult:
    per_site: dict[str, Counts] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    raw_keys: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # wall seconds spent deciding and saving duplicates (the run report's dedup phase)
    dedup_seconds: float = 0.0

    def site(self, name: str) -> Counts:
        return self.per_site.setdefault(name, Counts())


def _cut_template(article: Article, boilerplate: frozenset[str]) -> list[str]:
    """Cuts the site's template from the record; returns what the record teaches about it."""
    from newsmill.pipeline.extract.embeds import reposition

    before = article.text
    article.text, blocks = cut_template(article.text, boilerplate)
    article.embeds = reposition(article.embeds, before, article.text)
    return blocks


def pending_raw_keys(store: Store, sites: Iterable[str] | None = None) -> list[str]:
    """Raw files waiting to be processed (pipeline.app.pending: not a listing of history), in
    key order: the order deduplication decides in, wherever the files were extracted."""
    return sorted(pending.waiting(store, sites))


def raw_keys_between(store: Store, first: str, last: str) -> list[str]:
    return [k for k in store.list("raw/") if RAW_KEY.match(k) and first <= raw_date(k) <= last]


def raw_batch(store: Store, key: str) -> Batch:
    m = RAW_KEY.match(key)
    assert m, key

    def captures() -> Iterator[Capture]:
        fd, tmp = tempfile.mkstemp(suffix=".warc.gz")
        os.close(fd)
        try:
            store.get_file(key, tmp)
            with open(tmp, "rb") as fh:
                yield from iter_captures(fh, key)
        finally:
            os.unlink(tmp)

    return Batch(
        name=key,
        site=m["site"],
        date=m["date"],
        articles_key=articles_key(key),
        quarantine_key=quarantine_key(key),
        captures=captures,
        done_key=pending.done_key(key),
    )


class _Output:
    def __init__(self, batch: Batch):
        self.batch = batch
        self.rows: list[dict[str, Any]] = []
        self.blocks: list[tuple[str, list[str]]] = []  # each row's id and learnable blocks
        self.quarantine: list[dict[str, Any]] = []
        self.health = health.for_batch(batch.site, batch.date, batch.articles_key)


def process_keys(
    store: Store,
    keys: list[str],
    *,
    sites: dict[str, Site] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    outcomes: OutcomeSource | None = None,
) -> ProcessResult:
    """Extract, deduplicate and write the records of the given raw files, in order."""
    result = process_batches(store, (raw_batch(store, k) for k in keys), sites=sites,
                             workers=workers, progress=progress, outcomes=outcomes)
    result.raw_keys = list(keys)
    return result


def process_batches(
    store: Store,
    batches: Iterable[Batch],
    *,
    sites: dict[str, Site] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    outcomes: OutcomeSource | None = None,
) -> ProcessResult:
    """Extract, deduplicate and write the records of each batch, in order.

    The caller holds the store's process lock (see pipeline.app.jobs). `outcomes` gives the
    pages' extraction results (default: extract them here, in a process pool).
    """
    # Imported here, before the workers fork, so none spends its page's time limit on it.
    import newsmill.pipeline.extract.page  # noqa: F401

    result = ProcessResult()
    index = DedupIndex.load(store)
    templates = Templates(store)
    sites = sites or {}
    unmarked: list[str] = []
    last_checkpoint = time.monotonic()
    out: _Output | None = None
    pages = 0

    def checkpoint() -> None:
        started = time.monotonic()
        index.save(store)
        result.dedup_seconds += time.monotonic() - started
        templates.save()
        for k in unmarked:
            store.put(k, b"")
            if k.startswith(DONE_PREFIX):
                # After the done marker: a crash in between leaves a marker that the next run
                # finds done and drops, never a raw file that no run would look at.
                pending.clear(store, k[len(DONE_PREFIX):-len(".done")])
        unmarked.clear()

    if outcomes is None:
        site_map = sites

        def outcomes(b: Iterable[Batch]) -> Iterator[tuple[Job, Outcome]]:
            return extract_outcomes(b, sites=site_map, workers=workers)

    boilerplate: frozenset[str] = frozenset()
    for job, outcome in outcomes(batches):
        article, reason = outcome.article, outcome.reason
        if out is None or out.batch is not job.batch:
            out = _Output(job.batch)
            # What the batches before this one taught about the site's template.
            boilerplate = templates.site(job.batch.site).boilerplate()
        if job.capture is None and job.quarantine == "":
            _flush(store, out, result)
            # Later batches of the site extract with what this one taught. An article counts
            # once, by its id: a revision of a live story is no new sighting.
            learnt = templates.site(job.batch.site)
            for article_id, blocks in out.blocks:
                learnt.observe(article_id, blocks)
            if job.batch.done_key:
                unmarked.append(job.batch.done_key)
            out = None
            if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
                checkpoint()
                last_checkpoint = time.monotonic()
            continue
        cap = job.capture
        if cap is not None and job.batch.keep is not None and not job.batch.keep(cap, article):
            continue
        site_name = (cap.site if cap else None) or job.batch.site
        counts = result.site(site_name)
        pages += 1
        counts.pages += 1
        if progress:
            progress(pages, 0)
        if article is None:
            why = reason or "no article"
            counts.quarantined += 1
            bucket = why.split(":")[0].split(" (")[0]
            counts.reasons[bucket] = counts.reasons.get(bucket, 0) + 1
            out.quarantine.append(
                {
                    "url": cap.url if cap else None,
                    "site": site_name,
                    "reason": why,
                    "status": cap.status if cap else None,
                    "content_type": cap.content_type if cap else None,
                    "fetched_at": cap.fetched_at if cap else None,
                    "raw_ref": cap.raw_ref if cap else job.batch.name,
                }
            )
            log.info("quarantined url=%s site=%s reason=%s",
                     cap.url if cap else "-", site_name, why)
            continue
        blocks = _cut_template(article, boilerplate)
        out.health.observe_record(article)  # before dedup: every extracted page says how it went
        learnt = templates.site(job.batch.site)
        if learnt.unchanged_source(article.id, outcome.source_hash, article.raw_ref):
            counts.unchanged += 1  # same page; only the template learnt since then moved
            continue
        started = time.monotonic()
        verdict = index.decide(article)
        result.dedup_seconds += time.monotonic() - started
        learnt.remember_source(article.id, outcome.source_hash, article.raw_ref)
        if verdict is Verdict.UNCHANGED:
            counts.unchanged += 1
            continue
        counts.articles += 1
        if article.title is None:
            counts.missing_title += 1
            log.info("no title url=%s site=%s", article.url, site_name)
        if verdict is Verdict.DUPLICATE:
            counts.duplicates += 1
        elif verdict is Verdict.REVISION:
            counts.revisions += 1
        elif verdict is Verdict.NEW:
            counts.new += 1
        elif article.duplicate_of:
            counts.duplicates += 1
        out.rows.append(to_row(article))
        out.blocks.append((article.id, blocks))
    checkpoint()
    return result


def _flush(store: Store, out: _Output, result: ProcessResult) -> None:
    batch = out.batch
    health.save_batch(store, batch.articles_key, out.health, out.rows, out.quarantine)
    if out.rows:
        # The pending mark goes first: a crash between the two leaves a dump to redo, not a
        # changed partition that no dump job knows about.
        mark_pending(store, batch.date)
        store.put(batch.articles_key, table_to_parquet(rows_to_table(out.rows)))
        pause_point("process-after-articles")
        result.dates.add(batch.date)
    elif store.exists(batch.articles_key):
        # A re-extraction that now finds nothing must not leave the old records behind.
        mark_pending(store, batch.date)
        store.delete(batch.articles_key)
        result.dates.add(batch.date)
    if out.quarantine:
        lines = b"".join(
            json.dumps(q, ensure_ascii=False).encode() + b"\n" for q in out.quarantine
        )
        store.put(batch.quarantine_key, lines)
