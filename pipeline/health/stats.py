"""One site's health figures for one ingestion day, gathered while its pages are processed.

A `SiteDayStats` is filled page by page by the processing loop (no second pass over the records)
and by the crawl's own counters, then saved small under state/health/ (pipeline.health.keeping).
Stats of the same site and day merge by addition, so a day is the sum of its batches and runs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

# The record fields whose fill rate is followed: the ones a downstream team notices missing.
FIELDS = ("title", "authors", "published_at", "description", "image", "language")
# Politeness counters summed across crawls (mean delay is derived, see `mean_delay`).
CRAWL_FIGURES = ("requests", "bytes", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
                 "status_429", "robots_refused", "seconds")
# Text lengths are kept as a histogram with buckets 10% wide: a day's median then costs a few
# dozen numbers whatever the site's volume, at most 5% off.
_RATIO = 1.1


class RecordLike(Protocol):
    """An article record (pipeline.publish.article.Article): FIELDS and its length."""

    @property
    def word_count(self) -> int: ...


def length_bucket(words: int) -> int:
    return 0 if words <= 0 else 1 + int(math.log(words) / math.log(_RATIO))


def bucket_value(bucket: int) -> float:
    """The middle of a bucket, in words."""
    return 0.0 if bucket <= 0 else _RATIO ** (bucket - 0.5)


@dataclass
class SiteDayStats:
    site: str
    day: str  # ingestion date, YYYY-MM-DD
    runs: list[str] = field(default_factory=list)  # run ids that contributed, oldest first
    pages: int = 0  # pages processed: extracted or quarantined
    extracted: int = 0  # pages that gave an article (records and unchanged refetches)
    records: int = 0  # records written (new, duplicates and revisions)
    duplicates: int = 0
    revisions: int = 0
    unchanged: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)  # field -> extracted pages having it
    lengths: dict[str, int] = field(default_factory=dict)  # length bucket -> pages
    # wall time from a batch's first page back from extraction to its records written
    processing_seconds: float = 0.0
    crawl: dict[str, float] = field(default_factory=dict)  # CRAWL_FIGURES
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)  # backfill month -> counts

    # --- observing ----------------------------------------------------------------------------

    def observe_record(self, record: RecordLike) -> None:
        """A page that gave an article (whatever deduplication then decides about it)."""
        self.pages += 1
        self.extracted += 1
        for name in FIELDS:
            if getattr(record, name, None):
                self.filled[name] = self.filled.get(name, 0) + 1
        key = str(length_bucket(record.word_count or 0))
        self.lengths[key] = self.lengths.get(key, 0) + 1

    def observe_verdict(self, verdict: str) -> None:
        """What deduplication made of an extracted page: new, duplicate, revision, unchanged."""
        if verdict == "unchanged":
            self.unchanged += 1
            return
        self.records += 1
        if verdict == "duplicate":
            self.duplicates += 1
        elif verdict == "revision":
            self.revisions += 1

    def observe_quarantine(self, reason: str) -> None:
        self.pages += 1
        self.quarantined += 1
        self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + 1

    def observe_crawl(self, figures: dict[str, float]) -> None:
        for name in CRAWL_FIGURES:
            if name in figures:
                self.crawl[name] = self.crawl.get(name, 0) + figures[name]

    def observe_coverage(self, months: dict[str, dict[str, int]]) -> None:
        for month, counts in months.items():
            mine = self.coverage.setdefault(month, {})
            for name, n in counts.items():
                mine[name] = mine.get(name, 0) + int(n)

    def merge(self, other: SiteDayStats) -> SiteDayStats:
        """Add `other` (same site and day) into this one; returns self."""
        for run in other.runs:
            if run not in self.runs:
                self.runs.append(run)
        self.runs.sort()
        for name in ("pages", "extracted", "records", "duplicates", "revisions", "unchanged",
                     "quarantined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.processing_seconds += other.processing_seconds
        for mine, theirs in ((self.quarantine_reasons, other.quarantine_reasons),
                             (self.filled, other.filled), (self.lengths, other.lengths)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        self.observe_crawl(other.crawl)
        self.observe_coverage(other.coverage)
        return self

    # --- reading ------------------------------------------------------------------------------

    def fill_rate(self, name: str) -> float | None:
        """Share of extracted pages with the field; None when nothing was extracted."""
        if not self.extracted:
            return None
        return self.filled.get(name, 0) / self.extracted

    def median_length(self) -> float | None:
        return self._quantile(0.5)

    def share_shorter_than(self, words: float) -> float | None:
        """Share of extracted pages whose text has fewer than `words` words (to the bucket)."""
        total = sum(self.lengths.values())
        if not total:
            return None
        below = sum(n for b, n in self.lengths.items() if bucket_value(int(b)) < words)
        return below / total

    def mean_delay(self) -> float | None:
        """Seconds between two requests to the site, on average over its crawls."""
        requests = self.crawl.get("requests", 0)
        if requests < 2 or "seconds" not in self.crawl:
            return None
        return self.crawl["seconds"] / (requests - 1)

    def _quantile(self, q: float) -> float | None:
        total = sum(self.lengths.values())
        if not total:
            return None
        seen = 0
        for bucket in sorted(self.lengths, key=int):
            seen += self.lengths[bucket]
            if seen >= q * total:
                return bucket_value(int(bucket))
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteDayStats:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
