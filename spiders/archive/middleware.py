"""Every response, archived as WARC/1.1 request + response record pairs, uploaded to raw/.

A downloader middleware placed next to the downloader, so it sees each response exactly as it
arrived: before decompression (bodies keep their Content-Encoding, which the WARC reader decodes
when reading back), every attempt of a retried request, every hop of a redirect, robots.txt,
error statuses and non-HTML bodies alike.

Records are written by the one WARC writer (pipeline.warc.writer) to a local gzipped WARC file
that is rolled every NEWSMILL_ARCHIVE_ROLL_RECORDS responses, when the UTC date changes, and
when the spider closes. A rolled file is uploaded with `put_file` to `raw_key(site, date,
run_id, n)` and only then announced with the `warc_uploaded` signal, which is what lets the
ledger mark its articles as seen: a crawl interrupted before an upload never marks an
unarchived page as fetched (spiders.archive.recovery uploads what it left on disk).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from newsmill.pipeline.warc import pending
from newsmill.pipeline.warc.records import KIND_ARTICLE, KIND_PAGE
from newsmill.pipeline.warc.writer import Exchange, RollingWarcWriter, WarcFile, free_raw_key
from newsmill.spiders import settings as S
from newsmill.spiders.archive.recovery import file_prefix, recover
from newsmill.spiders.archive.signals import LedgerEntry, newest, warc_uploaded
from newsmill.spiders.guards.decoded_size import decoded_size_exceeds
from newsmill.spiders.guards.limits import LIMIT_SIZE, LimitExceeded
from newsmill.storage import Store, StoreError, open_store

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name in headers
        for value in headers.getlist(name)
    ]


def exchange_of(site: Site, request: Request, response: Response,
                fetched_at: datetime) -> Exchange:
    """The response as received, and the request that asked for it, with newsmill's labels."""
    meta = request.meta
    # Not `or {}`: an empty dict here is the spider's, which may still be filled in.
    hints: dict[str, Any] | None = meta.get("newsmill_hints")
    source = meta.get("newsmill_source") or (
        "robots" if urlparse_cached(request).path == "/robots.txt" else "link"
    )
    # The spider decided what each request is (an article URL, or a feed, sitemap or section
    # page); redirects and retries carry its meta. Anything else (robots.txt) is a page.
    article = meta.get("newsmill_kind") == KIND_ARTICLE
    return Exchange(
        url=response.url,
        fetched_at=fetched_at,
        status=response.status,
        headers=_pairs(response.headers),
        body=response.body,
        site=site.name,
        source=source,
        kind=KIND_ARTICLE if article else KIND_PAGE,
        hints=hints or None,
        protocol=response.protocol or "HTTP/1.1",
        method=request.method,
        request_headers=_pairs(request.headers),
        request_body=request.body or b"",
        ip_address=None if response.ip_address is None else str(response.ip_address),
    )


class WarcArchiveMiddleware:
    def __init__(self, crawler: Crawler, site: Site, store: Store):
        self.crawler = crawler
        self.site = site
        self.store = store
        settings = crawler.settings
        self.run_id: str = settings.get(S.RUN_ID) or "run"
        # One folder per store by default: an orphaned file is only ever recovered into the
        # store it was fetched for.
        self.tmpdir: str = settings.get(S.ARCHIVE_TMPDIR) or os.path.join(
            tempfile.gettempdir(),
            "newsmill-archive-" + hashlib.sha256(store.uri.encode()).hexdigest()[:12],
        )
        self.progress_every = settings.getint(S.PROGRESS_EVERY, 0)
        self.files = RollingWarcWriter(
            self.tmpdir, file_prefix(site.name, self.run_id),
            max_responses=settings.getint(S.ARCHIVE_ROLL_RECORDS, 200),
            warcinfo={
                "newsmill-site": site.name,
                "newsmill-run-id": self.run_id,
                "robots": "obey" if site.obey_robots else "ignore",
                "http-header-user-agent": site.user_agent,
            },
        )
        self._pending: list[WarcFile] = []  # rolled, not yet in the store
        self._upload_lock = asyncio.Lock()
        self._n = 0
        self._written = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool(S.ARCHIVE_ENABLED, True):
            raise NotConfigured("archive disabled")
        site, uri = S.site_and_store(settings, "to archive")
        o = cls(crawler, site, open_store(uri))
        crawler.signals.connect(o.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    # --- writing ---------------------------------------------------------------------------------

    def write(self, request: Request, response: Response, fetched_at: datetime) -> WarcFile:
        ex = exchange_of(self.site, request, response, fetched_at)
        warc = self.files.write(ex, fetched_at.astimezone(UTC).strftime("%Y-%m-%d"))
        if ex.kind == KIND_ARTICLE and 200 <= response.status < 300:
            meta = request.meta
            # The hints dict is shared with the spider, which keeps adding what later feeds or
            # sitemaps say about the URL; the ledger takes the newest date at upload time.
            hints = meta.get("newsmill_hints")
            asked = meta.get("newsmill_url") or response.url
            # Also the URL it ended at, so a direct link to it is not fetched again.
            urls = [asked] if response.url == asked else [asked, response.url]
            stamp = meta.get("newsmill_newest")
            warc.notes.append((urls, _iso(fetched_at), {} if hints is None else hints, stamp))
        return warc

    # --- uploading -------------------------------------------------------------------------------

    def _upload(self, warc: WarcFile) -> str:
        self._n, key = free_raw_key(self.store, self.site.name, warc.day, self.run_id, self._n)
        self.store.put_file(key, warc.path)
        pending.mark(self.store, [key])
        return key

    async def _flush(self) -> None:
        """Upload rolled files in order; on a store error keep them for the next attempt."""
        async with self._upload_lock:
            self._pending.extend(self.files.take_rolled())
            while self._pending:
                warc = self._pending[0]
                try:
                    key = await asyncio.to_thread(self._upload, warc)
                except (StoreError, OSError) as exc:
                    log.error(
                        "[%s] could not upload %s (%d responses), will retry: %s",
                        self.site.name, warc.path, warc.responses, exc,
                    )
                    S.add_error(
                        self.crawler.stats, self.crawler.settings,
                        f"{warc.path}: upload to {self.store.uri} failed: {exc}",
                    )
                    return
                self._pending.pop(0)
                self._uploaded(key, warc)

    def _uploaded(self, key: str, warc: WarcFile) -> None:
        stats = self.crawler.stats
        assert stats is not None
        keys: list[str] = stats.get_value(S.STAT_RAW_KEYS) or []
        keys.append(key)
        stats.set_value(S.STAT_RAW_KEYS, keys)
        articles = len(warc.notes)  # one per 2xx article response
        stats.inc_value(S.STAT_RESPONSES_ARCHIVED, warc.responses)
        stats.inc_value(S.STAT_ARTICLES_ARCHIVED, articles)
        log.info(
            "[%s] archived %d responses (%d articles) to %s",
            self.site.name, warc.responses, articles, key,
        )
        with contextlib.suppress(OSError):
            os.unlink(warc.path)
        entries = [
            LedgerEntry(url, at, newest({**hints, "discovered": stamp}))
            for urls, at, hints, stamp in warc.notes
            for url in urls
        ]
        self._announce(key, entries)

    def _announce(self, key: str, entries: list[LedgerEntry]) -> None:
        self.crawler.signals.send_catch_log(signal=warc_uploaded, key=key, entries=entries)

    # --- Scrapy hooks ----------------------------------------------------------------------------

    def spider_opened(self) -> None:
        recover(self.store, self.site.name, self.tmpdir, self._announce)

    def _check_decoded_size(self, request: Request, response: Response) -> None:
        """Cut a response whose body would decompress past DOWNLOAD_MAXSIZE (a gzip bomb).

        Checked here, before anything is written: an archived bomb would be inflated in full by
        whoever reads the WARC later. The cut is quarantined by the spider's errback.
        """
        encodings = [
            part.decode("latin-1").strip()
            for value in response.headers.getlist(b"Content-Encoding")
            for part in value.split(b",")
        ]
        if not encodings or not response.body:
            return
        limit = int(request.meta.get("download_maxsize")
                    or self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        reached = decoded_size_exceeds(response.body, encodings, limit)
        if reached is not None:
            raise LimitExceeded(
                LIMIT_SIZE,
                f"{len(response.body)} bytes {'+'.join(encodings)} decompress past "
                f"DOWNLOAD_MAXSIZE ({limit} bytes)",
            )

    async def process_response(self, request: Request, response: Response) -> Response:
        self._check_decoded_size(request, response)
        self.write(request, response, datetime.now(UTC))
        self._written += 1
        if self.files.rolled:
            # Upload at each roll only: after a store error the next try waits for the next roll
            # instead of hammering the store on every response.
            await self._flush()
        if self.progress_every and self._written % self.progress_every == 0:
            stats = self.crawler.stats
            assert stats is not None
            log.info(
                "[%s] progress: %d responses, %d in the store, %d errors",
                self.site.name,
                self._written,
                stats.get_value(S.STAT_RESPONSES_ARCHIVED, 0),
                stats.get_value(S.STAT_ERROR_COUNT, 0),
            )
        return response

    async def spider_closed(self) -> None:
        self.files.roll()
        await self._flush()
        for warc in self._pending:
            # Left on disk so nothing fetched is lost: the next crawl of this site into this
            # store uploads it (spiders.archive.recovery) once this process is gone.
            log.error(
                "[%s] %d responses not uploaded; WARC kept at %s",
                self.site.name, warc.responses, warc.path,
            )
