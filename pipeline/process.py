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

from pipeline.article import Article
from pipeline.dedup import DedupIndex, Verdict
from pipeline.dumps import mark_pending
from pipeline.pool import ordered_map
from pipeline.raw import KIND_ARTICLE, Capture, iter_captures
from pipeline.sites import Site
from pipeline.tables import rows_to_table, table_to_parquet, to_row
from storage import Store

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

    raw_key: str
    capture: Capture | None
    language_hint: str | None = None
    domains: tuple[str, ...] = ()
    quarantine: str | None = None  # decided without extraction (HTTP error, corrupt file)


Outcome = tuple[Article | None, str | None]


def extract_job(job: Job) -> Outcome:
    if job.quarantine is not None or job.capture is None:
        return None, job.quarantine or "no capture"
    from pipeline.extract import NoArticle, extract_article

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


def _jobs(store: Store, keys: list[str], sites: dict[str, Site]) -> Iterator[Job]:
    for key in keys:
        m = RAW_KEY.match(key)
        assert m
        site = sites.get(m["site"])
        hint = site.language if site else None
        domains = site.domains if site else ()
        fd, tmp = tempfile.mkstemp(suffix=".warc.gz")
        os.close(fd)
        try:
            store.get_file(key, tmp)
            # Error answers wait for the end of the file: a 503 that a retry later fetched
            # is not a lost page, and a redirect hop is not a page at all.
            failed: dict[str, Capture] = {}
            fetched: set[str] = set()
            with open(tmp, "rb") as fh:
                try:
                    for cap in iter_captures(fh, key):
                        if cap.kind != KIND_ARTICLE or 300 <= cap.status < 400:
                            continue
                        if not 200 <= cap.status < 300:
                            failed[cap.url] = _slim(cap)
                            continue
                        fetched.add(cap.url)
                        yield Job(key, cap, hint, domains)
                except Exception as exc:
                    # Keep what was read before the damage; the rest is named in quarantine.
                    yield Job(key, None, quarantine=f"corrupt WARC {key}: {exc}")
            for url, cap in failed.items():
                if url not in fetched:
                    yield Job(key, cap, quarantine=f"HTTP {cap.status}")
        finally:
            os.unlink(tmp)
        yield Job(key, None, quarantine="")  # end-of-file marker: flush this raw file


def _slim(cap: Capture) -> Capture:
    cap.body = b""
    return cap


class _Batch:
    def __init__(self, raw_key: str):
        self.raw_key = raw_key
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
    result = ProcessResult(raw_keys=list(keys))
    if not keys:
        return result
    index = DedupIndex.load(store)
    sites = sites or {}
    unmarked: list[str] = []
    last_checkpoint = time.monotonic()
    batch: _Batch | None = None
    pages = 0

    def checkpoint() -> None:
        index.save(store)
        for k in unmarked:
            store.put(DONE_PREFIX + k + ".done", b"")
        unmarked.clear()

    for job, (article, reason) in ordered_map(extract_job, _jobs(store, keys, sites),
                                              workers=workers):
        if batch is None or batch.raw_key != job.raw_key:
            batch = _Batch(job.raw_key)
        if job.capture is None and job.quarantine == "":
            _flush(store, batch, result)
            unmarked.append(job.raw_key)
            batch = None
            if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
                checkpoint()
                last_checkpoint = time.monotonic()
            continue
        cap = job.capture
        site_name = (cap.site if cap else None) or _key_site(job.raw_key)
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
            batch.quarantine.append(
                {
                    "url": cap.url if cap else None,
                    "site": site_name,
                    "reason": why,
                    "status": cap.status if cap else None,
                    "content_type": cap.content_type if cap else None,
                    "fetched_at": cap.fetched_at if cap else None,
                    "raw_ref": cap.raw_ref if cap else job.raw_key,
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
        batch.rows.append(to_row(article))
    checkpoint()
    return result


def _flush(store: Store, batch: _Batch, result: ProcessResult) -> None:
    key = batch.raw_key
    if batch.rows:
        # The pending mark goes first: a crash between the two leaves a dump to redo, not a
        # changed partition that no dump job knows about.
        mark_pending(store, raw_date(key))
        store.put(articles_key(key), table_to_parquet(rows_to_table(batch.rows)))
        result.dates.add(raw_date(key))
    elif store.exists(articles_key(key)):
        # A re-extraction that now finds nothing must not leave the old records behind.
        mark_pending(store, raw_date(key))
        store.delete(articles_key(key))
        result.dates.add(raw_date(key))
    if batch.quarantine:
        lines = b"".join(
            json.dumps(q, ensure_ascii=False).encode() + b"\n" for q in batch.quarantine
        )
        store.put(quarantine_key(key), lines)
