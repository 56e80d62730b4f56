"""Run ids and run reports (runs/<run_id>.json), which `newsmill status` reads back."""

from __future__ import annotations

import json
import secrets
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
    skipped_seen: int = 0
    refused: int = 0
    # archive captures not served for a passing reason (network, 5xx, 429): worth asking again
    retryable: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


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
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunReport:
        data = dict(data)
        data.pop("ok", None)
        sites = {k: SiteCounts(**v) for k, v in (data.pop("sites", None) or {}).items()}
        return cls(**data, sites=sites)


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
