"""Article URLs announced by feeds and sitemaps, with what every document said about each.

An article listed in several documents is requested once, with all they said merged into its
hints, and judged by the newest date any of them gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsmill.spiders.discover.entries import VIA_FEED, VIA_SITEMAP, Entry


@dataclass
class Candidate:
    """An article URL named by feeds or sitemaps, with what they said about it, merged."""

    url: str
    source: str  # "feed" if any feed named it, else how it was first found
    hints: dict[str, Any] = field(default_factory=dict)
    stamps: list[datetime] = field(default_factory=list)  # every published/modified date given

    def add(self, entry: Entry) -> None:
        # Feeds win over sitemaps (they say more, and the label must not depend on which
        # document happened to arrive first); otherwise the first value stays.
        if entry.via == VIA_FEED and self.source == VIA_SITEMAP:
            self.source = VIA_FEED
            self.hints.update(entry.hints())
        else:
            for key, value in entry.hints().items():
                self.hints.setdefault(key, value)
        self.stamps += [d for d in (entry.published, entry.modified) if d is not None]

    @property
    def newest(self) -> datetime | None:
        return max(self.stamps) if self.stamps else None
