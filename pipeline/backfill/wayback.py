"""Backfill from the Wayback Machine: a CDX index query, then the original bytes of each capture.

For each of the site's domains the CDX API is asked, page by page, for the HTML captures with
status 200 in [from, to] (one row per URL: `collapse=urlkey`). Rows whose URL matches the site's
`article_urls` are replayed in the `id_` form (`<replay prefix><timestamp>id_/<url>`: the bytes
as captured, without the archive's toolbar or link rewriting), archived to
`raw/site=S/date=<today>/<run_id>-wb-<n>.warc.gz` as request + response records with
`Newsmill-Source: backfill-wayback` and the original URL as WARC-Target-URI, and then processed
like any crawled raw file.

The archive is treated as politely as a site: the site's `delay` and `concurrency` apply to CDX
and replay requests, 5xx and 429 answers are retried with backoff, and the network guard (the
sites file's `allow_private_networks`) applies to the CDX and replay hosts and to every redirect.

This module also holds the guarded HTTP client that `pipeline.backfill.warc` uses for WARC
files given as http(s) URLs.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import os
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

from newsmill.pipeline.backfill.coverage import SiteCoverage
from newsmill.pipeline.netguard import IPAddress, IPNetwork, refusal
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.records import H_KIND, H_SITE, H_SOURCE, KIND_ARTICLE, raw_key

log = logging.getLogger(__name__)

SOURCE = "backfill-wayback"
H_REPLAY_URL = "Newsmill-Replay-URL"  # where the bytes actually came from
H_ARCHIVE_TIMESTAMP = "Newsmill-Archive-Timestamp"
CDX_PAGE_ROWS = 1000  # rows per CDX request (`limit`), paged with resume keys
RAW_FILE_CAPTURES = 100  # captures per archived raw WARC file
RETRIES = 3
TIMEOUT = 60.0
MAX_BODY = 20_000_000  # the extractor refuses larger pages anyway; do not hold more



# --- the network guard --------------------------------------------------------------------------


class Refused(Exception):
    """The host is, or resolves to, an address the sites file does not allow (SSRF guard)."""


class NetworkGuard:
    """Resolves a host, refuses non-public addresses outside `allowed`, connects to what it
    checked (so a DNS answer that changes after the check cannot slip through)."""

    def __init__(self, allowed: Iterable[str] = ()):
        self.allowed: list[IPNetwork] = [ipaddress.ip_network(n, strict=False) for n in allowed]

    def refusal(self, ip: IPAddress) -> str | None:
        return refusal(ip, self.allowed)

    def create_connection(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        host, port = address
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        for *_, sockaddr in infos:
            reason = self.refusal(ipaddress.ip_address(sockaddr[0]))
            if reason:
                raise Refused(f"refused {host}: {reason}")
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                last = exc
                sock.close()
        raise last or OSError(f"cannot connect to {host}:{port}")


def _guarded(cls: Any, guard: NetworkGuard) -> Callable[..., Any]:
    """A connection class for urllib's do_open whose sockets come from the guard."""

    def conn(host: str, **kw: Any) -> Any:
        c = cls(host, **kw)
        # http.client makes its socket through this attribute; the guard resolves, checks and
        # connects to the address it checked.
        setattr(c, "_create_connection", guard.create_connection)  # noqa: B010
        return c

    return conn


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: NetworkGuard):
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPConnection, self.guard), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: NetworkGuard):
        super().__init__()
        self.guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPSConnection, self.guard), req)


class HTTPClient:
    """urllib with the network guard on every connection (redirects included), the site's
    politeness (a minimum gap between request starts, a bound on parallel requests), and
    retries with backoff on 5xx, 429 and connection errors."""

    def __init__(
        self,
        guard: NetworkGuard,
        *,
        user_agent: str,
        delay: float = 0.0,
        concurrency: int = 1,
        retries: int = RETRIES,
        backoff: float = 1.0,
        timeout: float = TIMEOUT,
    ):
        self.opener = urllib.request.build_opener(
            # No proxies from the environment: the guard must see the real destination.
            urllib.request.ProxyHandler({}),
            _GuardedHTTPHandler(guard),
            _GuardedHTTPSHandler(guard),
        )
        self.user_agent = user_agent
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._next_start = 0.0

    def _wait_turn(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            time.sleep(start - now)

    def open(self, url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """The response (any status; the caller reads and closes it). Retries 5xx/429 and
        connection errors; raises urllib.error.URLError or Refused when it gives up."""
        attempt = 0
        while True:
            attempt += 1
            self._wait_turn()
            req = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       **(headers or {})})
            try:
                resp: http.client.HTTPResponse = self.opener.open(req, timeout=self.timeout)
                return resp
            except urllib.error.HTTPError as exc:
                retryable = exc.code >= 500 or exc.code == 429
                if not retryable or attempt > self.retries:
                    return _as_response(exc)
                wait = _retry_after(exc.headers.get("Retry-After"), self._pause(attempt))
                log.info("HTTP %s from %s, retry %d in %.1fs", exc.code, url, attempt, wait)
                exc.close()
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                if attempt > self.retries:
                    raise
                wait = self._pause(attempt)
                log.info("fetch of %s failed (%s), retry %d in %.1fs", url, exc, attempt, wait)
            time.sleep(wait)

    def _pause(self, attempt: int) -> float:
        return float(self.backoff * 2 ** (attempt - 1))

    def get(self, url: str, headers: dict[str, str] | None = None,
            max_bytes: int = MAX_BODY) -> tuple[int, dict[str, str], bytes, str]:
        """(status, headers, body, final URL); at most `max_bytes` + 1 bytes of body are read."""
        with self._slots:
            resp = self.open(url, headers)
            try:
                body = resp.read(max_bytes + 1)
                hdrs = list(resp.headers.items())
                return resp.status, dict(hdrs), body, resp.geturl()
            finally:
                resp.close()


def _as_response(exc: urllib.error.HTTPError) -> http.client.HTTPResponse:
    # urllib raises HTTPError for 4xx/5xx; it is a response object too, which is what the
    # callers want to look at.
    return exc  # type: ignore[return-value]


def _retry_after(value: str | None, default: float) -> float:
    if value and value.strip().isdigit():
        return min(float(value.strip()), 60.0)
    return default


# --- CDX ----------------------------------------------------------------------------------------


class CdxError(RuntimeError):
    """The CDX server could not answer (after retries): the backfill cannot list captures."""


@dataclass(frozen=True)
class CdxRow:
    urlkey: str
    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str
    statuscode: str
    digest: str

    @property
    def day(self) -> str:
        t = self.timestamp
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}"


def cdx_query(
    client: HTTPClient,
    cdx_url: str,
    domain: str,
    date_from: date,
    date_to: date,
    *,
    page_rows: int = CDX_PAGE_ROWS,
) -> Iterator[CdxRow]:
    """Every 200 text/html capture under `domain`, one per URL, in [date_from, date_to],
    following `showResumeKey` resume keys from page to page."""
    params: list[tuple[str, str]] = [
        ("url", f"{domain}/*"),
        ("output", "json"),
        ("from", date_from.strftime("%Y%m%d")),
        ("to", date_to.strftime("%Y%m%d")),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("collapse", "urlkey"),
        ("fl", "urlkey,timestamp,original,mimetype,statuscode,digest"),
        ("limit", str(page_rows)),
        ("showResumeKey", "true"),
    ]
    resume: str | None = None
    pages = 0
    while True:
        query = params + ([("resumeKey", resume)] if resume else [])
        url = f"{cdx_url}?{urlencode(query)}"
        try:
            status, _, body, _ = client.get(url)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise CdxError(f"CDX query {url} failed: {exc}") from exc
        if status != 200:
            raise CdxError(f"CDX query {url} answered HTTP {status}: {body[:200]!r}")
        pages += 1
        rows, resume = parse_cdx_json(body)
        log.info("CDX %s page %d: %d rows%s", domain, pages, len(rows),
                 " (more to come)" if resume else "")
        yield from rows
        if not resume:
            return


def parse_cdx_json(body: bytes) -> tuple[list[CdxRow], str | None]:
    """Rows of a JSON CDX answer (a header row first) and the resume key, if any.

    With showResumeKey the last two entries are an empty row and `[resume_key]`.
    """
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None  # the server answers an empty body when nothing matches
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CdxError(f"CDX answer is not JSON: {text[:200]!r}") from exc
    if not isinstance(data, list) or not data:
        return [], None
    header = [str(h) for h in data[0]]
    resume: str | None = None
    body_rows = data[1:]
    if len(body_rows) >= 2 and body_rows[-2] == [] and len(body_rows[-1]) == 1:
        resume = str(body_rows[-1][0])
        body_rows = body_rows[:-2]
    rows = []
    for raw in body_rows:
        if not raw:
            continue
        rec = dict(zip(header, raw, strict=False))
        rows.append(
            CdxRow(
                urlkey=str(rec.get("urlkey", "")),
                timestamp=str(rec.get("timestamp", "")),
                original=str(rec.get("original", "")),
                mimetype=str(rec.get("mimetype", "")),
                statuscode=str(rec.get("statuscode", "")),
                digest=str(rec.get("digest", "")),
            )
        )
    return rows, resume


# --- replay and archive -------------------------------------------------------------------------


def replay_url(prefix: str, timestamp: str, original: str) -> str:
    return f"{prefix.rstrip('/')}/{timestamp}id_/{original}"


@dataclass
class Fetched:
    row: CdxRow
    status: int
    headers: dict[str, str]
    body: bytes
    replay: str  # the URL the bytes came from (after the archive's redirects)
    error: str | None = None
    refused: bool = False  # the network guard refused the archive's address

    @property
    def transient(self) -> bool:
        """A failure that may pass: no answer at all (network) or a 5xx/429. A 404 or a
        refusal by the network guard will be the same next time."""
        return bool(self.error) and not self.refused and (
            self.status == 0 or self.status >= 500 or self.status == 429
        )


def fetch_capture(client: HTTPClient, prefix: str, row: CdxRow) -> Fetched:
    url = replay_url(prefix, row.timestamp, row.original)
    try:
        status, headers, body, final = client.get(url)
    except Refused as exc:
        return Fetched(row, 0, {}, b"", url, error=str(exc), refused=True)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        return Fetched(row, 0, {}, b"", url, error=f"fetch failed: {exc}")
    error = None if 200 <= status < 300 else f"HTTP {status} from the archive"
    return Fetched(row, status, headers, body, final, error=error)


_HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive", "content-length"}


class RawWriter:
    """Writes fetched captures to raw/ WARC files of RAW_FILE_CAPTURES captures each."""

    def __init__(self, store: Any, site: Site, day: str, run_id: str):
        self.store, self.site, self.day, self.run_id = store, site, day, run_id
        self.n = 0

    def write(self, captures: list[Fetched]) -> str:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        fd, path = tempfile.mkstemp(suffix=".warc.gz", prefix="newsmill-wb-")
        try:
            with os.fdopen(fd, "wb") as fh:
                writer = WARCWriter(fh, gzip=True, warc_version="1.1")
                for cap in captures:
                    self._write_one(writer, cap, StatusAndHeaders)
            key = self._next_key()
            self.store.put_file(key, path)
            return key
        finally:
            os.unlink(path)

    def _next_key(self) -> str:
        # Never overwrite a file an earlier attempt of this run wrote.
        while True:
            self.n += 1
            key = raw_key(self.site.name, self.day, f"{self.run_id}-wb", self.n)
            if not self.store.exists(key):
                return key

    def _write_one(self, writer: Any, cap: Fetched, sah: Any) -> None:
        row = cap.row
        # WARC-Date is when the archive captured the page: that is the fetch the record is of.
        ts = datetime.strptime(row.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
        warc_date = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = [(k, v) for k, v in cap.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers.append(("Content-Length", str(len(cap.body))))
        http_headers = sah(f"{cap.status} OK", headers, protocol="HTTP/1.1")
        resp = writer.create_warc_record(
            row.original, "response", payload=BytesIO(cap.body), length=len(cap.body),
            http_headers=http_headers,
            warc_headers_dict={
                "WARC-Date": warc_date,
                H_SITE: self.site.name,
                H_SOURCE: SOURCE,
                H_KIND: KIND_ARTICLE,
                H_REPLAY_URL: cap.replay,
                H_ARCHIVE_TIMESTAMP: row.timestamp,
            },
        )
        parts = urlsplit(row.original)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req = writer.create_warc_record(
            row.original, "request", payload=BytesIO(b""), length=0,
            http_headers=sah(f"GET {target} HTTP/1.1",
                             [("Host", parts.netloc), ("User-Agent", self.site.user_agent)],
                             protocol="HTTP/1.1", is_http_request=True),
            warc_headers_dict={"WARC-Date": warc_date},
        )
        writer.write_request_response_pair(req, resp)


# --- the backfill ---------------------------------------------------------------------------------


@dataclass
class WaybackPlan:
    """What the CDX index offered for one site."""

    rows: list[CdxRow] = field(default_factory=list)  # article captures to fetch
    skipped: dict[str, int] = field(default_factory=dict)


def plan_captures(
    client: HTTPClient, cdx_url: str, site: Site, date_from: date, date_to: date,
    *, page_rows: int = CDX_PAGE_ROWS,
) -> WaybackPlan:
    plan = WaybackPlan()
    seen: set[str] = set()
    for domain in site.domains:
        for row in cdx_query(client, cdx_url, domain, date_from, date_to, page_rows=page_rows):
            # Two domains of one site (www. and bare) give the same urlkey: one capture each.
            if row.urlkey in seen:
                continue
            seen.add(row.urlkey)
            host = (urlsplit(row.original).hostname or "").lower()
            if not site.owns_host(host):
                plan.skipped["other hosts"] = plan.skipped.get("other hosts", 0) + 1
            elif not site.is_article_url(row.original):
                plan.skipped["not article URLs"] = plan.skipped.get("not article URLs", 0) + 1
            else:
                plan.rows.append(row)
    return plan


def fetch_all(
    client: HTTPClient, prefix: str, rows: list[CdxRow], concurrency: int
) -> Iterator[Fetched]:
    """Replay fetches, `concurrency` at a time (the client spaces their starts), in order."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        window = max(1, concurrency) * 2
        futures = []
        it = iter(rows)
        for row in it:
            futures.append(pool.submit(fetch_capture, client, prefix, row))
            if len(futures) >= window:
                break
        while futures:
            done = futures.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                futures.append(pool.submit(fetch_capture, client, prefix, nxt))
            yield done.result()


LEDGER = "state/backfill-wayback"


def _ledger_prefix(site: str) -> str:
    return f"{LEDGER}/site={site}/fetched/"


def load_fetched(store: Any, site: str) -> set[tuple[str, str]]:
    """(timestamp, original URL) of every capture an earlier run archived and processed."""
    done: set[tuple[str, str]] = set()
    for key in store.list(_ledger_prefix(site)):
        for line in store.get(key).decode("utf-8").splitlines():
            ts, _, url = line.partition(" ")
            if ts and url:
                done.add((ts, url))
    return done


@dataclass
class WaybackResult:
    results: list[Any] = field(default_factory=list)  # ProcessResult per raw file
    raw_keys: list[str] = field(default_factory=list)
    failure: str | None = None  # the backfill could not work at all (CDX down, every fetch failed)
    fetched: int = 0
    failed: int = 0
    retryable: int = 0  # of `failed`: a network error, 5xx or 429, which may pass


def backfill_wayback(
    store: Any,
    site: Site,
    *,
    allow_private_networks: Iterable[str],
    date_from: date,
    date_to: date,
    cdx_url: str,
    replay_prefix: str,
    run_id: str,
    today: str,
    coverage: SiteCoverage,
    lock: Callable[[], Any],
    sites: dict[str, Site],
    workers: int | None = None,
    backoff: float = 1.0,
    page_rows: int = CDX_PAGE_ROWS,
    file_captures: int = RAW_FILE_CAPTURES,
) -> WaybackResult:
    """List, fetch, archive and process `site`'s captures; see the module docstring."""
    from newsmill.pipeline.app.process import process_batches, raw_batch
    from newsmill.pipeline.backfill.coverage import PageTracker

    out = WaybackResult()
    client = HTTPClient(NetworkGuard(allow_private_networks), user_agent=site.user_agent,
                        delay=site.delay, concurrency=site.concurrency, backoff=backoff)
    try:
        plan = plan_captures(client, cdx_url, site, date_from, date_to, page_rows=page_rows)
    except (CdxError, Refused) as exc:
        out.failure = str(exc)
        log.error("wayback backfill site=%s: %s", site.name, exc)
        return out
    for why, n in plan.skipped.items():
        coverage.skip(why, n)
    already = load_fetched(store, site.name)
    todo = [r for r in plan.rows if (r.timestamp, r.original) not in already]
    if len(todo) < len(plan.rows):
        coverage.skip("archived by an earlier run", len(plan.rows) - len(todo))
    log.info("wayback site=%s: %d article captures listed, %d to fetch", site.name,
             len(plan.rows), len(todo))
    tracker = PageTracker(coverage)
    writer = RawWriter(store, site, today, run_id)
    pending: list[Fetched] = []

    def archive_and_process() -> None:
        if not pending:
            return
        # Under the lease: a concurrent `newsmill process` must not see the raw file before
        # this run has processed it with the date filter.
        with lock():
            key = writer.write(pending)
            batch = raw_batch(store, key)
            batch.keep = tracker.keep
            out.results.append(process_batches(store, [batch], sites=sites, workers=workers))
            ledger = "".join(f"{f.row.timestamp} {f.row.original}\n" for f in pending)
            store.put(f"{_ledger_prefix(site.name)}{run_id}-{writer.n:05d}.txt",
                      ledger.encode("utf-8"))
        tracker.settle(store, [batch.articles_key])
        out.raw_keys.append(key)
        pending.clear()

    for fetched in fetch_all(client, replay_prefix, todo, site.concurrency):
        row = fetched.row
        if fetched.error:
            out.failed += 1
            out.retryable += fetched.transient
            coverage.count(row.day, "failed")
            coverage.errors.append(f"{row.original} ({row.timestamp}): {fetched.error}")
            log.warning("wayback capture failed url=%s site=%s timestamp=%s: %s",
                        row.original, site.name, row.timestamp, fetched.error)
            continue
        out.fetched += 1
        pending.append(fetched)
        if len(pending) >= file_captures:
            archive_and_process()
    archive_and_process()
    # Lost captures are reported, not fatal; nothing served at all (and nothing from an
    # earlier run either) means the replay side is down or refusing us.
    if todo and not out.fetched and len(todo) == len(plan.rows):
        out.failure = f"every one of {len(todo)} captures failed to fetch from {replay_prefix}"
    return out
