"""Scrapy settings for newsmill crawls, the newsmill settings they add, and the stat names.

`base_settings()` is what every crawler of a run shares; `site_settings()` adds one site's
politeness (delay, concurrency, robots.txt, user agent) and where its archive goes. Components
read only these settings, so each can be switched or tuned like any Scrapy component.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from newsmill.pipeline.sites import Site

# --- newsmill settings ---------------------------------------------------------------------------

SITE = "NEWSMILL_SITE"  # pipeline.sites.Site being crawled (one crawler per site)
ALLOW_PRIVATE_NETWORKS = "NEWSMILL_ALLOW_PRIVATE_NETWORKS"  # CIDRs the network guard lets through
STORE_URI = "NEWSMILL_STORE_URI"  # where raw/ and state/ go
RUN_ID = "NEWSMILL_RUN_ID"
MODE = "NEWSMILL_MODE"  # "incremental" | "backfill-sitemap"
DATE_FROM = "NEWSMILL_DATE_FROM"  # ISO date, backfill only
DATE_TO = "NEWSMILL_DATE_TO"
ARCHIVE_ENABLED = "NEWSMILL_ARCHIVE_ENABLED"
ARCHIVE_ROLL_RECORDS = "NEWSMILL_ARCHIVE_ROLL_RECORDS"  # responses per WARC file
ARCHIVE_TMPDIR = "NEWSMILL_ARCHIVE_TMPDIR"  # local folder for WARC files before upload
LEDGER_ENABLED = "NEWSMILL_LEDGER_ENABLED"
RETRY_BACKOFF_BASE = "NEWSMILL_RETRY_BACKOFF_BASE"  # seconds before the 1st retry, doubled after
RETRY_BACKOFF_MAX = "NEWSMILL_RETRY_BACKOFF_MAX"
PROGRESS_EVERY = "NEWSMILL_PROGRESS_EVERY"  # a progress log line every N responses (0: never)
DISCOVERY_WAIT = "NEWSMILL_DISCOVERY_WAIT"  # max seconds start pages wait for feeds/sitemaps
MAX_ERRORS_KEPT = "NEWSMILL_MAX_ERRORS_KEPT"  # error strings kept in the stats (all are counted)
DNS_SERVERS = "NEWSMILL_DNS_SERVERS"  # ["host:port"]: query these instead of getaddrinfo
DNS_CACHE_TTL = "NEWSMILL_DNS_CACHE_TTL"  # seconds a vetted answer is reused
MAX_URL_LENGTH = "NEWSMILL_MAX_URL_LENGTH"  # longer URLs are cut (quarantined), not requested
TRAP_MAX_PER_SHAPE = "NEWSMILL_TRAP_MAX_PER_SHAPE"  # section pages of one URL shape, per run
TRAP_MAX_SEGMENT_REPEATS = "NEWSMILL_TRAP_MAX_SEGMENT_REPEATS"  # one path segment, per URL
QUARANTINE_MAX_KEPT = "NEWSMILL_QUARANTINE_MAX_KEPT"  # crawl cuts written per site (all counted)
# The per-run bounds of spiders.guards.bounds (values from the site). Off only to show what
# they stop.
BOUNDS_ENABLED = "NEWSMILL_BOUNDS_ENABLED"

MODES = ("incremental", "backfill-sitemap")

# --- stat names (per crawler, i.e. per site) ------------------------------------------------------

STAT_PAGES = "newsmill/pages_fetched"
STAT_RESPONSES_ARCHIVED = "newsmill/responses_archived"
STAT_ARTICLES_ARCHIVED = "newsmill/articles_archived"
STAT_SKIPPED_SEEN = "newsmill/skipped_seen"
STAT_SKIPPED_OLD = "newsmill/skipped_old"
STAT_REFUSED_OFFSITE = "newsmill/refused_offsite"
STAT_REFUSED_PRIVATE = "newsmill/refused_private"
STAT_REFUSED_ROBOTS = "robotstxt/forbidden"  # Scrapy's RobotsTxtMiddleware counts these
STAT_ERRORS = "newsmill/errors"  # list of "URL: reason"
STAT_ERROR_COUNT = "newsmill/error_count"
STAT_RAW_KEYS = "newsmill/raw_keys"  # list of store keys written
STAT_SEEDS_OK = "newsmill/seeds_ok"  # seed URLs (feeds, sitemaps, start pages) answered 2xx
STAT_SEED_FAILURES = "newsmill/seed_failures"  # list of "URL: reason" for seeds that were not
STAT_FAILURE = "newsmill/failure"  # set when the site could not be crawled at all
STAT_QUARANTINED = "newsmill/quarantined"  # URLs cut by a limit or the trap guard
STAT_QUARANTINE_REASONS = "newsmill/quarantine_reasons"  # {"limit ...": n}
STAT_QUARANTINE_KEY = "newsmill/quarantine_key"  # where the cuts were written


def add_error(stats: Any, settings: Any, message: str) -> None:
    """Count an error and keep its text, up to MAX_ERRORS_KEPT texts per site."""
    stats.inc_value(STAT_ERROR_COUNT)
    kept: list[str] = stats.get_value(STAT_ERRORS) or []
    if len(kept) < settings.getint(MAX_ERRORS_KEPT, 200):
        kept.append(message)
        stats.set_value(STAT_ERRORS, kept)


# --- Scrapy settings -----------------------------------------------------------------------------

_MW = "newsmill.spiders.guards.network"


def base_settings(
    *,
    store_uri: str,
    run_id: str,
    allow_private_networks: tuple[str, ...] | list[str] = (),
    mode: str = "incremental",
    date_from: date | None = None,
    date_to: date | None = None,
    timeout: float | None = None,
    log_level: str = "INFO",
) -> dict[str, Any]:
    # Here, not at the top: the run's parent imports this module and never needs Scrapy.
    from scrapy.settings import default_settings

    return {
        # The asyncio reactor: our middlewares are coroutines (DNS, backoff sleeps, uploads).
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # No listening sockets in a crawler process: no telnet console, no remote-control HTTP
        # server (Scrapy 2.19 enables one by default).
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": log_level,
        "LOG_FORMAT": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        "LOG_DATEFORMAT": "%H:%M:%S",
        "LOGSTATS_INTERVAL": 0,
        "LOG_VERSIONS": [],  # one "Scrapy started" line, not a dump of library versions
        "ROBOTSTXT_OBEY": True,
        # Scrapy starts CONCURRENT_ITEMS coroutines for every response's spider output (100 by
        # default), however little it holds: an article page yields nothing. On the 1,656
        # benchmark pages that churn was about a sixth of the crawl's CPU. Our callbacks yield
        # requests only, never items; 16 at a time still lets a listing's requests reach the
        # scheduler together, so its articles outrank its listings (tests/test_crawl_bounds.py;
        # with 1 the downloader took the listings while the articles waited for tdmrep.json).
        "CONCURRENT_ITEMS": 16,
        "COOKIES_ENABLED": False,  # stateless fetches: what any reader without a session sees
        "DOWNLOAD_TIMEOUT": 30,
        "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 5 * 1024 * 1024,
        "DNS_TIMEOUT": 10,
        "REDIRECT_MAX_TIMES": 5,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,  # three tries in all
        RETRY_BACKOFF_BASE: 0.5,
        RETRY_BACKOFF_MAX: 30.0,
        # Only encodings warcio can decode when reading the archive back, since the archive
        # keeps bodies exactly as the server sent them.
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "*",
            "Accept-Encoding": "gzip, deflate",
        },
        # Only the web: no file://, s3://, ftp:// or data: URLs from a feed can be fetched (the
        # domain guard refuses any other scheme too, with a reason).
        "DOWNLOAD_HANDLERS": {"file": None, "s3": None, "ftp": None, "data": None},
        # Every name Twisted connects to is resolved by our resolver, which returns only the
        # addresses the SSRF policy allows (see spiders.guards.resolver).
        "TWISTED_DNS_RESOLVER": "newsmill.spiders.guards.resolver.GuardedResolver",
        # A proxy would resolve and connect on our behalf, out of the resolver's sight.
        "HTTPPROXY_ENABLED": False,
        # Our limits middleware enforces the URL length and quarantines what it cuts; Scrapy's
        # spider middleware would drop such URLs silently.
        "URLLENGTH_LIMIT": 0,
        MAX_URL_LENGTH: 2083,
        TRAP_MAX_PER_SHAPE: 30,
        TRAP_MAX_SEGMENT_REPEATS: 2,
        QUARANTINE_MAX_KEPT: 5000,
        BOUNDS_ENABLED: True,
        DNS_SERVERS: [],
        DNS_CACHE_TTL: 300.0,
        "DOWNLOADER_MIDDLEWARES": {
            # Our domain guard replaces Scrapy's offsite filter (which also allows subdomains;
            # a site's `domains` are exact hosts). Both guards run before robots.txt, so no
            # robots.txt is fetched for a host we may not contact.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            # Meta refresh read from the page's head, not from the whole decoded page.
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "newsmill.spiders.meta_refresh.HeadMetaRefreshMiddleware": 580,
            f"{_MW}.DomainGuardMiddleware": 40,
            f"{_MW}.NetworkGuardMiddleware": 45,
            # URL length on the way out; redirect loops on the way back, before Scrapy's
            # RedirectMiddleware (600) follows them.
            "newsmill.spiders.guards.limits.LimitsMiddleware": 620,
            # After robots.txt (100): each host's tdmrep.json before its first article, fetched
            # through all of these (guards, slot, bounds, archive); a page reserved by its
            # headers is cut before the archive (960) keeps it, if the site asks.
            "newsmill.spiders.guards.tdm.TdmRepMiddleware": 110,
            "newsmill.spiders.guards.tdm.TdmReservedResponseMiddleware": 960,
            # The site's per-run budgets and the URL-growth guard, after every middleware that
            # drops a request unsent, so what it counts went out.
            "newsmill.spiders.guards.bounds.CrawlBoundsMiddleware": 625,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            f"{_MW}.BackoffRetryMiddleware": 550,
            # Closest to the downloader: sees every response exactly as received (before
            # decompression, each retried attempt, each redirect hop), and robots.txt too.
            "newsmill.spiders.archive.middleware.WarcArchiveMiddleware": 950,
            # Just before HttpCompressionMiddleware (590): a still-encoded page goes to it as
            # plain bytes, so it does not sniff the charset of compressed bytes.
            "newsmill.spiders.archive.still_encoded.StillEncodedMiddleware": 591,
        },
        # Remote control is off (REMOTE_CONTROL_ENABLED) but its module is still imported, and
        # aiohttp with it: 0.13 s of CPU per crawl. Setting it to None in EXTENSIONS does not
        # help (Scrapy imports a component path to compare it); leaving it out of the base does.
        "EXTENSIONS_BASE": {path: order for path, order in default_settings.EXTENSIONS_BASE.items()
                            if path != "scrapy.extensions.remote_control.RemoteControl"},
        "EXTENSIONS": {
            "newsmill.spiders.archive.ledger.LedgerExtension": 500,
            "newsmill.spiders.guards.limits.CrawlQuarantine": 510,
        },
        "CLOSESPIDER_TIMEOUT": float(timeout or 0),
        STORE_URI: store_uri,
        RUN_ID: run_id,
        MODE: mode,
        DATE_FROM: date_from.isoformat() if date_from else None,
        DATE_TO: date_to.isoformat() if date_to else None,
        ALLOW_PRIVATE_NETWORKS: list(allow_private_networks),
        ARCHIVE_ENABLED: True,
        ARCHIVE_ROLL_RECORDS: 200,
        ARCHIVE_TMPDIR: None,
        LEDGER_ENABLED: True,
        PROGRESS_EVERY: 50,
        DISCOVERY_WAIT: 300.0,
        MAX_ERRORS_KEPT: 200,
    }


def site_settings(site: Site) -> dict[str, Any]:
    """One site's politeness. All its requests share one download slot named after the site, so
    `delay` and `concurrency` hold for the site as a whole, however many hosts it has."""
    return {
        SITE: site,
        "USER_AGENT": site.user_agent,
        "ROBOTSTXT_OBEY": site.obey_robots,
        "DOWNLOAD_DELAY": site.delay,
        # The same rules for any request that would not carry the site's slot.
        "CONCURRENT_REQUESTS_PER_DOMAIN": site.concurrency,
        "DOWNLOAD_SLOTS": {
            site.name: {"delay": site.delay, "concurrency": site.concurrency, "jitter": 0.0}
        },
        "DOWNLOAD_DELAY_JITTER": 0.0,
    }


def site_and_store(settings: Any, purpose: str) -> tuple[Site, str]:
    """The crawler's site and store URI, or NotConfigured for a component that needs both."""
    from scrapy.exceptions import NotConfigured

    site = settings.get(SITE)
    uri = settings.get(STORE_URI)
    if site is None or not uri:
        raise NotConfigured(f"{SITE} and {STORE_URI} are needed {purpose}")
    return site, str(uri)
