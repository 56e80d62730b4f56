"""What one raw page becomes, anywhere: the jobs a batch of captures gives, and each page's
extraction (a record, or why there is none) in worker processes.

Nothing here reads or writes the store's state: deciding duplicates, learning the site's
template and writing outputs is pipeline.app.process's single-writer step, which may run on
another machine than the extraction (pipeline.app.fanout).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from newsmill.pipeline.app.pool import ordered_map
from newsmill.pipeline.app.workers import poison_for_tests
from newsmill.pipeline.extract.warm import after_fork
from newsmill.pipeline.publish.article import Article, content_hash
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture

log = logging.getLogger(__name__)


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


@dataclass
class Job:
    """One page to extract; travels to a worker process."""

    batch: Batch
    capture: Capture | None
    language_hint: str | None = None
    domains: tuple[str, ...] = ()
    quarantine: str | None = None  # decided without extraction (HTTP error, corrupt file)

    def __getstate__(self) -> dict[str, Any]:
        # The batch (with its reader) stays in the parent; a worker needs only the page.
        state = dict(self.__dict__)
        state["batch"] = None
        return state


@dataclass
class Outcome:
    """A page's record, or why it has none; travels back from a worker process."""

    article: Article | None
    reason: str | None = None
    # the text before the site's template was cut: what a refetch is compared on, since the
    # template learnt in between must not make an unchanged page a revision
    source_hash: str = ""


# What yields each page of some batches with its outcome, in input order, and after each batch's
# pages a job with no capture and quarantine "" (the end of that batch): `extract_outcomes` on
# this machine, or outcomes extracted earlier on other workers (pipeline.app.fanout).
OutcomeSource = Callable[[Iterable[Batch]], Iterator[tuple[Job, Outcome]]]


def extract_job(job: Job) -> Outcome:
    if job.quarantine is not None or job.capture is None:
        return Outcome(None, job.quarantine or "no capture")
    from newsmill.pipeline.extract.load import NoArticle
    from newsmill.pipeline.extract.page import extract_article

    c = job.capture
    try:
        poison_for_tests(c.body)
        article = extract_article(
            c.body,
            url=c.url,
            site=c.site or "",
            fetched_at=c.fetched_at,
            source=c.source or "link",
            raw_ref=c.raw_ref,
            content_type=c.content_type,
            headers=c.headers,
            hints=c.hints,
            language_hint=job.language_hint,
            domains=job.domains,
        )
    except NoArticle as exc:
        return Outcome(None, str(exc))
    except MemoryError:
        log.error("extraction ran out of memory url=%s site=%s", c.url, c.site)
        return Outcome(None, "extraction ran out of memory")
    except Exception as exc:  # a bug on one page must not lose the rest of the batch
        log.exception("extraction crashed url=%s site=%s", c.url, c.site)
        return Outcome(None, f"extraction error: {type(exc).__name__}: {exc}")
    # The site's template is cut later, by the one step that learns it (process_batches), so
    # that what a page yields does not depend on where or when it was extracted.
    return Outcome(article, None, content_hash(article.text))


def _worker_failed(job: Job, reason: str) -> Outcome:
    """The page's worker ran out of time or died: the page is quarantined, the run goes on."""
    cap = job.capture
    log.error("%s url=%s site=%s", reason, cap.url if cap else "-", job.batch.site)
    return Outcome(None, reason)


def extract_outcomes(
    batches: Iterable[Batch], *, sites: dict[str, Site], workers: int | None = None
) -> Iterator[tuple[Job, Outcome]]:
    """Extract every page of the batches in a process pool; an OutcomeSource."""
    return ordered_map(extract_job, _jobs(batches, sites), on_failure=_worker_failed,
                       workers=workers, forked=after_fork)


def _jobs(batches: Iterable[Batch], sites: dict[str, Site]) -> Iterator[Job]:
    for batch in batches:
        site = sites.get(batch.site)
        hint = site.language if site else None
        domains = site.domains if site else ()
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
                yield Job(batch, cap, hint, domains)
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
