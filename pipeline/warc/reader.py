"""The one WARC reader: records of a WARC (or ARC) stream with their file offsets.

Everything that reads archives goes through here: processing of raw/ files and `newsmill
extract` (`iter_captures`), the WARC backfill (`WarcReader`, record by record, resumable at a
record's offset) and the crawl's recovery of files a killed crawl left behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsmill.pipeline.warc.records import H_HINTS, H_KIND, H_SITE, H_SOURCE, Capture

__all__ = ["ArchiveLoadFailed", "WarcReader", "WarcRecord", "iter_captures", "warc_date_iso"]


def warc_date_iso(value: str | None) -> str:
    """A WARC-Date as ISO 8601 UTC to the second ('' when absent): sub-second precision is
    dropped so records built from it are stable."""
    if not value:
        return ""
    return value.split(".")[0].rstrip("Z")[:19] + "Z"


@dataclass
class WarcRecord:
    """One record, positioned in its file. `end` and `truncated` are known once the reader has
    finished the record (`WarcReader.finish`)."""

    raw: Any  # warcio's record
    offset: int  # where the record starts in the file
    end: int | None = None  # where the next record starts
    truncated: bool = False  # the file ended inside this record
    _hints: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def type(self) -> str:
        return str(self.raw.rec_type)

    def header(self, name: str) -> str | None:
        value = self.raw.rec_headers.get_header(name)
        return None if value is None else str(value)

    @property
    def target(self) -> str:
        url = self.header("WARC-Target-URI") or ""
        # WARC/1.0 examples (and some writers) wrap the URI in angle brackets.
        return url.strip().removeprefix("<").removesuffix(">")

    @property
    def fetched_at(self) -> str:
        return warc_date_iso(self.header("WARC-Date"))

    @property
    def hints(self) -> dict[str, Any]:
        """What a feed or sitemap said about the URL (Newsmill-Hints), {} when absent or bad."""
        if self._hints is None:
            parsed: Any = {}
            raw = self.header(H_HINTS)
            if raw:
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = {}
            self._hints = parsed if isinstance(parsed, dict) else {}
        return self._hints

    def http(self) -> tuple[int, str | None, dict[str, str]]:
        """Status, Content-Type and lower-cased headers (200, none and {} when the record
        carries no HTTP headers; a `resource` record's Content-Type is its WARC one)."""
        http = self.raw.http_headers
        if http is None:
            ctype = self.header("Content-Type") if self.type == "resource" else None
            return 200, ctype, {}
        code = http.get_statuscode()
        status = int(code) if code and code.isdigit() else 0
        headers = {k.lower(): v for k, v in http.headers}
        return status, http.get_header("Content-Type"), headers

    def body(self, limit: int | None = None) -> bytes:
        """The payload, Content-Encoding and chunking undone, read up to `limit` bytes (all of
        it when None). Raises on a body that will not decode."""
        stream = self.raw.content_stream()
        if limit is None:
            return bytes(stream.read())
        parts: list[bytes] = []
        got = 0
        while got < limit:
            chunk = stream.read(min(1 << 16, limit - got))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)


class WarcReader:
    """Records of one stream in file order. The stream's `tell()` must be the file position
    (a stream opened at an offset reports absolute positions), so offsets are file offsets.

    warcio's errors on a damaged file (ArchiveLoadFailed and others) propagate from `next`.
    """

    def __init__(self, stream: IO[bytes] | Any, *, arc: bool = False):
        # arc2warc: ARC records then look like WARC responses (WARC-Date, Target-URI).
        self._archive = ArchiveIterator(stream, arc2warc=arc)
        self._records = iter(self._archive)
        self._current: WarcRecord | None = None

    def next(self) -> WarcRecord | None:
        """The next record, None at the end of the file."""
        if self._current is not None:
            self.finish(self._current)
        try:
            raw = next(self._records)
        except StopIteration:
            return None
        self._current = WarcRecord(raw, int(self._archive.offset))
        return self._current

    def finish(self, record: WarcRecord) -> WarcRecord:
        """Read `record` to its end: sets where the next record starts, and whether the file
        ended inside this one (warcio hands back a short body for such a record, without a
        word). Idempotent."""
        if record.end is None:
            self._archive.read_to_end()
            record.end = int(self._archive.offset)
            record.truncated = getattr(record.raw.raw_stream, "limit", 0) > 0
        return record

    def __iter__(self) -> Iterator[WarcRecord]:
        while (record := self.next()) is not None:
            yield record


def iter_captures(stream: IO[bytes], key: str) -> Iterator[Capture]:
    """Responses (and resources) in a WARC stream, in file order, as Captures with
    `raw_ref = <key>#<offset>`. Raises warcio's errors on a corrupt file, and ValueError on a
    truncated record: a capture that is not whole is damage, not a page."""
    reader = WarcReader(stream)
    for record in reader:
        if record.type not in ("response", "resource"):
            continue
        status, content_type, headers = record.http()
        body = record.body()
        if reader.finish(record).truncated:
            raise ValueError(f"truncated record ({record.target})")
        yield Capture(
            url=record.header("WARC-Target-URI") or "",
            status=status,
            content_type=content_type,
            body=body,
            fetched_at=record.fetched_at,
            site=record.header(H_SITE),
            source=record.header(H_SOURCE),
            kind=record.header(H_KIND),
            raw_ref=f"{key}#{record.offset}",
            hints=record.hints,
            headers=headers,
        )
