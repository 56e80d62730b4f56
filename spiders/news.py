"""The one generic news spider, configured by a `pipeline.sites.Site`.

Incremental mode: feeds, sitemaps (index -> children) and start pages; links on start and
section pages are followed when they match `follow_urls`, up to `max_depth`. Feed and sitemap
entries older than `max_age_days` are skipped, and so are articles the ledger has seen unless
the feed or sitemap now says they changed.

`backfill-sitemap` mode: sitemaps and indexes only, entries whose lastmod or news publication
date falls in [date_from, date_to] (UTC calendar days), whatever their age.

Discovery comes first: articles named by feeds and sitemaps are requested once every feed and
sitemap has been read (or NEWSMILL_DISCOVERY_WAIT has passed), and start pages after that. An
article listed in several documents is then requested once, with everything they said about it
merged into its hints, and judged by the newest date any of them gave.

The spider only decides what to request. Guards, robots.txt, retries and archiving are
downloader middlewares, so they apply to every request, redirects included.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from newsmill.pipeline.dedup import urls
from newsmill.pipeline.warc.records import KIND_ARTICLE, KIND_PAGE
from newsmill.spiders import settings as S
from newsmill.spiders.archive.ledger import Ledger, LedgerExtension
from newsmill.spiders.discover.candidates import Candidate
from newsmill.spiders.discover.documents import parse_discovery
from newsmill.spiders.discover.entries import Discovered, Entry, iso
from newsmill.spiders.discover.links import classify, identity, page_links
from newsmill.spiders.discover.window import DateWindow
from newsmill.spiders.guards.limits import (
    LIMIT_DEPTH,
    LIMIT_PAGES,
    TrapGuard,
    quarantine,
    request_url,
)
from newsmill.spiders.runner import failures

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

# Discovery documents first (they feed everything else), then articles, then section pages.
PRIORITY_DISCOVERY = 20
PRIORITY_ARTICLE = 10
PRIORITY_PAGE = 0


class NewsSpider(scrapy.Spider):
    name = "newsmill"

    site: Site

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ledger: Ledger | None = None
        self.window = DateWindow()
        # Identity (links.identity) -> the hints dict its request carries. The same dict object
        # is in the request's meta, so what a late feed or sitemap says about a queued URL still
        # reaches the WARC.
        self.requested: dict[str, dict[str, Any]] = {}
        self.skipped_seen: set[str] = set()  # identities
        self.skipped_old: set[str] = set()  # identities
        self.pages = 0  # articles + section pages requested (what max_pages caps)
        self.capped = False
        self.seeds_ok = 0
        self._discovery_pending = 0  # feed and sitemap requests not yet answered
        self._discovery_done = asyncio.Event()
        # Until discovery is over, article URLs are collected here instead of requested.
        self._collecting = True
        self.candidates: dict[str, Candidate] = {}  # by identity
        self.seed_failures: list[tuple[str, str]] = []  # (URL, reason)
        self.traps = TrapGuard()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        settings = crawler.settings
        site = settings.get(S.SITE)
        if site is None:
            raise ValueError(f"{S.SITE} is not set")
        spider = super().from_crawler(crawler, *args, name=site.name, **kwargs)
        spider.site = site
        spider.window = DateWindow.from_settings(settings, site)
        spider.traps = TrapGuard(
            max_per_shape=settings.getint(S.TRAP_MAX_PER_SHAPE, 30),
            max_repeats=settings.getint(S.TRAP_MAX_SEGMENT_REPEATS, 2),
        )
        crawler.signals.connect(spider.on_spider_error, signal=signals.spider_error)
        return spider

    @property
    def backfill(self) -> bool:
        return self.window.backfill

    # --- start -----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        ext = self.crawler.get_extension(LedgerExtension)
        self.ledger = ext.ledger if ext is not None else None
        if self.backfill:
            if not self.site.sitemaps:
                self.seed_failures.append(("-", "the site has no sitemaps to backfill from"))
                log.error("[%s] backfill-sitemap: the site has no sitemaps", self.site.name)
            for url in self.site.sitemaps:
                yield self._discovery_request(url, "backfill-sitemap", seed=True)
        else:
            for url in self.site.feeds:
                yield self._discovery_request(url, "feed", seed=True)
            for url in self.site.sitemaps:
                yield self._discovery_request(url, "sitemap", seed=True)
        if self._discovery_pending:
            wait = self.crawler.settings.getfloat(S.DISCOVERY_WAIT, 300.0)
            try:
                await asyncio.wait_for(self._discovery_done.wait(), timeout=wait)
            except TimeoutError:
                log.info("[%s] feeds and sitemaps still loading after %.0fs; requesting "
                         "what they named so far", self.site.name, wait)
        # From here on, URLs from late feeds or sitemaps are requested as they come.
        self._collecting = False
        candidates, self.candidates = self.candidates, {}
        for cand in candidates.values():
            req = self._candidate_request(cand)
            if req is not None:
                yield req
        if not self.backfill:
            for url in self.site.start_urls:
                yield self._page_request(url, depth=0, seed=True)

    def _meta(self, url: str, source: str, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "newsmill_url": url,
            "newsmill_source": source,
            "newsmill_kind": kind,
            "download_slot": self.site.name,
            **extra,
        }

    def _discovery_request(self, url: str, source: str, seed: bool = False) -> Request:
        self._discovery_pending += 1
        self._discovery_done.clear()
        return Request(
            url,
            callback=self.parse_discovery,
            errback=self.on_error,
            priority=PRIORITY_DISCOVERY,
            # We deduplicate discovery URLs ourselves, and every one must reach its callback
            # or errback, since start pages wait for all of them.
            dont_filter=True,
            meta=self._meta(url, source, KIND_PAGE, newsmill_seed=seed, newsmill_discovery=True),
        )

    def _discovery_finished(self) -> None:
        self._discovery_pending -= 1
        if self._discovery_pending <= 0:
            self._discovery_done.set()

    def _page_request(self, url: str, depth: int, seed: bool = False) -> Request:
        self.requested[identity(url)] = {}
        return Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            priority=PRIORITY_PAGE,
            meta=self._meta(url, "link", KIND_PAGE, newsmill_depth=depth, newsmill_seed=seed),
        )

    # --- what to fetch ---------------------------------------------------------------------------

    def _cut(self, url: str, reason: str) -> None:
        quarantine(self.crawler, url, reason)

    def _under_cap(self, url: str) -> bool:
        limit = self.site.max_pages
        if limit is None or self.pages < limit:
            self.pages += 1
            return True
        if not self.capped:
            self.capped = True
            log.info("[%s] max_pages (%d) reached; not requesting %s and later URLs",
                     self.site.name, limit, url)
        self._cut(url, f"{LIMIT_PAGES}: max_pages ({limit}) reached this run")
        return False

    def _trapped(self, url: str, page: bool) -> bool:
        why = self.traps.check(url, page)
        if why is None:
            return False
        self._cut(url, why)
        return True

    def _article_request(
        self, url: str, source: str, hints: dict[str, Any], stamp: datetime | None
    ) -> Request | None:
        key = identity(url)
        queued = self.requested.get(key)
        if queued is not None:
            for name, value in hints.items():
                queued.setdefault(name, value)
            return None
        if self.ledger is not None and not self.ledger.should_fetch(url, stamp):
            self.skipped_seen.add(key)
            return None
        if source == "link" and self._trapped(url, page=False):
            return None
        if not self._under_cap(url):
            return None
        self.requested[key] = hints
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            priority=PRIORITY_ARTICLE,
            meta=self._meta(
                url, source, KIND_ARTICLE, newsmill_hints=hints,
                # What the ledger records as the version fetched (see Ledger.should_fetch).
                newsmill_newest=iso(stamp) if stamp else None,
            ),
        )

    def _collect(self, entry: Entry, source: str) -> Request | None:
        """A feed or sitemap entry: collected during discovery, judged at once after it."""
        url = urls.request_url(entry.url)
        if classify(self.site, url) != KIND_ARTICLE:
            log.debug("[%s] %s entry is not an article URL: %s", self.site.name, source, url)
            return None
        key = identity(url)
        cand = self.candidates.get(key)
        if cand is None:
            cand = Candidate(url, source)
            if self._collecting:
                self.candidates[key] = cand
        cand.add(entry)
        return None if self._collecting else self._candidate_request(cand)

    def _candidate_request(self, cand: Candidate) -> Request | None:
        if not self.window.wants(cand.stamps):
            self.skipped_old.add(identity(cand.url))
            return None
        return self._article_request(cand.url, cand.source, cand.hints, cand.newest)

    # --- callbacks -------------------------------------------------------------------------------

    def _seed_ok(self, response: Response) -> None:
        if response.meta.get("newsmill_seed"):
            self.seeds_ok += 1

    def parse_discovery(self, response: Response) -> list[Request]:
        try:
            return self._discover(response)
        finally:
            self._discovery_finished()

    def _discover(self, response: Response) -> list[Request]:
        self._seed_ok(response)
        doc: Discovered = parse_discovery(response.body, response.url)
        if doc.error:
            self._error(response.url, doc.error)
        source = response.meta.get("newsmill_source", "sitemap")
        out: list[Request] = []
        for ref in doc.sitemaps:
            child = urls.request_url(ref.url)
            if identity(child) in self.requested:
                continue
            if not self.window.wants_sitemap(ref):
                log.debug("[%s] skipping sitemap %s (lastmod %s)", self.site.name, child,
                          ref.lastmod)
                continue
            self.requested[identity(child)] = {}
            out.append(self._discovery_request(child, source))
        for entry in doc.entries:
            req = self._collect(entry, source if self.backfill else entry.via)
            if req is not None:
                out.append(req)
        log.info(
            "[%s] %s %s: %d entries, %d sitemaps", self.site.name, doc.kind, response.url,
            len(doc.entries), len(doc.sitemaps),
        )
        return out

    def parse_article(self, response: Response) -> None:
        # Articles are leaves: the archive already holds the response; extraction comes later.
        return None

    def parse_page(self, response: Response) -> list[Request]:
        self._seed_ok(response)
        depth = int(response.meta.get("newsmill_depth", 0))
        articles: list[Request] = []
        pages: list[Request] = []
        for url in page_links(response):
            kind = classify(self.site, url)
            if kind == KIND_ARTICLE:
                req = self._article_request(url, "link", {}, None)
                if req is not None:
                    articles.append(req)
            elif kind == KIND_PAGE and identity(url) not in self.requested:
                if depth >= self.site.max_depth:
                    self._cut(url, f"{LIMIT_DEPTH}: beyond max_depth ({self.site.max_depth})")
                elif not self._trapped(url, page=True) and self._under_cap(url):
                    pages.append(self._page_request(url, depth + 1))
        # Articles first: Scrapy hands a callback's requests to the scheduler CONCURRENT_ITEMS
        # at a time (spiders.settings), and the downloader may take one in between; what it
        # takes then is an article, as the priorities say, not a listing of a long page.
        return articles + pages

    # --- failures --------------------------------------------------------------------------------

    def _error(self, url: str, reason: str) -> None:
        log.warning("[%s] %s: %s", self.site.name, url, reason)
        S.add_error(self.crawler.stats, self.crawler.settings, f"{url}: {reason}")

    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        url = request.url
        failed = failures.why_failed(failure.value, request, self.crawler.settings)
        reason = failed.reason
        if failed.kind == failures.CUT:
            self._cut(request_url(request), reason)
        if failed.kind == failures.ROBOTS:
            log.info("[%s] %s: %s", self.site.name, url, reason)
        # Refusals have their own counters, and a limit cutting an article is a quarantine,
        # not an error; but feeds, sitemaps and start pages cut are errors as well: what they
        # would have named is lost, and the operator must hear of it.
        discovery = request.meta.get("newsmill_seed") or request.meta.get("newsmill_discovery")
        if failed.kind == failures.ERROR or (failed.kind == failures.CUT and discovery):
            self._error(url, reason)
        if request.meta.get("newsmill_seed"):
            self.seed_failures.append((url, reason))
        if request.meta.get("newsmill_discovery"):
            self._discovery_finished()

    def on_spider_error(self, failure: Failure, response: Response) -> None:
        self._error(response.url, f"spider error: {failure.getErrorMessage()}")

    # --- end -------------------------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value(S.STAT_SKIPPED_SEEN, len(self.skipped_seen - self.requested.keys()))
        stats.set_value(S.STAT_SKIPPED_OLD, len(self.skipped_old - self.requested.keys()))
        stats.set_value(S.STAT_SEEDS_OK, self.seeds_ok)
        stats.set_value(S.STAT_SEED_FAILURES, [f"{u}: {r}" for u, r in self.seed_failures])
        if self.seeds_ok == 0:
            why = failures.summarise(self.seed_failures) or f"spider closed ({reason})"
            stats.set_value(S.STAT_FAILURE, f"nothing could be fetched: {why}")
            log.error("[%s] nothing could be fetched: %s", self.site.name, why)

