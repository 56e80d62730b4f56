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

The one writer of such files is `pipeline.warc.writer`, the one reader `pipeline.warc.reader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
