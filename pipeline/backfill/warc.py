"""Backfill from WARC collections (CC-NEWS and the like): stream the files, ingest one site.

Inputs are WARC or ARC files, gzipped per record or plain, given as local paths, `s3://` URIs
(boto3, the same AWS settings as the store) or `http(s)://` URLs (through the network guard), or
`*.paths` / `*.paths.gz` listings of such files as Common Crawl publishes (`warc.paths.gz`;
relative entries resolve against the listing's host or bucket root, or for a local listing its
directory and then its parents).

A file is read as one stream, record by record, and never stored: memory holds one record
(bodies are cut at the extractor's size limit) plus a read buffer, whatever the file's size. A
read that fails mid-file is resumed with a range request from the byte it stopped at.

Which records: `response` records (ARC records read as responses) with a 2xx status whose host
is one of the site's `domains` and whose URL matches `article_urls` (every page of the site
when it has none), as in a crawl. Requests, metadata and warcinfo records are passed over;
revisits are counted and skipped (they carry no body). Each becomes a Capture with
`source = backfill-warc` and `raw_ref = <file>#<record offset>` (the original file: nothing is
copied into raw/), and goes through `pipeline.app.process.process_batches`, the one extract /
normalise / dedup path. After extraction a page is kept when its date is in [from, to]: the
published date the page states, else the capture's WARC-Date. Others are dropped, counted as
out of range.

Resumability: a file is cut into slices of SLICE_RECORDS records or SLICE_BYTES bytes, whichever
comes first, each slice a Batch with deterministic outputs:

    articles/site=S/date=D/bf-<sha1(file)[:12]>-<n>.parquet
    quarantine/date=D/S-bf-<sha1(file)[:12]>-<n>.jsonl
    state/backfill-warc/site=S/<sha1(file)>/slice-<n>.json       where slice n starts and ends
    state/backfill-warc/site=S/<sha1(file)>/done/<from>_<to>/<n>  written once its outputs are in

D, the ingestion date, is the date of the first backfill run that read the file for the site
(kept in `.../date`), so a run resumed the next day rewrites the same keys instead of adding a
second copy under a new date. A rerun skips the slices done for its range, seeking straight to
the first one that is not (a range request for S3 and HTTP). A run for another range rewrites a
slice with the union of its range and the ranges already done for that slice, so the records
published earlier stay (and are not counted again).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from newsmill.pipeline.app.process import Batch, ProcessResult, process_batches
from newsmill.pipeline.backfill.coverage import PageTracker, SiteCoverage, day_of
from newsmill.pipeline.backfill.wayback import MAX_BODY, HTTPClient, Refused
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture, http_parts
from newsmill.storage import KeyNotFound, Store

log = logging.getLogger(__name__)

SOURCE = "backfill-warc"
SLICE_RECORDS = 2000
SLICE_BYTES = 64 * 1024 * 1024
READ_RETRIES = 5
# Hold the store's processing lease at most this long before letting other runs in; the
# stream stays open meanwhile.
LOCK_HOLD_SECONDS = 600.0
STATE = "state/backfill-warc"


class SourceError(RuntimeError):
    """A WARC file or listing cannot be read at all (missing, denied, refused)."""


# --- opening files, streamed --------------------------------------------------------------------


class _Opened:
    """A byte stream of a file from `offset` on: the body, and where it really starts (a server
    that ignores range requests starts at 0)."""

    def __init__(self, fh: Any, start: int, length: int | None = None):
        self.fh = fh
        self.start = start
        # Bytes the server promised: a connection that ends sooner ended early (http.client
        # reports that as a plain end of file).
        self.end = start + length if length is not None else None


class ResumableStream:
    """A read-only stream over a local file, an S3 object or an HTTP resource, from `offset`.

    `tell()` is the absolute position, so warcio's record offsets are file offsets. A failed
    read is retried by reopening at the current position, up to READ_RETRIES times in a row.
    """

    def __init__(self, uri: str, offset: int, opener: Callable[[int], _Opened]):
        self.uri = uri
        self.pos = offset
        self._opener = opener
        self._fh: Any = None
        self._end: int | None = None
        self._eof = False

    def _open(self) -> None:
        opened = self._opener(self.pos)
        skip = self.pos - opened.start
        fh = opened.fh
        while skip > 0:  # no range support: read up to where we were
            chunk = fh.read(min(skip, 1 << 20))
            if not chunk:
                raise SourceError(f"{self.uri}: shorter than {self.pos} bytes on reopening")
            skip -= len(chunk)
        self._fh = fh
        self._end = opened.end

    def read(self, size: int = -1) -> bytes:
        if self._eof:
            return b""
        failures = 0
        while True:
            try:
                if self._fh is None:
                    self._open()
                data: bytes = self._fh.read(size if size is not None and size >= 0 else 1 << 20)
                if not data and self._end is not None and self.pos < self._end:
                    raise ConnectionError(f"connection closed {self._end - self.pos} bytes early")
                break
            except (SourceError, Refused, KeyNotFound):
                raise
            except Exception as exc:  # network errors come in many types (socket, botocore...)
                failures += 1
                self._close_fh()
                if failures > READ_RETRIES:
                    raise SourceError(f"{self.uri}: read failed at byte {self.pos}: {exc}") from exc
                log.warning("reading %s failed at byte %d (%s); reopening", self.uri, self.pos, exc)
                time.sleep(min(0.5 * 2 ** (failures - 1), 10.0))
        if not data:
            self._eof = True
        self.pos += len(data)
        return data

    def tell(self) -> int:
        return self.pos

    def _close_fh(self) -> None:
        if self._fh is not None:
            # Closing a broken connection may fail too; there is nothing to keep.
            with contextlib.suppress(Exception):
                self._fh.close()
            self._fh = None

    def close(self) -> None:
        self._close_fh()


def _s3_client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                            connect_timeout=10, read_timeout=120))


def _s3_opener(uri: str, client: Any) -> Callable[[int], _Opened]:
    from botocore.exceptions import ClientError

    parts = urlsplit(uri)
    bucket, key = parts.netloc, parts.path.lstrip("/")

    def opener(offset: int) -> _Opened:
        kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if offset:
            kwargs["Range"] = f"bytes={offset}-"
        try:
            obj = client.get_object(**kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code == "InvalidRange":
                return _Opened(_Empty(), offset)  # resuming exactly at the end
            if code in ("NoSuchKey", "404", "NoSuchBucket", "AccessDenied", "403"):
                raise SourceError(f"{uri}: {code}") from exc
            raise
        return _Opened(obj["Body"], offset, obj.get("ContentLength"))

    return opener


class _Empty:
    def read(self, size: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _http_opener(uri: str, client: HTTPClient) -> Callable[[int], _Opened]:
    def opener(offset: int) -> _Opened:
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            resp = client.open(uri, headers)
        except Refused as exc:
            raise SourceError(f"{uri}: {exc}") from exc
        status = resp.status
        if status == 416:
            resp.close()
            return _Opened(_Empty(), offset)
        length = resp.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        if status == 206:
            return _Opened(resp, offset, size)
        if status == 200:
            return _Opened(resp, 0, size)
        resp.close()
        if 400 <= status < 500:
            raise SourceError(f"{uri}: HTTP {status}")
        raise urllib.error.URLError(f"HTTP {status}")  # 5xx after retries: let the caller retry

    return opener


def _local_opener(path: str) -> Callable[[int], _Opened]:
    def opener(offset: int) -> _Opened:
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed by ResumableStream
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from exc
        fh.seek(offset)
        return _Opened(fh, offset)

    return opener


@dataclass
class Sources:
    """How to reach files: the guarded HTTP client and (made on first use) an S3 client."""

    http: HTTPClient
    _s3: Any = None

    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = _s3_client()
        return self._s3

    def open(self, uri: str, offset: int = 0) -> ResumableStream:
        scheme = urlsplit(uri).scheme
        opener: Callable[[int], _Opened]
        if scheme == "s3":
            opener = _s3_opener(uri, self.s3())
        elif scheme in ("http", "https"):
            opener = _http_opener(uri, self.http)
        elif scheme in ("", "file") or len(scheme) == 1:  # a path (or a Windows drive letter)
            opener = _local_opener(local_path(uri))
        else:
            raise SourceError(f"{uri}: unsupported scheme {scheme!r} (use a path, s3:// or "
                              "http(s)://)")
        return ResumableStream(uri, offset, opener)

    def exists_locally(self, path: str) -> bool:
        return os.path.exists(path)


def local_path(uri: str) -> str:
    return urlsplit(uri).path if uri.startswith("file://") else uri


def canonical_uri(uri: str) -> str:
    """The name a file is known by in raw_ref and state: absolute for local paths."""
    scheme = urlsplit(uri).scheme
    if scheme in ("", "file") or len(scheme) == 1:
        return os.path.abspath(local_path(uri))
    return uri


def is_listing(uri: str) -> bool:
    name = urlsplit(uri).path.rsplit("/", 1)[-1]
    return name.endswith(".paths") or name.endswith(".paths.gz")


def expand_inputs(inputs: list[str], sources: Sources) -> list[str]:
    """File names, with listings replaced by the files they list (streamed, never stored)."""
    out: list[str] = []
    for uri in inputs:
        if not is_listing(uri):
            out.append(canonical_uri(uri))
            continue
        stream: IO[bytes] | ResumableStream = sources.open(uri)
        try:
            fh: Any = gzip.GzipFile(fileobj=stream) if uri.endswith(".gz") else stream  # type: ignore[arg-type]
            for line in _lines(fh):
                entry = line.strip()
                if entry and not entry.startswith("#"):
                    out.append(resolve_entry(uri, entry, sources))
        finally:
            stream.close()
    return out


def _lines(fh: Any) -> Iterator[str]:
    buf = b""
    while True:
        chunk = fh.read(1 << 16)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", "replace")
    if buf:
        yield buf.decode("utf-8", "replace")


def resolve_entry(listing: str, entry: str, sources: Sources) -> str:
    parts = urlsplit(entry)
    if parts.scheme and len(parts.scheme) > 1:
        return entry
    if os.path.isabs(entry):
        return entry
    lp = urlsplit(listing)
    if lp.scheme in ("http", "https", "s3"):
        # Common Crawl's listings name keys from the root of the bucket / the data host.
        return f"{lp.scheme}://{lp.netloc}/{entry}"
    base = os.path.dirname(os.path.abspath(local_path(listing)))
    candidate = os.path.join(base, entry)
    probe = base
    while not sources.exists_locally(os.path.join(probe, entry)):
        parent = os.path.dirname(probe)
        if parent == probe:
            return candidate  # reported as missing when read
        probe = parent
    return os.path.join(probe, entry)


# --- reading one file as slices -------------------------------------------------------------------


def file_digest(uri: str) -> str:
    return hashlib.sha1(uri.encode("utf-8")).hexdigest()


def _iso_warc_date(value: str | None) -> str:
    if not value:
        return ""
    return value.split(".")[0].rstrip("Z")[:19] + "Z"


@dataclass
class FileState:
    """What the store says about one (site, file): its ingestion date, slices, what is done."""

    prefix: str
    day: str
    slices: dict[int, tuple[int, int]] = field(default_factory=dict)  # n -> (start, end)
    done: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # n -> ranges done

    @classmethod
    def load(cls, store: Store, site: str, uri: str, today: str) -> FileState:
        prefix = f"{STATE}/site={site}/{file_digest(uri)}/"
        store.put_if_absent(prefix + "date", today.encode())
        day = store.get(prefix + "date").decode().strip() or today
        state = cls(prefix=prefix, day=day)
        for key in store.list(prefix):
            rest = key[len(prefix):]
            if rest.startswith("slice-") and rest.endswith(".json"):
                info = json.loads(store.get(key))
                state.slices[int(rest[6:-5])] = (int(info["start"]), int(info["end"]))
            elif rest.startswith("done/"):
                _, span, n = rest.split("/")
                first, _, last = span.partition("_")
                state.done.setdefault(int(n), set()).add((first, last))
        return state

    def slice_key(self, n: int) -> str:
        return f"{self.prefix}slice-{n:06d}.json"

    def done_key(self, n: int, date_from: str, date_to: str) -> str:
        return f"{self.prefix}done/{date_from}_{date_to}/{n:06d}"

    def resume_point(self, span: tuple[str, str]) -> tuple[int, int]:
        """(first slice not done for `span`, its start offset), jumping over the done prefix."""
        n, offset = 0, 0
        while span in self.done.get(n, set()) and n in self.slices:
            offset = self.slices[n][1]
            n += 1
        return n, offset


@dataclass
class WarcContext:
    store: Store
    site: Site
    date_from: date
    date_to: date
    sources: Sources
    coverage: SiteCoverage
    # Read when the context is made (not at import), so tests can make slices small.
    slice_records: int = field(default_factory=lambda: SLICE_RECORDS)
    slice_bytes: int = field(default_factory=lambda: SLICE_BYTES)


class WarcFileReader:
    """One file, read once from its resume point, handed out as consecutive slice Batches."""

    def __init__(self, ctx: WarcContext, uri: str, state: FileState, tracker: PageTracker):
        self.ctx, self.uri, self.state, self.tracker = ctx, uri, state, tracker
        self.span = (ctx.date_from.isoformat(), ctx.date_to.isoformat())
        self.n, self.offset = state.resume_point(self.span)
        self.skipped_slices = self.n
        self.stream: ResumableStream | None = None
        self.archive: ArchiveIterator | None = None
        self.records: Iterator[Any] | None = None
        self.exhausted = False
        self.error: str | None = None  # the file could not be read to its end (retry later)
        self.articles_keys: list[str] = []
        self.slices_read = 0

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    def batches(self, deadline: float) -> Iterator[Batch]:
        """Slices from the current position until the file ends or `deadline` passes."""
        first = True  # at least one slice per call, however short the time given
        while not self.exhausted and self.error is None and (
            first or time.monotonic() < deadline
        ):
            first = False
            n = self.n
            if self.span in self.state.done.get(n, set()):
                # Done, but not in the prefix a seek could jump over: read through it. No Batch:
                # an empty batch would delete the records the slice already published.
                for _ in self._captures(n, skip=True):
                    pass
                self.skipped_slices += 1
            else:
                yield self._batch(n)
            self.n += 1

    def _batch(self, n: int) -> Batch:
        tag = f"bf-{file_digest(self.uri)[:12]}-{n:05d}"
        site, day = self.ctx.site.name, self.state.day
        # Ranges done earlier for this slice: their records are rewritten with the slice.
        earlier = tuple(r for r in self.state.done.get(n, set()) if r != self.span)
        tracker = self.tracker

        def keep(cap: Capture, article: Any) -> bool:
            return tracker.keep(cap, article, earlier)

        batch = Batch(
            name=f"{self.uri} slice {n}",
            site=site,
            date=day,
            articles_key=f"articles/site={site}/date={day}/{tag}.parquet",
            quarantine_key=f"quarantine/date={day}/{site}-{tag}.jsonl",
            captures=lambda: self._captures(n, skip=False),
            done_key=self.state.done_key(n, *self.span),
            keep=keep,
        )
        self.articles_keys.append(batch.articles_key)
        return batch

    def _next_record(self) -> Any:
        if self.records is None:
            self.stream = self.ctx.sources.open(self.uri, self.offset)
            # arc2warc: ARC records then look like WARC responses (WARC-Date, Target-URI).
            self.archive = ArchiveIterator(self.stream, arc2warc=True)
            self.records = iter(self.archive)
        return next(self.records)

    def _captures(self, n: int, skip: bool) -> Iterator[Capture]:
        """The candidate pages of slice `n`; the slice ends at the size limits."""
        ctx, cov = self.ctx, self.ctx.coverage
        start = self.offset
        count = 0
        while True:
            try:
                rec = self._next_record()
            except StopIteration:
                self.exhausted = True
                break
            except (SourceError, Refused) as exc:
                # Could not reach or keep reading the file: stop here, mark nothing, so a
                # rerun starts again from this slice.
                self._fail(str(exc))
                return
            except Exception as exc:
                # Not a WARC past this point: what was read stays, the rest is reported (and
                # quarantined as corrupt input by process_batches).
                self.exhausted = True
                self._save_slice(n, start, self.offset, count)
                cov.errors.append(f"{self.uri}: unreadable at byte {self.offset}: {exc}")
                raise SourceError(f"unreadable at byte {self.offset}: {exc}") from exc
            assert self.archive is not None
            count += 1
            rec_offset = self.archive.offset  # where this record starts
            capture = None if skip else self._candidate(rec, rec_offset)
            try:
                self.archive.read_to_end()
            except (SourceError, Refused) as exc:
                self._fail(str(exc))
                return
            self.offset = self.archive.offset  # where the next record starts
            if getattr(rec.raw_stream, "limit", 0) > 0:
                # The file ended inside this record (an interrupted download or copy).
                self.exhausted = True
                self._save_slice(n, start, self.offset, count)
                url = _target(rec)
                msg = f"truncated record at byte {rec_offset} ({url or rec.rec_type})"
                log.warning("%s: %s site=%s", self.uri, msg, ctx.site.name)
                cov.errors.append(f"{self.uri}: {msg}")
                if capture is not None:
                    day = day_of(capture.fetched_at)
                    if day is not None and cov.in_range(day):
                        cov.count(day, "quarantined")
                    raise SourceError(msg)  # quarantined by process_batches; the rest is kept
                return
            if capture is not None:
                yield capture
            if count >= ctx.slice_records or self.offset - start >= ctx.slice_bytes:
                break
        self._save_slice(n, start, self.offset, count)

    def _fail(self, message: str) -> None:
        self.error = message
        log.error("backfill-warc: %s site=%s", message, self.ctx.site.name)

    def _save_slice(self, n: int, start: int, end: int, count: int) -> None:
        self.state.slices[n] = (start, end)
        self.slices_read += 1
        info = {"file": self.uri, "start": start, "end": end, "records": count}
        self.ctx.store.put(self.state.slice_key(n), json.dumps(info).encode())

    def _candidate(self, rec: Any, offset: int) -> Capture | None:
        cov, site = self.ctx.coverage, self.ctx.site
        if rec.rec_type != "response":
            if rec.rec_type == "revisit":
                cov.skip("revisit records")
            return None
        url = _target(rec)
        host = (urlsplit(url).hostname or "").lower()
        if not site.owns_host(host):
            cov.skip("other sites")
            return None
        if not site.is_article_url(url):
            cov.skip("not article URLs")
            return None
        status, content_type, headers = http_parts(rec)
        if not 200 <= status < 300:
            cov.skip(f"HTTP {status}")
            return None
        fetched_at = _iso_warc_date(rec.rec_headers.get_header("WARC-Date"))
        try:
            body = _read_capped(rec.content_stream(), MAX_BODY + 1)
        except Exception as exc:  # a body that will not decode (bad gzip, bad chunking)
            day = day_of(fetched_at)
            if day is not None and cov.in_range(day):
                cov.count(day, "quarantined")
            cov.errors.append(f"{url}: body unreadable at {self.uri}#{offset}: {exc}")
            log.warning("unreadable body url=%s site=%s at %s#%d: %s", url, site.name,
                        self.uri, offset, exc)
            return None
        return Capture(
            url=url,
            status=status,
            content_type=content_type,
            body=body,
            fetched_at=fetched_at,
            site=site.name,
            source=SOURCE,
            kind=KIND_ARTICLE,
            raw_ref=f"{self.uri}#{offset}",
            headers=headers,
        )


def _target(rec: Any) -> str:
    url = rec.rec_headers.get_header("WARC-Target-URI") or ""
    # WARC/1.0 examples (and some writers) wrap the URI in angle brackets.
    return url.strip().removeprefix("<").removesuffix(">")


def _read_capped(stream: Any, limit: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < limit:
        chunk = stream.read(min(1 << 16, limit - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


# --- the backfill ---------------------------------------------------------------------------------


@dataclass
class WarcBackfillResult:
    results: list[ProcessResult] = field(default_factory=list)
    coverage: SiteCoverage | None = None
    failures: list[str] = field(default_factory=list)  # files that could not be read to the end
    files: list[dict[str, Any]] = field(default_factory=list)


Locker = Callable[[], Any]  # a context manager factory: the store's processing lease


def backfill_warc(
    ctx: WarcContext,
    inputs: list[str],
    *,
    sites: dict[str, Site],
    today: str,
    lock: Locker,
    workers: int | None = None,
    lock_hold_seconds: float | None = None,
) -> WarcBackfillResult:
    """Ingest `ctx.site`'s pages from every file in `inputs`; see the module docstring."""
    hold = LOCK_HOLD_SECONDS if lock_hold_seconds is None else lock_hold_seconds
    out = WarcBackfillResult(coverage=ctx.coverage)
    tracker = PageTracker(ctx.coverage)
    try:
        files = expand_inputs(inputs, ctx.sources)
    except (SourceError, Refused) as exc:
        out.failures.append(str(exc))
        return out
    for uri in files:
        state = FileState.load(ctx.store, ctx.site.name, uri, today)
        reader = WarcFileReader(ctx, uri, state, tracker)
        log.info("backfill-warc %s site=%s: from slice %d (byte %d)", uri, ctx.site.name,
                 reader.n, reader.offset)
        try:
            while not reader.exhausted and reader.error is None:
                # The lease is taken per stretch of slices, so a long download does not keep
                # scheduled processing waiting (nor look abandoned to other machines).
                with lock():
                    deadline = time.monotonic() + hold
                    result = process_batches(ctx.store, reader.batches(deadline), sites=sites,
                                             workers=workers)
                out.results.append(result)
                tracker.settle(ctx.store, reader.articles_keys)
                reader.articles_keys.clear()
        finally:
            reader.close()
        if reader.error:
            out.failures.append(reader.error)
        out.files.append({
            "file": uri, "ingestion_date": state.day, "slices_read": reader.slices_read,
            "slices_skipped": reader.skipped_slices, "complete": reader.error is None,
        })
    return out
