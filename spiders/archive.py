"""Every response, archived as WARC/1.1 request + response record pairs, uploaded to raw/.

A downloader middleware placed next to the downloader, so it sees each response exactly as it
arrived: before decompression (bodies keep their Content-Encoding, which warcio decodes when
reading back), every attempt of a retried request, every hop of a redirect, robots.txt, error
statuses and non-HTML bodies alike.

Records go to a local gzipped WARC file that is rolled every NEWSMILL_ARCHIVE_ROLL_RECORDS
responses, when the UTC date changes, and when the spider closes. A rolled file is uploaded with
`put_file` to `raw_key(site, date, run_id, n)` and only then announced with the `warc_uploaded`
signal, which is what lets the ledger mark its articles as seen: a crawl interrupted before an
upload never marks an unarchived page as fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newsmill.pipeline.app.leases import pid_alive
from newsmill.pipeline.warc.records import (
    H_HINTS,
    H_KIND,
    H_SITE,
    H_SOURCE,
    KIND_ARTICLE,
    KIND_PAGE,
    raw_key,
)
from newsmill.spiders import settings as S
from newsmill.spiders.limits import LIMIT_SIZE, LimitExceeded, decoded_size_exceeds
from newsmill.storage import Store, StoreError, open_store

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

    from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

# Sent after a WARC file is in the store: key=str, entries=list[LedgerEntry].
warc_uploaded = object()

SOFTWARE = "newsmill (Scrapy, warcio)"
TMP_PREFIX = "newsmill-"
_ORPHAN = re.compile(r"^newsmill-(?P<site>[a-z0-9_-]+)--(?P<run>[^/]+?)--p(?P<pid>\d+)-")


@dataclass(frozen=True)
class LedgerEntry:
    """A 2xx article response inside an uploaded WARC file."""

    url: str  # the URL the spider discovered and asked for (tracking stripped)
    fetched_at: str  # ISO 8601 UTC
    modified: str | None  # newest date its feed/sitemap entry gave, ISO 8601 UTC


@dataclass
class _WarcFile:
    path: str
    fh: IO[bytes]
    writer: WARCWriter
    day: str  # UTC date of the first record: the date in the store key
    responses: int = 0
    articles: int = 0
    # (URL asked for, fetched_at, hints, newest date known when requested): LedgerEntry
    # objects once uploaded
    entries: list[tuple[str, str, dict[str, Any], str | None]] = field(default_factory=list)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _http_response_headers(response: Response) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = []
    body_len = len(response.body)
    for name in response.headers:
        key = name.decode("latin-1")
        low = key.lower()
        for value in response.headers.getlist(name):
            text = value.decode("latin-1")
            # The body was de-chunked by the client: recording `chunked` would make readers
            # try to de-chunk it again.
            if low == "transfer-encoding" and "chunked" in text.lower():
                continue
            if low == "content-length" and text.strip() != str(body_len):
                text = str(body_len)
            headers.append((key, text))
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    protocol = response.protocol or "HTTP/1.1"
    if not protocol.upper().startswith("HTTP/"):
        protocol = "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {phrase}".strip(), headers, protocol=protocol)


def _http_request_headers(request: Request) -> StatusAndHeaders:
    parts = urlparse_cached(request)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers: list[tuple[str, str]] = []
    if b"Host" not in request.headers:
        headers.append(("Host", parts.netloc))
    for name in request.headers:
        for value in request.headers.getlist(name):
            headers.append((name.decode("latin-1"), value.decode("latin-1")))
    return StatusAndHeaders(
        f"{request.method} {target} HTTP/1.1", headers, protocol="HTTP/1.1", is_http_request=True
    )


def newest(hints: dict[str, Any]) -> str | None:
    """The latest of the ISO dates in `hints` (one format, so they compare as strings)."""
    keys = ("published", "modified", "discovered")
    stamps = [v for k in keys if isinstance(v := hints.get(k), str) and v]
    return max(stamps) if stamps else None


class WarcArchiveMiddleware:
    def __init__(self, crawler: Crawler, site: Site, store: Store):
        self.crawler = crawler
        self.site = site
        self.store = store
        settings = crawler.settings
        self.run_id: str = settings.get(S.RUN_ID) or "run"
        self.roll_records = max(settings.getint(S.ARCHIVE_ROLL_RECORDS, 200), 1)
        # One folder per store by default: an orphaned file (see `recover`) is only ever
        # recovered into the store it was fetched for.
        self.tmpdir: str = settings.get(S.ARCHIVE_TMPDIR) or os.path.join(
            tempfile.gettempdir(),
            "newsmill-archive-" + hashlib.sha256(store.uri.encode()).hexdigest()[:12],
        )
        self.progress_every = settings.getint(S.PROGRESS_EVERY, 0)
        self._current: _WarcFile | None = None
        self._pending: list[_WarcFile] = []  # rolled, not yet in the store
        self._upload_lock = asyncio.Lock()
        self._n = 0
        self._rolled = False
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

    def _open(self, day: str) -> _WarcFile:
        os.makedirs(self.tmpdir, exist_ok=True)
        # The name says whose file it is (site, run, process), so that a later crawl can tell
        # an orphan (its process is dead) from a file still being written.
        fd, path = tempfile.mkstemp(
            prefix=f"{TMP_PREFIX}{self.site.name}--{self.run_id}--p{os.getpid()}-",
            suffix=".warc.gz", dir=self.tmpdir,
        )
        fh = os.fdopen(fd, "wb")
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "newsmill-site": self.site.name,
            "newsmill-run-id": self.run_id,
            "robots": "obey" if self.site.obey_robots else "ignore",
            "http-header-user-agent": self.site.user_agent,
        }
        writer.write_record(writer.create_warcinfo_record(os.path.basename(path), info))
        return _WarcFile(path=path, fh=fh, writer=writer, day=day)

    def write(self, request: Request, response: Response, fetched_at: datetime) -> _WarcFile:
        day = fetched_at.astimezone(UTC).strftime("%Y-%m-%d")
        if self._current is not None and self._current.day != day:
            self._roll()
        if self._current is None:
            self._current = self._open(day)
        current = self._current
        writer = current.writer
        meta = request.meta
        # Not `or {}`: an empty dict here is the spider's, which may still be filled in.
        hints: dict[str, Any] | None = meta.get("newsmill_hints")
        if hints is None:
            hints = {}
        source = meta.get("newsmill_source") or (
            "robots" if urlparse_cached(request).path == "/robots.txt" else "link"
        )
        # The spider decided what each request is (an article URL, or a feed, sitemap or
        # section page); redirects and retries carry its meta. Anything else (robots.txt) is a
        # page.
        article = meta.get("newsmill_kind") == KIND_ARTICLE
        warc_date = datetime_to_iso_date(fetched_at.astimezone(UTC).replace(tzinfo=None), True)
        warc_headers = {
            "WARC-Date": warc_date,
            H_SITE: self.site.name,
            H_SOURCE: source,
            H_KIND: KIND_ARTICLE if article else KIND_PAGE,
        }
        if hints:
            # One line, ASCII only: WARC headers are single-line and not meant for UTF-8.
            warc_headers[H_HINTS] = json.dumps(hints, ensure_ascii=True, sort_keys=True)
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        body = response.body
        resp_record = writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=_http_response_headers(response),
            warc_headers_dict=warc_headers,
        )
        req_body = request.body or b""
        req_record = writer.create_warc_record(
            response.url,
            "request",
            payload=BytesIO(req_body),
            length=len(req_body),
            http_headers=_http_request_headers(request),
            warc_headers_dict={"WARC-Date": warc_date},
        )
        writer.write_request_response_pair(req_record, resp_record)
        current.responses += 1
        if article and 200 <= response.status < 300:
            current.articles += 1
            # The hints dict is shared with the spider, which keeps adding what later feeds or
            # sitemaps say about the URL; the ledger takes the newest date at upload time.
            asked = meta.get("newsmill_url") or response.url
            stamp = meta.get("newsmill_newest")
            current.entries.append((asked, _iso(fetched_at), hints, stamp))
            if response.url != asked:
                # Also the URL it ended at, so a direct link to it is not fetched again.
                current.entries.append((response.url, _iso(fetched_at), hints, stamp))
        return current

    def _roll(self) -> None:
        if self._current is None:
            return
        self._current.close()
        if self._current.responses:
            self._pending.append(self._current)
            self._rolled = True
        else:
            os.unlink(self._current.path)
        self._current = None

    # --- uploading -------------------------------------------------------------------------------

    def _next_key(self, day: str) -> str:
        # Never overwrite: a re-run with the same run id (an Airflow retry) continues numbering.
        while True:
            self._n += 1
            key = raw_key(self.site.name, day, self.run_id, self._n)
            if not self.store.exists(key):
                return key

    # --- recovering what a killed crawl left behind ---------------------------------------------

    def _orphans(self) -> list[tuple[str, str]]:
        """(path, run id) of this site's local WARC files whose crawl process is gone."""
        folder = self.tmpdir
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        out = []
        for name in names:
            m = _ORPHAN.match(name)
            if not m or m["site"] != self.site.name or not name.endswith(".warc.gz"):
                continue
            if pid_alive(int(m["pid"])):
                continue
            out.append((os.path.join(folder, name), m["run"]))
        return out

    def recover(self) -> None:
        """Upload the complete records of WARC files a killed crawl of this site left on disk
        (under that crawl's run id), and let the ledger know, so nothing fetched is lost."""
        for path, run_id in self._orphans():
            try:
                recovered = _complete_prefix(path)
            except OSError as exc:
                log.error("[%s] cannot read orphaned WARC %s: %s", self.site.name, path, exc)
                continue
            if recovered is None:
                log.info("[%s] orphaned WARC %s holds no complete response; removed",
                         self.site.name, path)
                with contextlib.suppress(OSError):
                    os.unlink(path)
                continue
            tmp, day, responses, entries = recovered
            n = 0
            while True:
                n += 1
                key = raw_key(self.site.name, day, run_id, n)
                if not self.store.exists(key):
                    break
            try:
                self.store.put_file(key, tmp)
            except StoreError as exc:
                log.error("[%s] could not upload orphaned WARC %s, kept: %s",
                          self.site.name, path, exc)
                continue
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            with contextlib.suppress(OSError):
                os.unlink(path)
            log.warning("[%s] recovered %d responses a killed crawl left in %s, to %s",
                        self.site.name, responses, path, key)
            self.crawler.signals.send_catch_log(signal=warc_uploaded, key=key, entries=entries)

    def spider_opened(self) -> None:
        self.recover()

    def _upload(self, warc: _WarcFile) -> str:
        key = self._next_key(warc.day)
        self.store.put_file(key, warc.path)
        return key

    async def _flush(self) -> None:
        """Upload rolled files in order; on a store error keep them for the next attempt."""
        async with self._upload_lock:
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

    def _uploaded(self, key: str, warc: _WarcFile) -> None:
        stats = self.crawler.stats
        assert stats is not None
        keys: list[str] = stats.get_value(S.STAT_RAW_KEYS) or []
        keys.append(key)
        stats.set_value(S.STAT_RAW_KEYS, keys)
        stats.inc_value(S.STAT_RESPONSES_ARCHIVED, warc.responses)
        stats.inc_value(S.STAT_ARTICLES_ARCHIVED, warc.articles)
        log.info(
            "[%s] archived %d responses (%d articles) to %s",
            self.site.name, warc.responses, warc.articles, key,
        )
        with contextlib.suppress(OSError):
            os.unlink(warc.path)
        entries = [
            LedgerEntry(url, at, newest({**hints, "discovered": stamp}))
            for url, at, hints, stamp in warc.entries
        ]
        self.crawler.signals.send_catch_log(signal=warc_uploaded, key=key, entries=entries)

    # --- Scrapy hooks ----------------------------------------------------------------------------

    def _check_decoded_size(self, request: Request, response: Response) -> None:
        """Cut a response whose body would decompress past DOWNLOAD_MAXSIZE (a gzip bomb).

        Checked here, before anything is written: an archived bomb would be inflated in full by
        whoever reads the WARC later. The cut is quarantined by the spider's errback.
        """
        encodings = [
            part.decode("latin-1")
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
        current = self.write(request, response, datetime.now(UTC))
        self._written += 1
        if current.responses >= self.roll_records:
            self._roll()
        if self._rolled:
            # Upload at each roll only: after a store error the next try waits for the next roll
            # instead of hammering the store on every response.
            self._rolled = False
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
        self._roll()
        await self._flush()
        for warc in self._pending:
            # Left on disk so nothing fetched is lost: the next crawl of this site into this
            # store uploads it (`recover`) once this process is gone.
            log.error(
                "[%s] %d responses not uploaded; WARC kept at %s",
                self.site.name, warc.responses, warc.path,
            )


def _complete_prefix(path: str) -> tuple[str, str, int, list[LedgerEntry]] | None:
    """A copy of `path` cut after its last complete record: (copy, UTC day of the first
    record, responses, ledger entries of its 2xx articles). None if no response is whole.

    A killed writer leaves a last gzip member half-written; every member before it is a whole
    record, which is what a WARC reader can rely on.
    """
    from warcio.archiveiterator import ArchiveIterator

    end = 0
    day = ""
    responses = 0
    entries: list[LedgerEntry] = []
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        try:
            for rec in records:
                rec.content_stream().read()
                if getattr(rec.raw_stream, "limit", 0) > 0:
                    break  # cut off by the kill
                offset = records.get_record_offset()
                length = records.get_record_length()
                if offset is None or length is None:
                    break
                date = rec.rec_headers.get_header("WARC-Date") or ""
                day = day or date[:10]
                if rec.rec_type == "response":
                    responses += 1
                    status = rec.http_headers.get_statuscode() if rec.http_headers else ""
                    if rec.rec_headers.get_header(H_KIND) == KIND_ARTICLE and str(
                            status).startswith("2"):
                        hints: Any = {}
                        with contextlib.suppress(ValueError, TypeError):
                            hints = json.loads(rec.rec_headers.get_header(H_HINTS) or "{}")
                        if not isinstance(hints, dict):
                            hints = {}
                        url = rec.rec_headers.get_header("WARC-Target-URI") or ""
                        fetched = date.split(".")[0].rstrip("Z") + "Z"
                        entries.append(LedgerEntry(url, fetched, newest(hints)))
                end = offset + length
        except Exception as exc:  # warcio's errors on a damaged tail
            log.info("orphaned WARC %s: damaged after byte %d: %s", path, end, exc)
    if not responses or not day:
        return None
    fd, tmp = tempfile.mkstemp(suffix=".warc.gz", dir=os.path.dirname(path))
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        left = end
        while left > 0:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
    return tmp, day, responses, entries
