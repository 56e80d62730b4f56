"""Downloader middlewares: the domain guard, the network (SSRF) guard and retries with backoff.

The guards are downloader middlewares, not spider-side filters, because every request passes
through them: the spider's own requests, robots.txt requests and, since RedirectMiddleware hands
a redirect back to the engine as a new request, every redirect target too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from newsmill.pipeline.netguard import IPAddress, IPNetwork, refusal
from newsmill.spiders import settings as S
from newsmill.spiders.guards.limits import quarantine, request_url
from newsmill.spiders.guards.resolver import AddressPolicy, literal, vet_host

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

REFUSED_REDIRECT = "refused redirect"


class RefusedOffsite(IgnoreRequest):
    """The request's host is not one of the site's `domains` (or the scheme is not http/s)."""


class RefusedPrivate(IgnoreRequest):
    """The request's host is, or resolves to, an address the crawler must not reach."""


def _site(crawler: Crawler) -> Site:
    site = crawler.settings.get(S.SITE)
    if site is None:
        raise NotConfigured(f"{S.SITE} is not set: not a newsmill crawl")
    return site


def _redirect_note(request: Request) -> str:
    chain = request.meta.get("redirect_urls")
    return f" (redirected from {chain[0]})" if chain else ""


def _quarantine_redirect(crawler: Crawler, request: Request, reason: str) -> None:
    """A page whose redirect is refused is lost to this run, unlike a link refused outright
    (never the site's page): the crawl quarantine says so, under the URL the spider asked for.
    robots.txt requests carry no page and are left out."""
    if not request.meta.get("redirect_urls") or "newsmill_url" not in request.meta:
        return
    codes = request.meta.get("redirect_reasons") or [None]
    status = codes[-1] if isinstance(codes[-1], int) else None
    quarantine(
        crawler, request_url(request), f"{REFUSED_REDIRECT}: to {request.url}: {reason}",
        status=status,
    )


class DomainGuardMiddleware:
    """Never send a request to a host outside the site's `domains` (exact host names)."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, _site(crawler))

    def process_request(self, request: Request) -> None:
        # Every request of this crawler shares the site's download slot, robots.txt included,
        # so the site's delay and concurrency hold whatever host a request goes to.
        request.meta.setdefault("download_slot", self.site.name)
        parts = urlparse_cached(request)
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.scheme in ("http", "https") and host and self.site.owns_host(host):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(S.STAT_REFUSED_OFFSITE)
        reason = (
            f"scheme {parts.scheme!r} is not http(s)"
            if parts.scheme not in ("http", "https")
            else f"host {host!r} is not one of the site's domains"
        )
        level = logging.INFO if host not in self._logged else logging.DEBUG
        self._logged.add(host)
        log.log(
            level, "[%s] refused %s: %s%s", self.site.name, request.url, reason,
            _redirect_note(request),
        )
        _quarantine_redirect(self.crawler, request, reason)
        raise RefusedOffsite(f"refused: {reason}")


class NetworkGuardMiddleware:
    """Refuse hosts that are, or resolve to, private, loopback, link-local, multicast, reserved
    or unspecified addresses, unless inside the sites file's `allow_private_networks`.

    This is the early, clear refusal: a reason in the log, a count in the stats, and no
    robots.txt fetched for the host. The guarantee is the resolver's (spiders.guards.resolver):
    Twisted only ever connects to addresses it vetted, so a DNS answer that changes between
    this check and the connection is refused there. A name that does not resolve is a download
    error (and retried), never let through unchecked.
    """

    def __init__(self, crawler: Crawler, allowed: list[IPNetwork], site_name: str):
        self.crawler = crawler
        self.allowed = allowed
        self.site_name = site_name
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        allowed = AddressPolicy.from_settings(crawler.settings).allowed
        site = crawler.settings.get(S.SITE)
        return cls(crawler, allowed, site.name if site is not None else "-")

    def refusal(self, ip: IPAddress) -> str | None:
        """Why `ip` may not be contacted, or None if it may."""
        return refusal(ip, self.allowed)

    async def _verdict(self, host: str) -> str | None:
        ip = literal(host)
        if ip is not None:
            # Twisted connects to a literal without asking any resolver: this check is the one.
            return self.refusal(ip)
        try:
            vetted = await vet_host(host)
        except Exception as exc:
            raise CannotResolveHostError(f"cannot resolve {host}: {exc}") from exc
        # Some allowed address: only those will be connected to (the resolver drops the rest).
        return None if vetted.allowed else vetted.reason

    async def process_request(self, request: Request) -> None:
        host = (urlparse_cached(request).hostname or "").lower().rstrip(".")
        if not host:
            return  # nothing to connect to; the domain guard refuses it
        reason = await self._verdict(host)
        if reason is None:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(S.STAT_REFUSED_PRIVATE)
        level = logging.WARNING if host not in self._logged else logging.DEBUG
        self._logged.add(host)
        log.log(
            level, "[%s] refused %s: %s%s", self.site_name, request.url, reason,
            _redirect_note(request),
        )
        _quarantine_redirect(self.crawler, request, reason)
        raise RefusedPrivate(f"refused: {reason}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS), with a pause
    before each retry: NEWSMILL_RETRY_BACKOFF_BASE * 2**(n-1) seconds, at most
    NEWSMILL_RETRY_BACKOFF_MAX, longer if the server sent a Retry-After in seconds.

    Scrapy retries at once, which hammers a server that just said it is overloaded. The pause
    holds only the retried request; the rest of the crawl goes on.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat(S.RETRY_BACKOFF_BASE, 0.5)
        self.backoff_max = settings.getfloat(S.RETRY_BACKOFF_MAX, 30.0)

    def backoff(self, retry_times: int, response: Response | None = None) -> float:
        delay = self.backoff_base * (2 ** max(retry_times - 1, 0))
        if response is not None:
            retry_after = response.headers.get(b"Retry-After")
            if retry_after and retry_after.strip().isdigit():
                delay = max(delay, float(retry_after.strip()))
        return min(delay, self.backoff_max)

    async def _pause(self, retry: Request, response: Response | None, reason: str) -> None:
        n = int(retry.meta.get("retry_times", 1))
        delay = self.backoff(n, response)
        site = self.crawler.settings.get(S.SITE)
        log.info(
            "[%s] retry %d of %s in %.1fs: %s",
            site.name if site is not None else "-", n, retry.url, delay, reason,
        )
        if delay > 0:
            await asyncio.sleep(delay)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result, response, f"HTTP {response.status}")
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result, None, f"{type(exception).__name__}: {exception}")
        return result
