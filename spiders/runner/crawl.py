"""Run a crawl: `run_crawl()` blocks until the selected sites are crawled into the store.

A Twisted reactor cannot be restarted within a process, so every crawl runs in a fresh
subprocess (`newsmill.spiders.runner.process`): one Scrapy process, one crawler per selected
site running concurrently, each with that site's politeness settings. The subprocess writes
per-site stats as JSON; `run_crawl` returns them as a `CrawlResult`. Its log (progress,
refusals, errors) goes to the caller's stderr as it happens.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from newsmill.pipeline.sites import load_sites
from newsmill.spiders import settings as S
from newsmill.spiders.runner.report import CrawlResult, SiteCrawlStats
from newsmill.spiders.runner.supervise import run_child

__all__ = ["CrawlError", "CrawlResult", "SiteCrawlStats", "env_settings", "run_crawl"]

# The module the subprocess runs.
PROCESS_MODULE = "newsmill.spiders.runner.process"


class CrawlError(RuntimeError):
    """The crawl subprocess could not run or died without reporting; the message says why."""


def run_crawl(
    sites_path: str,
    site_names: list[str] | None,
    store_uri: str,
    run_id: str,
    *,
    mode: str = "incremental",
    date_from: date | None = None,
    date_to: date | None = None,
    timeout: float | None = None,
    settings: Mapping[str, Any] | None = None,
    on_spawn: Callable[[], None] | None = None,
) -> CrawlResult:
    """Crawl the selected sites (all if `site_names` is empty) into the store; block until done.

    `timeout` closes every spider gracefully after that many seconds (what was fetched is
    archived). `settings` overrides Scrapy or newsmill settings for every site (JSON values),
    on top of those in the NEWSMILL_CRAWL_SETTINGS environment variable (a JSON object), which
    is how an operator (or a test) tunes crawls started by `newsmill run` or Airflow.
    Raises SitesFileError for a bad sites file or an unknown site, ValueError for bad
    arguments, and CrawlError when the crawl process dies without a report.
    """
    selected = [s.name for s in load_sites(sites_path).select(site_names)]
    _check_mode(mode, date_from, date_to)
    t0 = time.monotonic()
    fd, stats_path = tempfile.mkstemp(prefix="newsmill-crawl-", suffix=".json")
    os.close(fd)
    os.unlink(stats_path)  # the child writes it when it finishes: absent means no report
    cmd = [
        sys.executable, "-m", PROCESS_MODULE,
        "--sites", str(sites_path),
        "--store", store_uri,
        "--run-id", run_id,
        "--mode", mode,
        "--stats-out", stats_path,
    ]
    for name in selected:
        cmd += ["--site", name]
    if date_from is not None:
        cmd += ["--from", date_from.isoformat()]
    if date_to is not None:
        cmd += ["--to", date_to.isoformat()]
    if timeout:
        cmd += ["--timeout", str(timeout)]
    for key, value in {**env_settings(), **(settings or {})}.items():
        cmd += ["--set", f"{key}={json.dumps(value)}"]
    try:
        returncode, tail = run_child(cmd, timeout, on_spawn)
        try:
            data = json.loads(Path(stats_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = " | ".join(line.strip() for line in list(tail)[-5:] if line.strip())
            raise CrawlError(
                f"crawl process exited with status {returncode} without a report"
                + (f": {last}" if last else "")
            ) from None
    finally:
        Path(stats_path).unlink(missing_ok=True)
    sites = {name: SiteCrawlStats.from_dict(d) for name, d in data.get("sites", {}).items()}
    return CrawlResult(
        run_id=run_id, mode=mode, sites=sites, seconds=round(time.monotonic() - t0, 3)
    )


def _check_mode(mode: str, date_from: date | None, date_to: date | None) -> None:
    if mode not in S.MODES:
        raise ValueError(f"unknown crawl mode {mode!r} (use {', '.join(S.MODES)})")
    if mode == "backfill-sitemap":
        if date_from is None or date_to is None:
            raise ValueError("backfill-sitemap needs date_from and date_to")
        if date_from > date_to:
            raise ValueError(f"date_from {date_from} is after date_to {date_to}")


def env_settings() -> dict[str, Any]:
    """Setting overrides from NEWSMILL_CRAWL_SETTINGS (a JSON object; empty when unset)."""
    raw = os.environ.get("NEWSMILL_CRAWL_SETTINGS", "").strip()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"NEWSMILL_CRAWL_SETTINGS is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("NEWSMILL_CRAWL_SETTINGS must be a JSON object")
    return data
