"""Run a crawl: `run_crawl()` for callers, `python -m newsmill.spiders.crawl` for the process
doing it.

A Twisted reactor cannot be restarted within a process, so every crawl runs in a fresh
subprocess: one Scrapy process, one crawler per selected site running concurrently, each with
that site's politeness settings. The subprocess writes per-site stats as JSON; `run_crawl`
returns them as a `CrawlResult`. Its log (progress, refusals, errors) goes to the caller's
stderr as it happens.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsmill.pipeline.sites import Site, SitesFileError, load_sites
from newsmill.spiders import settings as S

if TYPE_CHECKING:
    from scrapy.settings import Settings

log = logging.getLogger("newsmill.spiders.crawl")

# After the crawl's own timeout (CLOSESPIDER_TIMEOUT, a graceful close that still uploads the
# archive), how long the parent waits before interrupting, then killing, the subprocess.
CLOSE_GRACE = 120.0
KILL_GRACE = 30.0


class CrawlError(RuntimeError):
    """The crawl subprocess could not run or died without reporting; the message says why."""


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
    quarantined: int = 0  # URLs cut by a limit or the trap guard (see spiders.limits)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "URL: reason" (at most 200 kept)
    error_count: int = 0
    raw_keys: list[str] = field(default_factory=list)
    failed: bool = False
    failure: str | None = None
    finish_reason: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteCrawlStats:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


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


# --- the caller's side ---------------------------------------------------------------------------


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
) -> CrawlResult:
    """Crawl the selected sites (all if `site_names` is empty) into the store; block until done.

    `timeout` closes every spider gracefully after that many seconds (what was fetched is
    archived). `settings` overrides Scrapy or newsmill settings for every site (JSON values),
    on top of those in the NEWSMILL_CRAWL_SETTINGS environment variable (a JSON object), which
    is how an operator (or a test) tunes crawls started by `newsmill run` or Airflow.
    Raises SitesFileError for a bad sites file or an unknown site, ValueError for bad
    arguments, and CrawlError when the crawl process dies without a report.
    """
    sites_file = load_sites(sites_path)
    selected = [s.name for s in sites_file.select(site_names)]
    if mode not in S.MODES:
        raise ValueError(f"unknown crawl mode {mode!r} (use {', '.join(S.MODES)})")
    if mode == "backfill-sitemap":
        if date_from is None or date_to is None:
            raise ValueError("backfill-sitemap needs date_from and date_to")
        if date_from > date_to:
            raise ValueError(f"date_from {date_from} is after date_to {date_to}")
    t0 = time.monotonic()
    fd, stats_path = tempfile.mkstemp(prefix="newsmill-crawl-", suffix=".json")
    os.close(fd)
    os.unlink(stats_path)  # the child writes it when it finishes: absent means no report
    cmd = [
        sys.executable, "-m", "newsmill.spiders.crawl",
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
        returncode, tail = _run_child(cmd, timeout)
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


def _pdeathsig() -> Callable[[], None] | None:
    """A preexec function making the crawl child die when its parent dies, however it dies.

    A SIGKILLed `newsmill run` cannot stop its crawl; an orphaned crawl would go on fetching
    and uploading while the rerun crawls the same site. Linux delivers PR_SET_PDEATHSIG when
    the parent exits; elsewhere (or if the parent died before the child set it) the child's own
    watchdog (`_watch_parent`) notices. libc and prctl are looked up here, in the parent: the
    forked child only makes the call, taking no lock another thread might have held.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    kill = int(signal.SIGKILL)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, kill, 0, 0, 0)

    return preexec


def _watch_parent(parent: int) -> None:
    """A thread in the crawl process: exit at once when the parent that started it is gone
    (where PR_SET_PDEATHSIG is unavailable, or the parent died before it was set)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(137)
            time.sleep(0.5)

    threading.Thread(target=watch, name="newsmill-parent-watch", daemon=True).start()


def _run_child(cmd: list[str], timeout: float | None) -> tuple[int, collections.deque[str]]:
    """Run the crawl process, copying its output to our stderr line by line."""
    tail: collections.deque[str] = collections.deque(maxlen=50)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NEWSMILL_PARENT_PID": str(os.getpid())}
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        errors="replace",
        preexec_fn=_pdeathsig(),  # noqa: PLW1509 - only a prctl call, no locks taken
    )

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line)
            # sys.stderr, not fd 2: callers (Airflow, pytest) may have replaced it.
            sys.stderr.write(line)
            sys.stderr.flush()

    reader = threading.Thread(target=pump, name="newsmill-crawl-output", daemon=True)
    reader.start()
    deadline = None if not timeout else timeout + CLOSE_GRACE
    try:
        proc.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        # Scrapy closes gracefully on the first SIGINT (spiders close, archives upload).
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    except BaseException:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    finally:
        reader.join(timeout=5)
    return proc.returncode, tail


# --- the crawl process ---------------------------------------------------------------------------


def _site_report(crawler: Any, task: Any, name: str) -> dict[str, Any]:
    start_error = None
    if task.done() and not task.cancelled() and task.exception() is not None:
        start_error = task.exception()
    stats: dict[str, Any] = {}
    try:
        stats = dict(crawler.stats.get_stats())
    except AttributeError:  # the crawler never got as far as creating its stats
        stats = {}
    out = SiteCrawlStats(
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
    )
    failure = stats.get(S.STAT_FAILURE)
    if start_error is not None:
        failure = f"crawler could not start: {type(start_error).__name__}: {start_error}"
    elif not stats.get("finish_reason"):
        failure = failure or "crawler did not finish"
    if failure:
        out.failed = True
        out.failure = str(failure)
    return asdict(out)


def crawler_settings(base: dict[str, Any], site: Site, overrides: dict[str, Any]) -> Settings:
    """One site's crawler settings: the run's, then the site's, then explicit overrides."""
    from scrapy.settings import Settings

    settings = Settings(base)
    # Above "project" priority: AsyncCrawlerProcess merges its own (base) settings into each
    # crawler, and at an equal priority they would win over the site's.
    settings.setdict(S.site_settings(site), priority="spider")
    settings.setdict(overrides, priority="cmdline")
    return settings


def _quiet_scrapy(level: int) -> None:
    # Scrapy's INFO lines (settings dumps, middleware lists) drown ours; its warnings and
    # errors (e.g. "Gave up retrying <URL>") still show.
    for name in ("scrapy", "twisted", "py.warnings", "protego"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsmill.spiders.crawl", description=__doc__)
    parser.add_argument("--sites", required=True, help="sites file (YAML)")
    parser.add_argument("--site", action="append", default=[], help="site name (repeatable)")
    parser.add_argument("--store", required=True, help="store URI")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--mode", default="incremental", choices=S.MODES)
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
    parser.add_argument("--timeout", type=float, help="close every spider after this many seconds")
    parser.add_argument("--stats-out", required=True, help="where to write the per-site JSON")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="override a setting for every site (VALUE is JSON, or a plain string)",
    )
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--verbose", action="store_true", help="show Scrapy's own INFO lines")
    args = parser.parse_args(argv)
    parent = os.environ.get("NEWSMILL_PARENT_PID", "")
    if parent.isdigit():
        _watch_parent(int(parent))

    try:
        sites_file = load_sites(args.sites)
        selected = sites_file.select(args.site or None)
    except SitesFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {}
    for item in args.set:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            parser.error(f"--set needs NAME=VALUE, got {item!r}")
        try:
            overrides[name] = json.loads(raw)
        except ValueError:
            overrides[name] = raw

    from scrapy.crawler import AsyncCrawlerProcess, Crawler
    from scrapy.settings import Settings

    from newsmill.spiders.news import NewsSpider

    base = S.base_settings(
        store_uri=args.store,
        run_id=args.run_id,
        allow_private_networks=sites_file.allow_private_networks,
        mode=args.mode,
        date_from=args.date_from,
        date_to=args.date_to,
        timeout=args.timeout,
        log_level=args.log_level,
    )
    level = logging.getLevelName(args.log_level.upper())
    level = level if isinstance(level, int) else logging.INFO
    if not args.verbose:
        _quiet_scrapy(level)
    # The overrides go into the process's settings too: the resolver (DNS_TIMEOUT, DNS cache,
    # NEWSMILL_DNS_SERVERS) is built from those, once per process.
    process = AsyncCrawlerProcess(Settings({**base, **overrides}))
    if not args.verbose:
        _quiet_scrapy(level)  # configuring Scrapy's logging reset its loggers' levels
    crawlers: dict[str, tuple[Any, Any]] = {}
    for site in selected:
        crawler = Crawler(NewsSpider, crawler_settings(base, site, overrides))
        crawlers[site.name] = (crawler, process.crawl(crawler))
        log.info("[%s] crawl %s, run %s, into %s", site.name, args.mode, args.run_id, args.store)
    process.start()

    report = {
        "run_id": args.run_id,
        "mode": args.mode,
        "sites": {name: _site_report(c, t, name) for name, (c, t) in crawlers.items()},
    }
    tmp = f"{args.stats_out}.tmp"
    Path(tmp).write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, args.stats_out)
    for name, site_report in report["sites"].items():
        log.info(
            "[%s] done: %d responses, %d articles archived, %d seen, %d old, "
            "refused %d offsite / %d private / %d robots, %d cut by limits, %d errors%s",
            name, site_report["pages_fetched"], site_report["articles_archived"],
            site_report["skipped_seen"], site_report["skipped_old"],
            site_report["refused_offsite"], site_report["refused_private"],
            site_report["refused_robots"], site_report["quarantined"],
            site_report["error_count"],
            f"; FAILED: {site_report['failure']}" if site_report["failed"] else "",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
