"""What the WARC archive tells the rest of the crawl once a file is safely in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Sent after a WARC file is in the store: key=str, entries=list[LedgerEntry].
warc_uploaded = object()


@dataclass(frozen=True)
class LedgerEntry:
    """A 2xx article response inside an uploaded WARC file."""

    url: str  # the URL the spider discovered and asked for (tracking stripped)
    fetched_at: str  # ISO 8601 UTC
    modified: str | None  # newest date its feed/sitemap entry gave, ISO 8601 UTC


def newest(hints: dict[str, Any]) -> str | None:
    """The latest of the ISO dates in `hints` (one format, so they compare as strings)."""
    keys = ("published", "modified", "discovered")
    stamps = [v for k in keys if isinstance(v := hints.get(k), str) and v]
    return max(stamps) if stamps else None
