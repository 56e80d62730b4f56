"""Where the WARC backfill's files come from: local paths, `s3://` and `http(s)://`, streamed.

`Sources.open` gives a read-only stream from any offset; a read that fails mid-file is resumed
by reopening at the byte it stopped at (a range request for S3 and HTTP). Listings (`*.paths`,
`*.paths.gz`, as Common Crawl publishes) expand to the files they list: relative entries resolve
against the listing's host or bucket root, or for a local listing its directory and then its
parents.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from newsmill.pipeline.backfill.http import FetchError, HTTPClient, Refused
from newsmill.storage import KeyNotFound

log = logging.getLogger(__name__)

READ_RETRIES = 5


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
        raise FetchError(f"{uri}: HTTP {status}")  # 5xx after retries: the stream retries

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
