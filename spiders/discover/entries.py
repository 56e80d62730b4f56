"""What a discovery document announced: article entries, child sitemaps, and the document itself.

Dates here are always aware UTC datetimes; `iso` is the one spelling of them that goes into
`Newsmill-Hints` and the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

VIA_FEED = "feed"
VIA_SITEMAP = "sitemap"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_day(dt: datetime) -> date:
    return dt.astimezone(UTC).date()


@dataclass(frozen=True)
class Entry:
    """One URL a feed or sitemap announced, with what it said about it."""

    url: str
    via: str  # "feed" | "sitemap"
    title: str | None = None
    published: datetime | None = None  # aware, UTC
    modified: datetime | None = None  # aware, UTC (feed `updated`, sitemap `lastmod`)
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    language: str | None = None

    @property
    def newest(self) -> datetime | None:
        """The latest date the document gave for this entry (what "changed since" compares)."""
        stamps = [d for d in (self.published, self.modified) if d is not None]
        return max(stamps) if stamps else None

    def hints(self) -> dict[str, Any]:
        """The `Newsmill-Hints` JSON object for this entry (ISO strings, absent keys omitted)."""
        out: dict[str, Any] = {"via": self.via}
        if self.title:
            out["title"] = self.title
        if self.published:
            out["published"] = iso(self.published)
        if self.modified:
            out["modified"] = iso(self.modified)
        if self.authors:
            out["authors"] = list(self.authors)
        if self.categories:
            out["categories"] = list(self.categories)
        if self.language:
            out["language"] = self.language
        return out


@dataclass(frozen=True)
class SitemapRef:
    """A child sitemap named by a sitemap index."""

    url: str
    lastmod: datetime | None = None


@dataclass
class Discovered:
    """What one discovery document contained."""

    kind: str  # "rss" | "atom" | "urlset" | "sitemapindex" | "text" | "unknown"
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[SitemapRef] = field(default_factory=list)
    error: str | None = None  # set when the document was malformed (entries may be partial)
