"""Backfill coverage: per site and per month of the requested range, what an archive gave us.

An operator asking for "site X, 2019" wants to see at a glance which months are thin, and why:
the archive had little (`found`), pages would not extract (`quarantined`), or the archive could
not serve them (`failed`). Every page is counted in exactly one month and one outcome:

    found = ingested + duplicates + unchanged + quarantined + failed

- month: the page's publication month when extraction found a date, else the date a sitemap
  or feed gave for it, else its capture month (WARC-Date, or the Wayback capture timestamp);
- `ingested`: records written (new URLs and revisions); `duplicates`: records written flagged
  `duplicate_of`; `unchanged`: already in the store with the same text, so no new record;
- `quarantined`: no record (extraction failed, HTTP error status, truncated WARC record);
- `failed` (wayback): the archive would not serve the capture (404, 5xx after retries).

Pages dated outside [from, to] are not in any month: they are `out_of_range` for the site, and
neither published nor quarantined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from newsmill.storage import KeyNotFound, Store

if TYPE_CHECKING:
    from newsmill.pipeline.publish.article import Article
    from newsmill.pipeline.warc.records import Capture

OUTCOMES = ("ingested", "duplicates", "unchanged", "quarantined", "failed")


@dataclass
class MonthCounts:
    found: int = 0
    ingested: int = 0
    duplicates: int = 0
    unchanged: int = 0
    quarantined: int = 0
    failed: int = 0


def months_between(date_from: date, date_to: date) -> list[str]:
    """'YYYY-MM' for every month touching [date_from, date_to]."""
    out = []
    y, m = date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def day_of(stamp: str | None) -> str | None:
    """'YYYY-MM-DD' of an ISO 8601 string (or a 14-digit archive timestamp), else None."""
    if not stamp:
        return None
    if len(stamp) >= 8 and stamp[:8].isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    day = stamp[:10]
    try:
        date.fromisoformat(day)
    except ValueError:
        return None
    return day


@dataclass
class SiteCoverage:
    site: str
    source: str
    date_from: str
    date_to: str
    months: dict[str, MonthCounts] = field(default_factory=dict)
    out_of_range: int = 0
    # Records read but not candidates at all, by why: other sites, not article URLs, revisits,
    # non-2xx statuses... (WARC); CDX rows of non-article URLs (wayback).
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # failures worth naming (URL and reason)
    files: list[dict[str, Any]] = field(default_factory=list)  # warc: per file, how far it got

    def __post_init__(self) -> None:
        first, last = date.fromisoformat(self.date_from), date.fromisoformat(self.date_to)
        for month in months_between(first, last):
            self.months.setdefault(month, MonthCounts())

    def in_range(self, day: str | None) -> bool:
        return day is not None and self.date_from <= day <= self.date_to

    def count(self, day: str, outcome: str, n: int = 1) -> None:
        """Count `n` pages dated `day` (in range) with `outcome` (one of OUTCOMES)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown coverage outcome {outcome!r}")
        counts = self.months.setdefault(day[:7], MonthCounts())
        counts.found += n
        setattr(counts, outcome, getattr(counts, outcome) + n)

    def skip(self, why: str, n: int = 1) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + n

    def totals(self) -> MonthCounts:
        total = MonthCounts()
        for counts in self.months.values():
            for name in total.__dataclass_fields__:
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["months"] = {k: asdict(v) for k, v in sorted(self.months.items())}
        data["totals"] = asdict(self.totals())
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteCoverage:
        data = dict(data)
        data.pop("totals", None)
        months = {k: MonthCounts(**v) for k, v in (data.pop("months", None) or {}).items()}
        return cls(**data, months=months)


class PageTracker:
    """Decides which processed pages a backfill keeps, and counts them into a SiteCoverage.

    `keep` is the `Batch.keep` hook: it runs after extraction and drops pages dated outside the
    range. Whether a kept record was new, a duplicate or unchanged is decided later by the dedup
    index, so `settle` reads back the articles files the batches wrote and matches rows to pages
    by `raw_ref` (unique per capture).

    `extra_ranges` (per batch) keeps pages it must rewrite but not count: a WARC slice rewritten
    for a new range keeps the records that earlier ranges published from it.
    """

    def __init__(self, coverage: SiteCoverage):
        self.coverage = coverage
        self._pending: dict[str, str] = {}  # raw_ref -> day, records awaiting their verdict

    @staticmethod
    def page_day(cap: Capture, article: Article | None) -> str | None:
        # The publication date the page states; else what a sitemap or feed said of it; else
        # when it was captured (the archive's capture date: a crawl's is today).
        stamps = [
            article.published_at if article is not None else None,
            cap.hints.get("published"),
            cap.hints.get("modified"),
            cap.fetched_at,
        ]
        for stamp in stamps:
            day = day_of(stamp) if isinstance(stamp, str) else None
            if day:
                return day
        return None

    def keep(self, cap: Capture, article: Article | None,
             extra_ranges: Iterable[tuple[str, str]] = ()) -> bool:
        day = self.page_day(cap, article)
        if day is None or not self.coverage.in_range(day):
            if day is not None and any(a <= day <= b for a, b in extra_ranges):
                return True
            self.coverage.out_of_range += 1
            return False
        if article is None:
            self.coverage.count(day, "quarantined")
        else:
            self._pending[cap.raw_ref] = day
        return True

    def settle(self, store: Store, articles_keys: Iterable[str]) -> None:
        """Count the pending records as ingested, duplicates or unchanged."""
        from newsmill.pipeline.publish.tables import parquet_to_table

        seen: set[str] = set()
        for key in articles_keys:
            try:
                table = parquet_to_table(store.get(key))
            except KeyNotFound:
                continue  # the batch wrote no records
            for row in table.select(["raw_ref", "duplicate_of"]).to_pylist():
                ref = row["raw_ref"]
                day = self._pending.get(ref)
                if day is None or ref in seen:
                    continue
                seen.add(ref)
                self.coverage.count(day, "duplicates" if row["duplicate_of"] else "ingested")
        for ref, day in self._pending.items():
            if ref not in seen:
                self.coverage.count(day, "unchanged")
        self._pending.clear()


def format_coverage(coverage: dict[str, Any]) -> str:
    """The coverage part of a run report as a table, one line per month."""
    cols = ("found", "ingested", "duplicates", "unchanged", "quarantined", "failed")
    lines: list[str] = []
    for name, data in sorted(coverage.items()):
        cov = SiteCoverage.from_json(data)
        lines.append(
            f"coverage {name} {cov.date_from}..{cov.date_to} ({cov.source}):"
        )
        lines.append("  " + "month".ljust(8) + "".join(c.rjust(12) for c in cols))
        rows = sorted(cov.months.items())
        for month, counts in [*rows, ("total", cov.totals())]:
            values = "".join(str(getattr(counts, c)).rjust(12) for c in cols)
            thin = "  <- none found" if month != "total" and counts.found == 0 else ""
            lines.append("  " + month.ljust(8) + values + thin)
        lines.append(f"  out of range (published outside {cov.date_from}..{cov.date_to}): "
                     f"{cov.out_of_range}")
        if cov.skipped:
            skipped = ", ".join(f"{k}: {v}" for k, v in sorted(cov.skipped.items()))
            lines.append(f"  not candidates: {skipped}")
        for err in cov.errors[:10]:
            lines.append(f"  failed: {err}")
        if len(cov.errors) > 10:
            lines.append(f"  ... and {len(cov.errors) - 10} more failures (see runs/ report)")
    return "\n".join(lines)
