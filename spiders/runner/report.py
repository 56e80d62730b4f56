"""The per-site crawl report: what the crawl process writes when it ends and `run_crawl`
returns to its caller."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from newsmill.spiders import settings as S


@dataclass
class SiteCrawlStats:
    site: str
    pages_fetched: int = 0  # HTTP responses received (every attempt, robots.txt included)
    articles_archived: int = 0  # 2xx article responses in uploaded WARC files
    responses_archived: int = 0  # responses in uploaded WARC files
    skipped_seen: int = 0  # article URLs not fetched: in the ledger and unchanged
    skipped_old: int = 0  # entries older than max_age_days (backfill: outside the range)
    refused_offsite: int = 0
    refused_private: int = 0
    refused_robots: int = 0
    quarantined: int = 0  # URLs cut by a limit or the trap guard (see spiders.guards.limits)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "URL: reason" (at most 200 kept)
    error_count: int = 0
    raw_keys: list[str] = field(default_factory=list)
    failed: bool = False
    failure: str | None = None
    finish_reason: str | None = None
    # politeness, for the health report: requests sent, bytes received, answers by status
    # class ("2xx".."5xx", and "429"), seconds from the crawler's start to its end
    requests: int = 0
    bytes_received: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteCrawlStats:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def from_crawler(cls, crawler: Any, task: Any, name: str) -> SiteCrawlStats:
        """What one site's crawler did; `task` is what `crawl()` returned for it (a crawler that
        could not start fails the site with the reason)."""
        start_error = None
        if task.done() and not task.cancelled() and task.exception() is not None:
            start_error = task.exception()
        try:
            stats: dict[str, Any] = dict(crawler.stats.get_stats())
        except AttributeError:  # the crawler never got as far as creating its stats
            stats = {}
        out = cls(
            site=name,
            pages_fetched=int(stats.get("downloader/response_count", 0)),
            articles_archived=int(stats.get(S.STAT_ARTICLES_ARCHIVED, 0)),
            responses_archived=int(stats.get(S.STAT_RESPONSES_ARCHIVED, 0)),
            skipped_seen=int(stats.get(S.STAT_SKIPPED_SEEN, 0)),
            skipped_old=int(stats.get(S.STAT_SKIPPED_OLD, 0)),
            refused_offsite=int(stats.get(S.STAT_REFUSED_OFFSITE, 0)),
            refused_private=int(stats.get(S.STAT_REFUSED_PRIVATE, 0)),
            refused_robots=int(stats.get(S.STAT_REFUSED_ROBOTS, 0)),
            quarantined=int(stats.get(S.STAT_QUARANTINED, 0)),
            quarantine_reasons=dict(stats.get(S.STAT_QUARANTINE_REASONS, {})),
            errors=list(stats.get(S.STAT_ERRORS, [])),
            error_count=int(stats.get(S.STAT_ERROR_COUNT, 0)),
            raw_keys=list(stats.get(S.STAT_RAW_KEYS, [])),
            finish_reason=stats.get("finish_reason"),
            requests=int(stats.get("downloader/request_count", 0)),
            bytes_received=int(stats.get("downloader/response_bytes", 0)),
            statuses=_status_classes(stats),
            seconds=float(stats.get("elapsed_time_seconds", 0.0)),
        )
        failure = stats.get(S.STAT_FAILURE)
        if start_error is not None:
            failure = f"crawler could not start: {type(start_error).__name__}: {start_error}"
        elif not stats.get("finish_reason"):
            failure = failure or "crawler did not finish"
        if failure:
            out.failed = True
            out.failure = str(failure)
        return out

    def politeness(self) -> dict[str, float]:
        """The figures pipeline.health keeps of a crawl (its CRAWL_FIGURES)."""
        out: dict[str, float] = {"requests": self.requests, "bytes": self.bytes_received,
                                 "robots_refused": self.refused_robots, "seconds": self.seconds}
        for cls, n in self.statuses.items():
            out[f"status_{cls}"] = n
        return out

    def summary(self) -> str:
        """One log line's worth (after the site name)."""
        return (
            f"{self.pages_fetched} responses, {self.articles_archived} articles archived, "
            f"{self.skipped_seen} seen, {self.skipped_old} old, refused {self.refused_offsite} "
            f"offsite / {self.refused_private} private / {self.refused_robots} robots, "
            f"{self.quarantined} cut by limits, {self.error_count} errors"
            + (f"; FAILED: {self.failure}" if self.failed else "")
        )


def _status_classes(stats: dict[str, Any]) -> dict[str, int]:
    prefix = "downloader/response_status_count/"
    out: dict[str, int] = {}
    for key, n in stats.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            code = key[len(prefix):]
            out[f"{code[0]}xx"] = out.get(f"{code[0]}xx", 0) + int(n)
            if code == "429":
                out["429"] = int(n)
    return out


@dataclass
class CrawlResult:
    run_id: str
    mode: str
    sites: dict[str, SiteCrawlStats]
    seconds: float = 0.0

    @property
    def failed_sites(self) -> list[str]:
        return [name for name, s in self.sites.items() if s.failed]

    @property
    def all_failed(self) -> bool:
        return bool(self.sites) and len(self.failed_sites) == len(self.sites)

    @property
    def raw_keys(self) -> list[str]:
        return [k for s in self.sites.values() for k in s.raw_keys]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
