"""The one WARC writer: request + response record pairs with newsmill's headers, in rolling files.

Used by the crawl (spiders.archive.middleware) and the Wayback backfill
(pipeline.backfill.wayback). A file is gzipped per record, starts with a warcinfo record, and is
rolled (closed and handed to the caller for upload) after `max_responses` responses, when the
caller's day for it changes, and on `roll()`. Files are written to a local folder: uploading,
naming in the store and what to do with a file that could not be uploaded are the caller's
business.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newsmill.pipeline.warc.records import H_HINTS, H_KIND, H_SITE, H_SOURCE, raw_key
from newsmill.storage import Store

SOFTWARE = "newsmill (warcio)"
# Connection-level headers describe the hop, not the resource. The body is stored de-chunked,
# so a recorded `chunked` would make readers de-chunk it again; Content-Length is rewritten to
# the stored body's length.
_HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive", "content-length"}


@dataclass
class Exchange:
    """One HTTP fetch to archive: what was asked, what came back, and newsmill's labels."""

    url: str
    fetched_at: datetime
    status: int
    headers: list[tuple[str, str]]  # response headers as received
    body: bytes  # as received: still in its Content-Encoding
    site: str
    source: str
    kind: str
    hints: dict[str, Any] | None = None
    protocol: str = "HTTP/1.1"
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    ip_address: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # further WARC headers


def _status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"{status} {phrase}".strip()


def _response_http(ex: Exchange) -> StatusAndHeaders:
    headers = [(k, v) for k, v in ex.headers if k.lower() not in _HOP_BY_HOP]
    headers.append(("Content-Length", str(len(ex.body))))
    protocol = ex.protocol if ex.protocol.upper().startswith("HTTP/") else "HTTP/1.1"
    return StatusAndHeaders(_status_line(ex.status), headers, protocol=protocol)


def _request_http(ex: Exchange) -> StatusAndHeaders:
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{ex.method} {target} HTTP/1.1", headers, protocol="HTTP/1.1",
                            is_http_request=True)


def write_exchange(writer: WARCWriter, ex: Exchange) -> None:
    """Append `ex` as a request record and a response record that refer to each other."""
    when = ex.fetched_at.astimezone(UTC).replace(tzinfo=None)
    warc_date = datetime_to_iso_date(when, use_micros=bool(when.microsecond))
    warc_headers = {"WARC-Date": warc_date, H_SITE: ex.site, H_SOURCE: ex.source,
                    H_KIND: ex.kind}
    if ex.hints:
        # One line, ASCII only: WARC headers are single-line and not meant for UTF-8.
        warc_headers[H_HINTS] = json.dumps(ex.hints, ensure_ascii=True, sort_keys=True)
    if ex.ip_address is not None:
        warc_headers["WARC-IP-Address"] = ex.ip_address
    warc_headers.update(ex.extra)
    response = writer.create_warc_record(
        ex.url, "response", payload=BytesIO(ex.body), length=len(ex.body),
        http_headers=_response_http(ex), warc_headers_dict=warc_headers,
    )
    request = writer.create_warc_record(
        ex.url, "request", payload=BytesIO(ex.request_body), length=len(ex.request_body),
        http_headers=_request_http(ex), warc_headers_dict={"WARC-Date": warc_date},
    )
    writer.write_request_response_pair(request, response)


@dataclass
class WarcFile:
    """A local WARC file being written or rolled. `notes` is the caller's: what it wants to know
    about the file's records once the file is uploaded."""

    path: str
    day: str  # the caller's day for the file (the date in its store key)
    fh: IO[bytes] = field(repr=False)
    writer: WARCWriter = field(repr=False)
    responses: int = 0
    notes: list[Any] = field(default_factory=list)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


class _RecordGzip:
    """warcio's per-record gzip stream, at a level of our choosing instead of warcio's 9.

    Level 6 for plain payloads: on the 1,656 dev pages (270 MB of HTML) level 9 took 6.4-6.9 s
    of CPU and level 6 4.2-4.5 s, for files 0.7% larger (52.7 MB instead of 52.3 MB).
    Level 0 (stored) for a payload already content-encoded (gzip, br, ...), as most sites
    serve pages: deflating those 1,656 pages' gzip bodies (49.6 MB) took 0.68 s at level 6 for
    0.1% less, and 0.03 s stored; the reader's inflate is a copy too."""

    def __init__(self, out: Any, level: int):
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


def _record_level(record: Any) -> int:
    headers = getattr(record, "http_headers", None)
    encoding = headers.get_header("Content-Encoding") if headers is not None else None
    if encoding and encoding.strip().lower() not in ("identity", ""):
        return 0
    return 6


class _Writer(WARCWriter):
    """Made with gzip=False: each record goes through its own `_RecordGzip` stream instead of
    warcio's level-9 one (the only thing warcio's `gzip` flag switches)."""

    def _write_warc_record(self, out: Any, record: Any) -> Any:
        return super()._write_warc_record(_RecordGzip(out, _record_level(record)), record)


class RollingWarcWriter:
    """Writes exchanges to local WARC files in `folder`, named `<prefix><random>.warc.gz`,
    rolling them as the module docstring says. Rolled files wait in `rolled` until taken."""

    def __init__(self, folder: str, prefix: str, *, max_responses: int,
                 warcinfo: dict[str, str] | None = None):
        self.folder = folder
        self.prefix = prefix
        self.max_responses = max(1, max_responses)
        self.warcinfo = warcinfo or {}
        self.current: WarcFile | None = None
        self.rolled: list[WarcFile] = []

    def _open(self, day: str) -> WarcFile:
        os.makedirs(self.folder, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix=self.prefix, suffix=".warc.gz", dir=self.folder)
        fh = os.fdopen(fd, "wb")
        writer = _Writer(fh, gzip=False, warc_version="1.1")
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1", **self.warcinfo}
        writer.write_record(writer.create_warcinfo_record(os.path.basename(path), info))
        return WarcFile(path=path, day=day, fh=fh, writer=writer)

    def write(self, ex: Exchange, day: str) -> WarcFile:
        """Append `ex` to the file for `day` (rolling the current one if its day differs); the
        file written to is returned, already rolled if this filled it."""
        if self.current is not None and self.current.day != day:
            self.roll()
        if self.current is None:
            self.current = self._open(day)
        current = self.current
        write_exchange(current.writer, ex)
        current.responses += 1
        if current.responses >= self.max_responses:
            self.roll()
        return current

    def roll(self) -> None:
        """Close the current file: to `rolled` if it holds a response, else deleted."""
        current, self.current = self.current, None
        if current is None:
            return
        current.close()
        if current.responses:
            self.rolled.append(current)
        else:
            os.unlink(current.path)

    def take_rolled(self) -> list[WarcFile]:
        out, self.rolled = self.rolled, []
        return out

    def discard(self) -> None:
        """Close and delete every file not taken yet (the current one included)."""
        self.roll()
        for warc in self.take_rolled():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(warc.path)


def free_raw_key(store: Store, site: str, day: str, run_id: str, after: int) -> tuple[int, str]:
    """(n, key) of the first raw key numbered above `after` that is not in the store: an upload
    never overwrites, and a rerun under the same run id (an Airflow retry) continues the
    numbering."""
    n = after
    while True:
        n += 1
        key = raw_key(site, day, run_id, n)
        if not store.exists(key):
            return n, key
