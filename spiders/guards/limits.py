"""Crawl limits with reasons, the trap guard, and the quarantine of what they cut.

A page cut at crawl time has no archived body (it was never fully received, or was refused
before being requested), so the extraction step's quarantine cannot list it. `CrawlQuarantine`
writes these cuts to `quarantine/date=<D>/<run_id>-crawl-<site>.jsonl`, with the same fields as
processing's entries (url, site, reason, status, content_type, fetched_at, raw_ref=null), and
counts them in the crawl stats so the run's summary shows them.

Every reason starts with `limit <name>`, `trap` or `refused redirect` (the guards of
spiders.guards.network): the summary groups reasons by what precedes the first colon.

Limits and where they are enforced:

- response size: DOWNLOAD_MAXSIZE on the wire (Scrapy cancels the download), and on the
  decompressed body (spiders.guards.decoded_size, asked by the archive before it writes anything,
  so a gzip bomb is neither archived nor inflated later by processing);
- download time: DOWNLOAD_TIMEOUT covers the whole download, so a trickling page is cut;
- redirects: REDIRECT_MAX_TIMES (Scrapy) and loops (`LimitsMiddleware`, here);
- URL length: NEWSMILL_MAX_URL_LENGTH (`LimitsMiddleware`);
- pages per site per run (`max_pages`) and link depth (`max_depth`): the spider;
- traps: `TrapGuard`, asked by the spider before it requests a link;
- the bounds every run keeps (requests and section pages per run, path segments, URL families
  growing from one another): spiders.guards.bounds.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newsmill.spiders import settings as S
from newsmill.storage import StoreError, open_store

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

log = logging.getLogger(__name__)

LIMIT_SIZE = "limit response size"
LIMIT_TIME = "limit download time"
LIMIT_REDIRECTS = "limit redirects"
LIMIT_URL = "limit URL length"
LIMIT_PAGES = "limit pages per site"
LIMIT_DEPTH = "limit link depth"
TRAP = "trap"


class LimitExceeded(IgnoreRequest):
    """A request cut by a limit; `reason` is the quarantine reason (`<limit>: <detail>`)."""

    def __init__(self, limit: str, detail: str):
        self.limit = limit
        self.reason = f"{limit}: {detail}"
        super().__init__(self.reason)


# --- the trap guard ------------------------------------------------------------------------------

# Query parameters and path parameters that carry a session: every visit mints new URLs.
_SESSION_PARAMS = {
    "sid", "sessionid", "session_id", "session", "jsessionid", "phpsessid", "aspsessionid",
    "cfid", "cftoken", "zenid", "oscsid", "s",
}
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DIGITS = re.compile(r"\d+")


def _session_free(url: str) -> tuple[str, str | None]:
    """`url` without session ids, and the name of the first one found (None if none)."""
    parts = urlsplit(url)
    found: str | None = None
    path = parts.path
    m = _PATH_SESSION.search(path)
    if m:
        found = m.group(1).lower()
        path = _PATH_SESSION.sub("", path)
    kept = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        low = key.lower()
        # `s` is a session id only when it looks like one (not WordPress's `?s=search`).
        if low in _SESSION_PARAMS and (low != "s" or re.fullmatch(r"[0-9a-f]{16,}", value)):
            found = found or low
            continue
        kept.append(f"{key}={value}" if value else key)
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(kept), "")), found


def url_shape(url: str) -> str:
    """The URL with every run of digits replaced: /calendar/2031/07/ -> /calendar/#/#/."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "&".join(keys)
    return f"{parts.netloc}{_DIGITS.sub('#', parts.path)}" + (f"?{query}" if query else "")


class TrapGuard:
    """Spots endless URL spaces before they are requested.

    - a path segment repeated more than `max_repeats` times, or a run of segments repeated
      back to back (`/a/b/a/b/`): relative links resolved against the wrong base;
    - session ids in the URL: the same page under a new name at every visit, so a URL is cut
      when its session-free form was requested already;
    - more than `max_per_shape` section pages of one shape (digits ignored): calendars and
      other "next" links that never end. Articles are not counted (they share shapes).
    """

    def __init__(self, max_per_shape: int = 30, max_repeats: int = 2):
        self.max_per_shape = max_per_shape
        self.max_repeats = max_repeats
        self._shapes: Counter[str] = Counter()
        self._seen: set[str] = set()

    def _repeats(self, path: str) -> str | None:
        segs = [s for s in path.split("/") if s]
        for seg, n in Counter(segs).items():
            if n > self.max_repeats:
                return f"path segment {seg!r} repeated {n} times"
        for size in range(2, len(segs) // 2 + 1):
            for i in range(len(segs) - 2 * size + 1):
                if segs[i:i + size] == segs[i + size:i + 2 * size]:
                    return f"path segments {'/'.join(segs[i:i + size])!r} repeated"
        return None

    def check(self, url: str, page: bool) -> str | None:
        """The trap reason for requesting `url` (None: go ahead). Counts what it lets through,
        so call it once per URL about to be requested."""
        why = self._repeats(urlsplit(url).path)
        if why:
            return f"{TRAP}: {why}"
        bare, session = _session_free(url)
        if session is not None and bare in self._seen:
            return f"{TRAP}: session id ({session}) variant of {bare}"
        if page and self.max_per_shape:
            shape = url_shape(bare)
            if self._shapes[shape] >= self.max_per_shape:
                return f"{TRAP}: endless URL space ({self.max_per_shape} pages like {shape})"
            self._shapes[shape] += 1
        self._seen.add(bare)
        return None


# --- URL length and redirect loops --------------------------------------------------------------


class LimitsMiddleware:
    """Downloader middleware: URL length on every request (redirect targets included), and
    redirect loops, which Scrapy's dupefilter would otherwise drop without a word."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_url = crawler.settings.getint(S.MAX_URL_LENGTH, 2083)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.max_url and len(request.url) > self.max_url:
            raise LimitExceeded(
                LIMIT_URL, f"{len(request.url)} characters, over {self.max_url}"
            )

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        location = (response.headers.get(b"Location") or b"").decode("latin-1").strip()
        target = response.urljoin(location).split("#", 1)[0]
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if target in seen:
            raise LimitExceeded(
                LIMIT_REDIRECTS, f"redirect loop ({len(seen)} hops, back to {target})"
            )
        return response


# --- the quarantine of crawl cuts ---------------------------------------------------------------


def quarantine_key(day: str, run_id: str, site: str) -> str:
    return f"quarantine/date={day}/{run_id}-crawl-{site}.jsonl"


class CrawlQuarantine:
    """Collects the URLs a crawl cut, with the reason, and writes them when the spider closes."""

    def __init__(self, crawler: Crawler, site: str, run_id: str, store_uri: str):
        self.crawler = crawler
        self.site = site
        self.run_id = run_id
        self.store_uri = store_uri
        self.max_kept = crawler.settings.getint(S.QUARANTINE_MAX_KEPT, 5000)
        self.entries: dict[str, dict[str, Any]] = {}
        self.reasons: Counter[str] = Counter()
        self.day = datetime.now(UTC).strftime("%Y-%m-%d")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        site = settings.get(S.SITE)
        uri = settings.get(S.STORE_URI)
        if site is None or not uri:
            raise NotConfigured(f"{S.SITE} and {S.STORE_URI} are needed for the quarantine")
        o = cls(crawler, site.name, settings.get(S.RUN_ID) or "run", uri)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    def add(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        content_type: str | None = None,
    ) -> bool:
        """Record a cut (once per URL); False if the URL was already recorded."""
        if url in self.entries:
            return False
        bucket = reason.split(":")[0].split(" (")[0]
        self.reasons[bucket] += 1
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(S.STAT_QUARANTINED)
        stats.set_value(S.STAT_QUARANTINE_REASONS, dict(self.reasons))
        shown = url if len(url) <= 300 else f"{url[:300]}...({len(url)} chars)"
        log.info("[%s] quarantined url=%s site=%s reason=%s", self.site, shown, self.site, reason)
        entry = {
            "url": url,
            "site": self.site,
            "reason": reason,
            "status": status,
            "content_type": content_type,
            "fetched_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "raw_ref": None,
        }
        # Past the cap, cuts are counted but not listed: a trap must not fill memory.
        if len(self.entries) < self.max_kept:
            self.entries[url] = entry
        else:
            self.entries.setdefault(url, {})  # remembered, so it is counted once
        return True

    def spider_closed(self) -> None:
        lines = [e for e in self.entries.values() if e]
        if not lines:
            return
        key = quarantine_key(self.day, self.run_id, self.site)
        data = b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in lines)
        try:
            open_store(self.store_uri).put(key, data)
        except StoreError as exc:
            log.error("[%s] could not write the crawl quarantine %s: %s", self.site, key, exc)
            S.add_error(self.crawler.stats, self.crawler.settings, f"quarantine: {exc}")
            return
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(S.STAT_QUARANTINE_KEY, key)
        log.info("[%s] %d cut URLs quarantined in %s", self.site, len(lines), key)


def quarantine(
    crawler: Crawler, url: str, reason: str, *, status: int | None = None,
    content_type: str | None = None,
) -> None:
    """Record a cut with the crawler's CrawlQuarantine (a log line if it is disabled)."""
    ext = crawler.get_extension(CrawlQuarantine)
    if ext is None:
        log.info("cut url=%s reason=%s (quarantine disabled)", url, reason)
        return
    ext.add(url, reason, status=status, content_type=content_type)


def request_url(request: Request) -> str:
    """The URL the spider asked for (before redirects), for quarantine entries."""
    return str(request.meta.get("newsmill_url") or request.url)


__all__ = [
    "LIMIT_DEPTH",
    "LIMIT_PAGES",
    "LIMIT_REDIRECTS",
    "LIMIT_SIZE",
    "LIMIT_TIME",
    "LIMIT_URL",
    "TRAP",
    "CrawlQuarantine",
    "LimitExceeded",
    "LimitsMiddleware",
    "TrapGuard",
    "quarantine",
    "request_url",
    "url_shape",
]
