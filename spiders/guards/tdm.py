"""The TDM Reservation Protocol in the crawl: each host's tdmrep.json, read once per run.

`TdmRepMiddleware` works like Scrapy's robots.txt middleware: before a host's first article
request it fetches `/.well-known/tdmrep.json` through the engine, so the request passes every
downloader middleware (domain and SSRF guards, robots.txt, the site's download slot and so its
delay, the per-run bounds, retries) and the archive keeps the response in the WARC. Requests
for the same host wait for that one fetch. The rule matching an article's path is added to
the article's hints (pipeline.extract.tdmrep.rule_hints), which the archive writes with the
response, so extraction fills `rights` from the archive alone.

With the site's `respect_tdm_reservation`, a reserved article is cut with the reason
`tdm reserved: ...` (the crawl quarantine lists it): by the tdmrep.json rule before it is
requested, or, without a rule, by its `tdm-reservation` header or meta tag on arrival, by
`TdmReservedResponseMiddleware`, which sits before the archive so the page is not kept.
"""

from __future__ import annotations

import asyncio
import logging
import re
import zlib
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached

from newsmill.pipeline.extract import tdmrep
from newsmill.pipeline.warc.records import KIND_ARTICLE
from newsmill.spiders import settings as S
from newsmill.spiders.guards.limits import LimitExceeded

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

TDM_RESERVED = "tdm reserved"
SOURCE_TDMREP = "tdmrep"
STAT_TDMREP_FETCHED = "newsmill/tdmrep_fetched"
STAT_TDM_SKIPPED = "newsmill/tdm_reserved_skipped"
# Meta tags are in the head: the start of the body is enough to find them.
HEAD_BYTES = 65536
_META_RESERVATION = re.compile(
    rb"<meta\s[^>]*name\s*=\s*[\"']?tdm-reservation[\"']?[^>]*>", re.IGNORECASE)
_META_POLICY = re.compile(rb"<meta\s[^>]*name\s*=\s*[\"']?tdm-policy[\"']?[^>]*>", re.IGNORECASE)
_CONTENT = re.compile(rb"content\s*=\s*[\"']?([^\"'>\s]*)", re.IGNORECASE)


class TdmReserved(LimitExceeded):
    """An article whose text-and-data-mining rights are reserved, on a site that respects that."""

    def __init__(self, detail: str):
        super().__init__(TDM_RESERVED, detail)


def _site(crawler: Crawler) -> Site:
    site = crawler.settings.get(S.SITE)
    if site is None:
        raise NotConfigured(f"{S.SITE} is not set: not a newsmill crawl")
    return site


def _article(request: Request) -> bool:
    return request.meta.get("newsmill_kind") == KIND_ARTICLE


def _hints(request: Request) -> dict[str, Any]:
    hints = request.meta.get("newsmill_hints")
    if hints is None:
        hints = request.meta["newsmill_hints"] = {}
    return hints


def _reason(source: str, policy: str | None) -> str:
    return f"{source} reserves text and data mining" + (f" (policy {policy})" if policy else "")


class TdmRepMiddleware:
    """Fetch each host's tdmrep.json once; label (or, if the site says so, cut) articles."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site
        self._rules: dict[str, asyncio.Future[list[tdmrep.TdmRule]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, _site(crawler))

    async def process_request(self, request: Request) -> None:
        if not _article(request):
            return
        parts = urlparse_cached(request)
        rules = await self.rules(f"{parts.scheme}://{parts.netloc}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        rule = tdmrep.matching_rule(rules, path)
        if rule is None or rule.reserved is None:
            return
        _hints(request).update(tdmrep.rule_hints(rule))
        if rule.reserved and self.site.respect_tdm_reservation:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STAT_TDM_SKIPPED)
            log.info("[%s] not requesting %s: %s", self.site.name, request.url,
                     _reason(tdmrep.WELL_KNOWN_PATH, rule.policy))
            raise TdmReserved(_reason(tdmrep.WELL_KNOWN_PATH, rule.policy))

    async def rules(self, origin: str) -> list[tdmrep.TdmRule]:
        """The origin's rules ([] when it has no tdmrep.json or it could not be read)."""
        pending = self._rules.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = self._rules[origin] = asyncio.get_running_loop().create_future()
        rules: list[tdmrep.TdmRule] = []
        try:
            rules = await self._fetch(origin)
        finally:
            # whatever happened, the requests waiting for this host go on
            pending.set_result(rules)
        return rules

    async def _fetch(self, origin: str) -> list[tdmrep.TdmRule]:
        url = origin + tdmrep.WELL_KNOWN_PATH
        request = Request(url, callback=NO_CALLBACK, dont_filter=True, priority=1000,
                          meta={"newsmill_source": SOURCE_TDMREP, "download_slot": self.site.name})
        assert self.crawler.engine is not None and self.crawler.stats is not None
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # refused, disallowed by robots.txt, failed: no rules
            log.info("[%s] no %s: %s", self.site.name, url, exc or type(exc).__name__)
            return []
        self.crawler.stats.inc_value(STAT_TDMREP_FETCHED)
        if response.status != 200:
            return []
        rules = tdmrep.parse_tdmrep(response.body)
        if rules is None:
            log.info("[%s] %s is not a TDMRep file; ignored", self.site.name, url)
            return []
        log.info("[%s] %s: %d rules", self.site.name, url, len(rules))
        return rules


def _head(response: Response) -> bytes:
    """The first HEAD_BYTES of the body, decoded if it came gzip- or deflate-compressed (this
    runs before decompression, and never inflates more than that)."""
    body = response.body
    encoding = (response.headers.get(b"Content-Encoding") or b"").strip().lower()
    if encoding not in (b"gzip", b"x-gzip", b"deflate"):
        return body[:HEAD_BYTES] if not encoding else b""
    for wbits in ((16 + zlib.MAX_WBITS,) if encoding != b"deflate"
                  else (zlib.MAX_WBITS, -zlib.MAX_WBITS)):
        try:
            return zlib.decompressobj(wbits).decompress(body, HEAD_BYTES)
        except zlib.error:
            continue
    return b""


def _meta_value(head: bytes, pattern: re.Pattern[bytes]) -> str | None:
    tag = pattern.search(head)
    content = _CONTENT.search(tag[0]) if tag else None
    return content[1].decode("latin-1") if content else None


class TdmReservedResponseMiddleware:
    """On a site that respects reservations: cut an article whose headers or meta tags reserve
    its rights (when no tdmrep.json rule decided), before it is archived."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        site = _site(crawler)
        if not site.respect_tdm_reservation:
            raise NotConfigured("the site does not ask to respect TDM reservations")
        return cls(crawler, site)

    def process_response(self, request: Request, response: Response) -> Response:
        if not _article(request) or not 200 <= response.status < 300:
            return response
        if tdmrep.HINT_RESERVED in (request.meta.get("newsmill_hints") or {}):
            return response  # tdmrep.json decided, and it takes precedence
        header = response.headers.get(tdmrep.HEADER_RESERVATION.encode())
        if header is not None:
            reserved = tdmrep.reservation(header.decode("latin-1"))
            policy_raw = response.headers.get(tdmrep.HEADER_POLICY.encode())
            policy = tdmrep.policy_url(policy_raw.decode("latin-1") if policy_raw else None)
            source = "the tdm-reservation header"
        else:
            head = _head(response)
            reserved = tdmrep.reservation(_meta_value(head, _META_RESERVATION))
            policy = tdmrep.policy_url(_meta_value(head, _META_POLICY))
            source = "the tdm-reservation meta tag"
        if reserved:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STAT_TDM_SKIPPED)
            log.info("[%s] dropping %s: %s", self.site.name, response.url,
                     _reason(source, policy))
            raise TdmReserved(_reason(source, policy))
        return response
