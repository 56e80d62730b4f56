"""Process: raw WARC captures -> extracted, normalised, deduplicated records in articles/.

Every output key is derived from the raw file it came from (raw/site=S/date=D/<stem>.warc.gz ->
articles/site=S/date=D/<stem>.parquet, quarantine/date=D/<stem>.jsonl), so processing the same
raw file twice overwrites rather than duplicates, and a crash mid-way is mended by running again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsmill.pipeline.app.pool import ordered_map
from newsmill.pipeline.dedup.index import DedupIndex, Verdict
from newsmill.pipeline.extract.templates import Templates
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.publish.dumps import mark_pending
from newsmill.pipeline.publish.tables import rows_to_table, table_to_parquet, to_row
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture, iter_captures
from newsmill.storage import Store

log = logging.getLogger(__name__)

RAW_KEY = re.compile(
    r"^raw/site=(?P<site>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/(?P<stem>[^/]+)\.warc\.gz$"
)
DONE_PREFIX = "state/processed/"
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
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class ProcessResult:
    per_site: dict[str, Counts] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    raw_keys: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def site(self, name: str) -> Counts:
        return self.per_site.setdefault(name, Counts())


@dataclass
class Job:
    """One page to extract; travels to a worker process."""

    batch: Batch
    capture: Capture | None
    language_hint: str | None = None
    domains: tuple[str, ...] = ()
    quarantine: str | None = None  # decided without extraction (HTTP error, corrupt file)
    # the site's template blocks (pipeline.extract.templates)
    boilerplate: frozenset[str] = frozenset()

    def __getstate__(self) -> dict[str, Any]:
        # The batch (with its reader) stays in the parent; a worker needs only the page.
        state = dict(self.__dict__)
        state["batch"] = None
        return state


Outcome = tuple[Article | None, str | None]


def extract_job(job: Job) -> Outcome:
    if job.quarantine is not None or job.capture is None:
        return None, job.quarantine or "no capture"
    from newsmill.pipeline.extract.page import NoArticle, extract_article

    c = job.capture
    try:
        article = extract_article(
            c.body,
            url=c.url,
            site=c.site or "",
            fetched_at=c.fetched_at,
            source=c.source or "link",
            raw_ref=c.raw_ref,
            content_type=c.content_type,
            hints=c.hints,
            language_hint=job.language_hint,
            domains=job.domains,
            boilerplate=job.boilerplate,
        )
        return article, None
    except NoArticle as exc:
        return None, str(exc)
    except Exception as exc:  # a bug on one page must not lose the rest of the batch
        log.exception("extraction crashed url=%s site=%s", c.url, c.site)
        return None, f"extraction error: {type(exc).__name__}: {exc}"


def pending_raw_keys(store: Store, sites: Iterable[str] | None = None) -> list[str]:
    done = {k[len(DONE_PREFIX):-len(".done")] for k in store.list(DONE_PREFIX)}
    wanted = set(sites) if sites else None
    keys = []
    for key in store.list("raw/"):
        m = RAW_KEY.match(key)
        if not m or key in done:
            continue
        if wanted is not None and m["site"] not in wanted:
            continue
        keys.append(key)
    return keys


def raw_keys_between(store: Store, first: str, last: str) -> list[str]:
    return [k for k in store.list("raw/") if RAW_KEY.match(k) and first <= raw_date(k) <= last]


@dataclass
class Batch:
    """A unit of input whose outputs are written together and named after it.

    Crawled raw files are batches; so is a slice of an external WARC read by a backfill. The
    output keys are deterministic, which makes a rerun overwrite instead of duplicate.
    """

    name: str
    site: str
    date: str  # ingestion date: the partition its records land in
    articles_key: str
    quarantine_key: str
    captures: Callable[[], Iterator[Capture]]
    done_key: str | None = None  # marker written once the outputs are safely in place
    # Called in this process after extraction with each page and its record (None if it gave
    # none); False drops the page: neither a record nor quarantine. A backfill uses it for
    # pages published outside its date range, which it accounts for itself.
    keep: Callable[[Capture, Article | None], bool] | None = None


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
        done_key=DONE_PREFIX + key + ".done",
    )


def _jobs(
    batches: Iterable[Batch], sites: dict[str, Site], templates: Templates
) -> Iterator[Job]:
    for batch in batches:
        site = sites.get(batch.site)
        hint = site.language if site else None
        domains = site.domains if site else ()
        boilerplate = templates.site(batch.site).boilerplate()
        # Error answers wait for the end of the batch: a 503 that a retry later fetched
        # is not a lost page, and a redirect hop is not a page at all.
        failed: dict[str, Capture] = {}
        fetched: set[str] = set()
        try:
            for cap in batch.captures():
                if cap.kind != KIND_ARTICLE or 300 <= cap.status < 400:
                    continue
                if not 200 <= cap.status < 300:
                    failed[cap.url] = _slim(cap)
                    continue
                fetched.add(cap.url)
                yield Job(batch, cap, hint, domains, boilerplate=boilerplate)
        except Exception as exc:
            # Keep what was read before the damage; the rest is named in quarantine.
            log.error("corrupt input %s site=%s: %s", batch.name, batch.site, exc)
            yield Job(batch, None, quarantine=f"corrupt WARC {batch.name}: {exc}")
        for url, cap in failed.items():
            if url not in fetched:
                yield Job(batch, cap, quarantine=f"HTTP {cap.status}")
        yield Job(batch, None, quarantine="")  # end of batch: flush its outputs


def _slim(cap: Capture) -> Capture:
    cap.body = b""
    return cap


class _Output:
    def __init__(self, batch: Batch):
        self.batch = batch
        self.rows: list[dict[str, Any]] = []
        self.quarantine: list[dict[str, Any]] = []


def process_keys(
    store: Store,
    keys: list[str],
    *,
    sites: dict[str, Site] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ProcessResult:
    """Extract, deduplicate and write the records of the given raw files, in order."""
    result = process_batches(store, (raw_batch(store, k) for k in keys), sites=sites,
                             workers=workers, progress=progress)
    result.raw_keys = list(keys)
    return result


def process_batches(
    store: Store,
    batches: Iterable[Batch],
    *,
    sites: dict[str, Site] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ProcessResult:
    """Extract, deduplicate and write the records of each batch, in order.

    The caller holds the store's process lock (see pipeline.app.jobs).
    """
    result = ProcessResult()
    index = DedupIndex.load(store)
    templates = Templates(store)
    sites = sites or {}
    unmarked: list[str] = []
    last_checkpoint = time.monotonic()
    out: _Output | None = None
    pages = 0

    def checkpoint() -> None:
        index.save(store)
        templates.save()
        for k in unmarked:
            store.put(k, b"")
        unmarked.clear()

    for job, (article, reason) in ordered_map(extract_job, _jobs(batches, sites, templates),
                                              workers=workers):
        if out is None or out.batch is not job.batch:
            out = _Output(job.batch)
        if job.capture is None and job.quarantine == "":
            _flush(store, out, result)
            # Later batches of the site extract with what this one taught (keyed by text, so
            # a URL variant of the same story is not a second sighting).
            learnt = templates.site(job.batch.site)
            for row in out.rows:
                learnt.observe(row["content_hash"], row["text"].split("\n\n"))
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
        verdict = index.decide(article)
        if verdict is Verdict.UNCHANGED:
            counts.unchanged += 1
            continue
        counts.articles += 1
        if verdict is Verdict.DUPLICATE:
            counts.duplicates += 1
        elif verdict is Verdict.REVISION:
            counts.revisions += 1
        elif verdict is Verdict.NEW:
            counts.new += 1
        elif article.duplicate_of:
            counts.duplicates += 1
        out.rows.append(to_row(article))
    checkpoint()
    return result


def _flush(store: Store, out: _Output, result: ProcessResult) -> None:
    batch = out.batch
    if out.rows:
        # The pending mark goes first: a crash between the two leaves a dump to redo, not a
        # changed partition that no dump job knows about.
        mark_pending(store, batch.date)
        store.put(batch.articles_key, table_to_parquet(rows_to_table(out.rows)))
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
