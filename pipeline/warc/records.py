"""The raw archive contract: how crawled responses are stored as WARC and read back.

The crawler writes one WARC/1.1 `request` + `response` record pair per fetched URL. The response
record carries newsmill's own headers so that extraction can run later, from the archive alone:

- `Newsmill-Site`:   site name from the sites file
- `Newsmill-Source`: how the URL was found (feed, sitemap, link, backfill-sitemap, ...)
- `Newsmill-Kind`:   `article` (matches the site's article_urls) or `page` (feeds, sitemaps,
                      section pages, robots.txt): only articles are extracted
- `Newsmill-Hints`:  JSON object of what a feed or sitemap said about the URL (title,
                      published, modified, authors, language, categories); may be absent

Keys: raw/site=<site>/date=<YYYY-MM-DD>/<run_id>-<n>.warc.gz; a record is referenced as
`<key>#<offset>` (`raw_ref`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

H_SITE = "Newsmill-Site"
H_SOURCE = "Newsmill-Source"
H_KIND = "Newsmill-Kind"
H_HINTS = "Newsmill-Hints"

KIND_ARTICLE = "article"
KIND_PAGE = "page"


def raw_key(site: str, date: str, run_id: str, n: int) -> str:
    return f"raw/site={site}/date={date}/{run_id}-{n:05d}.warc.gz"


@dataclass
class Capture:
    """One archived HTTP response."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: str  # ISO 8601 UTC, from WARC-Date
    site: str | None
    source: str | None
    kind: str | None
    raw_ref: str
    hints: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _warc_date_to_iso(value: str | None) -> str:
    if not value:
        return ""
    # WARC-Date is already UTC ISO 8601; drop sub-second precision for stable records.
    base = value.split(".")[0].rstrip("Z")
    return base + "Z"


def http_parts(record: Any) -> tuple[int, str | None, dict[str, str]]:
    """Status, Content-Type and lower-cased headers of a warcio record (200 and none when the
    record carries no HTTP headers)."""
    if record.http_headers is None:
        return 200, None, {}
    code = record.http_headers.get_statuscode()
    status = int(code) if code and code.isdigit() else 0
    headers = {k.lower(): v for k, v in record.http_headers.headers}
    return status, record.http_headers.get_header("Content-Type"), headers


def iter_captures(stream: IO[bytes], key: str) -> Iterator[Capture]:
    """Responses in a WARC stream, in file order. Raises warcio's errors on a corrupt file, and
    ValueError on a truncated record."""
    records = ArchiveIterator(stream)
    for record in records:
        if record.rec_type not in ("response", "resource"):
            continue
        wh = record.rec_headers
        url = wh.get_header("WARC-Target-URI") or ""
        status, content_type, headers = http_parts(record)
        if record.http_headers is None and record.rec_type == "resource":
            content_type = wh.get_header("Content-Type")
        body = record.content_stream().read()
        # warcio hands back a short body, without a word, for a record cut off by the end of
        # a truncated file: a capture that is not whole is damage, not a page.
        if getattr(record.raw_stream, "limit", 0) > 0:
            raise ValueError(f"truncated record ({url})")
        # Only after the body is read: warcio's offset call reads the record to its end.
        offset = records.get_record_offset()
        hints: dict[str, Any] = {}
        raw_hints = wh.get_header(H_HINTS)
        if raw_hints:
            try:
                parsed = json.loads(raw_hints)
                if isinstance(parsed, dict):
                    hints = parsed
            except ValueError:
                hints = {}
        yield Capture(
            url=url,
            status=status,
            content_type=content_type,
            body=body,
            fetched_at=_warc_date_to_iso(wh.get_header("WARC-Date")),
            site=wh.get_header(H_SITE),
            source=wh.get_header(H_SOURCE),
            kind=wh.get_header(H_KIND),
            raw_ref=f"{key}#{offset}",
            hints=hints,
            headers=headers,
        )
