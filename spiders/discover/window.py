"""Which dates a crawl wants: entries newer than the site's `max_age_days` (incremental mode),
or dated within [date_from, date_to] in UTC calendar days (`backfill-sitemap`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsmill.spiders import settings as S
from newsmill.spiders.discover.entries import SitemapRef, utc_day

if TYPE_CHECKING:
    from newsmill.pipeline.sites import Site

BACKFILL = "backfill-sitemap"


class DateWindow:
    def __init__(
        self,
        mode: str = "incremental",
        date_from: date | None = None,
        date_to: date | None = None,
        cutoff: datetime | None = None,
    ):
        if mode not in S.MODES:
            raise ValueError(f"unknown crawl mode {mode!r}")
        self.mode = mode
        self.date_from = date_from
        self.date_to = date_to
        self.cutoff = cutoff  # incremental: anything dated before this is too old

    @classmethod
    def from_settings(cls, settings: Any, site: Site) -> DateWindow:
        """The crawl's mode and dates (NEWSMILL_MODE, _DATE_FROM, _DATE_TO) for `site`."""
        mode = settings.get(S.MODE) or "incremental"
        cutoff = None
        if mode == "incremental" and site.max_age_days is not None:
            cutoff = datetime.now(UTC) - timedelta(days=site.max_age_days)
        return cls(mode, _date(settings.get(S.DATE_FROM)), _date(settings.get(S.DATE_TO)), cutoff)

    @property
    def backfill(self) -> bool:
        return self.mode == BACKFILL

    def wants(self, stamps: list[datetime]) -> bool:
        """Whether an article with these dates (every one its documents gave) is wanted.

        Backfill wants one of them in range; incremental wants the newest not too old, and
        an undated article always (the ledger decides whether it was seen).
        """
        if self.backfill:
            lo, hi = self.date_from or date.min, self.date_to or date.max
            return any(lo <= utc_day(d) <= hi for d in stamps)
        return self.cutoff is None or not stamps or max(stamps) >= self.cutoff

    def wants_sitemap(self, ref: SitemapRef) -> bool:
        """False for a child sitemap that cannot hold a wanted entry: an entry's lastmod is
        never later than its sitemap's."""
        if ref.lastmod is None:
            return True
        if self.backfill:
            return self.date_from is None or utc_day(ref.lastmod) >= self.date_from
        return self.cutoff is None or ref.lastmod >= self.cutoff


def _date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
