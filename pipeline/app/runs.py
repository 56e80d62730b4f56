"""Run ids and run reports (runs/<run_id>.json), which `newsmill status` reads back."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsmill.storage import Store


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id(now: datetime | None = None) -> str:
    # Sortable by time, unique across concurrent runs on many machines.
    return (now or utcnow()).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class SiteCounts:
    fetched: int = 0
    articles: int = 0
    duplicates: int = 0
    revisions: int = 0
    unchanged: int = 0
    quarantined: int = 0
    # records published with a null title (the page offered none)
    missing_title: int = 0
    skipped_seen: int = 0
    refused: int = 0
    # archive captures not served for a passing reason (network, 5xx, 429): worth asking again
    retryable: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # the crawl's politeness figures (spiders.runner.report.SiteCrawlStats.politeness)
    crawl: dict[str, float] = field(default_factory=dict)


@dataclass
class Phases:
    """Where a run's time went, in seconds of wall time per phase.

    In `newsmill run` extraction overlaps the crawl, so the phases add up to more than the run's
    `seconds`. Processing's wall time is split three ways: `dedup` (deciding and saving
    duplicates), `extract_waiting` (idle while the crawl fills its next raw file) and `extract`
    (the rest: reading raw files, extraction, writing records).
    """

    crawl: float = 0.0
    extract: float = 0.0
    extract_waiting: float = 0.0
    dedup: float = 0.0
    publish: float = 0.0
    pages: int = 0  # pages extracted (records, duplicates, unchanged and quarantined alike)

    def add_processing(self, seconds: float, result: Any, waiting: float = 0.0) -> None:
        """Count a processing stream of `seconds` (`result`: pipeline.app.process's
        ProcessResult, which knows its dedup seconds and pages)."""
        dedup = float(result.dedup_seconds)
        self.extract += round(max(seconds - dedup - waiting, 0.0), 3)
        self.extract_waiting += round(waiting, 3)
        self.dedup += round(dedup, 3)
        self.pages += sum(c.pages for c in result.per_site.values())

    def pages_per_second(self, seconds: float) -> float:
        return round(self.pages / seconds, 2) if seconds > 0 else 0.0

    def summary(self, seconds: float) -> str:
        """One line for `newsmill status`: the phases this run had, then its page rate."""
        parts = [f"{name} {value:.1f}s" for name, value in (
            ("crawl", self.crawl), ("extract", self.extract), ("dedup", self.dedup),
            ("publish", self.publish)) if value]
        if self.extract_waiting:
            parts.append(f"(extract idle {self.extract_waiting:.1f}s waiting for the crawl)")
        if self.pages:
            parts.append(f"{self.pages} pages, {self.pages_per_second(seconds):.1f} pages/s")
        return ", ".join(parts)


@dataclass
class RunReport:
    run_id: str
    command: str
    started_at: str
    finished_at: str = ""
    seconds: float = 0.0
    sites: dict[str, SiteCounts] = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)  # ingestion dates whose articles changed
    dumps: list[str] = field(default_factory=list)  # dump partitions published
    failures: dict[str, str] = field(default_factory=dict)  # site -> why it failed
    error: str | None = None  # the whole run failed: why
    # backfills: site -> per-month counts (pipeline.backfill.coverage.SiteCoverage.to_json())
    coverage: dict[str, Any] = field(default_factory=dict)
    # sites whose extraction drifts from their own history, one line each (pipeline.health)
    drift: list[str] = field(default_factory=list)
    phases: Phases = field(default_factory=Phases)

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        # Quarantined pages are part of a successful run; only every site failing is not.
        return not self.sites or len(self.failures) < len(self.sites)

    def site(self, name: str) -> SiteCounts:
        return self.sites.setdefault(name, SiteCounts())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["pages_per_second"] = self.phases.pages_per_second(self.seconds)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunReport:
        data = dict(data)
        data.pop("ok", None)
        data.pop("pages_per_second", None)
        # Reports written before phases were recorded have none: all zero.
        phases = Phases(**(data.pop("phases", None) or {}))
        sites = {k: SiteCounts(**v) for k, v in (data.pop("sites", None) or {}).items()}
        return cls(**data, sites=sites, phases=phases)


def pages_ticker(say: Callable[[str], None] | None) -> Callable[[int, int], None]:
    """A processing progress callback that says the page count and rate every 25 pages."""
    t0 = time.monotonic()

    def tick(pages: int, _total: int) -> None:
        if say and pages % 25 == 0:
            rate = pages / max(time.monotonic() - t0, 1e-6)
            say(f"processed {pages} pages ({rate:.0f} pages/s)")

    return tick


def save_report(store: Store, report: RunReport) -> str:
    key = f"runs/{report.run_id}.json"
    store.put(key, json.dumps(report.to_json(), indent=2).encode())
    return key


def recent_reports(store: Store, limit: int = 10) -> list[RunReport]:
    keys = [k for k in store.list("runs/") if k.endswith(".json")]
    out = []
    for key in keys[-limit:]:
        try:
            out.append(RunReport.from_json(json.loads(store.get(key))))
        except (ValueError, TypeError):
            continue
    return out
