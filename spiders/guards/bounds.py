"""Bounds every crawl keeps, whatever the sites file says: a run of one site always ends.

A downloader middleware, so it sees every request the crawl sends (the spider's, robots.txt,
retries, redirect hops) and nothing reaches the site past a bound. Per site and per run:

- `max_requests`: requests sent in all;
- `max_section_pages`: non-article pages (listing, section, calendar pages) requested;
- `max_path_segments`: path segments of a URL found in a link;
- `max_url_growth`: how many section pages of one family may each extend the one before
  (/list/a -> /list/a/b -> ..., or a query string growing; see spiders.guards.url_family).

The values are the site's (pipeline.sites, with defaults there); a site may raise or lower
them but not remove them. A cut raises `LimitExceeded`, so it reaches the spider's errback and
the crawl quarantine with its reason like the other limits. The start pages, feeds and sitemaps
named in the sites file are never cut for their shape, only by the request budget.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from newsmill.pipeline.warc.records import KIND_PAGE
from newsmill.spiders import settings as S
from newsmill.spiders.guards.limits import TRAP, LimitExceeded
from newsmill.spiders.guards.url_family import UrlFamilies

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

LIMIT_REQUESTS = "limit requests per site"
LIMIT_SECTION_PAGES = "limit section pages per site"
LIMIT_SEGMENTS = "limit path segments"


class CrawlBoundsMiddleware:
    """Cuts requests past the site's per-run budgets and URLs that grow without end."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site
        self.requests = 0
        self.section_pages = 0
        self.families = UrlFamilies()
        self._announced: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool(S.BOUNDS_ENABLED, True):
            raise NotConfigured(f"{S.BOUNDS_ENABLED} is off")
        site = crawler.settings.get(S.SITE)
        if site is None:
            raise NotConfigured(f"{S.SITE} is not set: not a newsmill crawl")
        return cls(crawler, site)

    def _announce(self, limit: str, url: str) -> None:
        """One log line when a budget first runs out; each cut is logged by the quarantine."""
        if limit not in self._announced:
            self._announced.add(limit)
            log.info("[%s] %s reached at url=%s site=%s; later requests are cut",
                     self.site.name, limit, url, self.site.name)

    def process_request(self, request: Request) -> None:
        site = self.site
        if self.requests >= site.max_requests:
            self._announce(LIMIT_REQUESTS, request.url)
            raise LimitExceeded(
                LIMIT_REQUESTS, f"max_requests ({site.max_requests}) reached this run"
            )
        meta = request.meta
        # Retries and redirect hops are the same page again: counted once, on the first try.
        fresh = "retry_times" not in meta and "redirect_urls" not in meta
        page = meta.get("newsmill_kind") == KIND_PAGE and not meta.get("newsmill_discovery")
        from_link = meta.get("newsmill_source") == "link" and not meta.get("newsmill_seed")
        if fresh and from_link:
            self._check_segments(request)
        if fresh and page:
            self._check_page(request, seed=not from_link)
        self.requests += 1

    def _check_segments(self, request: Request) -> None:
        path = urlparse_cached(request).path
        n = sum(1 for s in path.split("/") if s)
        if n > self.site.max_path_segments:
            raise LimitExceeded(
                LIMIT_SEGMENTS, f"{n} segments, over max_path_segments "
                f"({self.site.max_path_segments})"
            )

    def _check_page(self, request: Request, seed: bool) -> None:
        site = self.site
        if self.section_pages >= site.max_section_pages:
            self._announce(LIMIT_SECTION_PAGES, request.url)
            raise LimitExceeded(
                LIMIT_SECTION_PAGES,
                f"max_section_pages ({site.max_section_pages}) reached this run",
            )
        growth = self.families.growth(request.url)
        if not seed and growth.level > site.max_url_growth:
            raise LimitExceeded(
                TRAP, f"growing URL family ({growth.level} pages each extending the one "
                f"before, over max_url_growth {site.max_url_growth}; extends {growth.parent})"
            )
        self.families.record(request.url, growth.level)
        self.section_pages += 1
