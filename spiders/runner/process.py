"""The crawl process `run_crawl` starts: `python -m newsmill.spiders.runner.process`.

One Scrapy process, one crawler per selected site running concurrently, each with that site's
settings; when every crawler has finished, the per-site report is written as JSON to
`--stats-out` (absent if the process died first).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsmill.pipeline.sites import Site, SitesFileError, load_sites
from newsmill.spiders import settings as S
from newsmill.spiders.runner.report import SiteCrawlStats
from newsmill.spiders.runner.supervise import watch_parent

if TYPE_CHECKING:
    from scrapy.settings import Settings

log = logging.getLogger(__name__)


def crawler_settings(base: dict[str, Any], site: Site, overrides: dict[str, Any]) -> Settings:
    """One site's crawler settings: the run's, then the site's, then explicit overrides."""
    from scrapy.settings import Settings

    settings = Settings(base)
    # Above "project" priority: AsyncCrawlerProcess merges its own (base) settings into each
    # crawler, and at an equal priority they would win over the site's.
    settings.setdict(S.site_settings(site), priority="spider")
    settings.setdict(overrides, priority="cmdline")
    return settings


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m newsmill.spiders.runner.process", description=__doc__
    )
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
    return parser


def _overrides(parser: argparse.ArgumentParser, items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            parser.error(f"--set needs NAME=VALUE, got {item!r}")
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def _quiet_scrapy(level: int) -> None:
    # Scrapy's INFO lines (settings dumps, middleware lists) drown ours; its warnings and
    # errors (e.g. "Gave up retrying <URL>") still show.
    for name in ("scrapy", "twisted", "py.warnings", "protego"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def main(argv: list[str] | None = None) -> int:
    parser = _arguments()
    args = parser.parse_args(argv)
    watch_parent()
    try:
        sites_file = load_sites(args.sites)
        selected = sites_file.select(args.site or None)
    except SitesFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    overrides = _overrides(parser, args.set)

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

    reports = {name: SiteCrawlStats.from_crawler(c, t, name) for name, (c, t) in crawlers.items()}
    _write_report(args.stats_out, {
        "run_id": args.run_id,
        "mode": args.mode,
        "sites": {name: asdict(r) for name, r in reports.items()},
    })
    for name, r in reports.items():
        log.info("[%s] done: %s", name, r.summary())
    return 0


def _write_report(path: str, report: dict[str, Any]) -> None:
    # Written whole, then renamed: the parent takes a partial file for no report at all.
    tmp = f"{path}.tmp"
    Path(tmp).write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
