"""The per-site ledger of fetched articles: what an incremental crawl need not fetch again.

`state/ledger/site=<site>.json` maps an article URL (as the spider requested it, and where a
redirect ended) to `{"fetched_at": iso, "modified": iso | null}`, where `modified` is the newest
date the feed or sitemap gave for the entry when it was fetched.

Entries are added only when the WARC file holding the response is in the store (the archive's
`warc_uploaded` signal), and only for 2xx article responses: an interrupted crawl or a failed
page is fetched again next time.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsmill.pipeline.dates import parse_datetime
from newsmill.spiders import settings as S
from newsmill.spiders.archive.signals import LedgerEntry, warc_uploaded
from newsmill.storage import KeyNotFound, Store, StoreError, open_store

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)


def ledger_key(site: str) -> str:
    return f"state/ledger/site={site}.json"


def _read(store: Store, site: str) -> dict[str, dict[str, Any]]:
    try:
        raw = store.get(ledger_key(site))
    except KeyNotFound:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        # A damaged ledger costs re-fetches (deduplicated later), never a failed crawl.
        log.error(
            "[%s] ledger %s is not valid JSON, starting empty: %s", site, ledger_key(site), exc
        )
        return {}
    if not isinstance(data, dict):
        log.error("[%s] ledger %s is not a JSON object, starting empty", site, ledger_key(site))
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}


class Ledger:
    def __init__(self, store: Store, site: str, urls: dict[str, dict[str, Any]] | None = None):
        self.store = store
        self.site = site
        self.urls: dict[str, dict[str, Any]] = dict(urls or {})

    @classmethod
    def load(cls, store: Store, site: str) -> Ledger:
        return cls(store, site, _read(store, site))

    def __contains__(self, url: str) -> bool:
        return url in self.urls

    def __len__(self) -> int:
        return len(self.urls)

    def should_fetch(self, url: str, stamp: datetime | None) -> bool:
        """True unless `url` was fetched and nothing says it changed since.

        `stamp` is the newest date a feed or sitemap gives now. It is compared with the date
        recorded at the last fetch, or, when none was, with the fetch time itself.
        """
        seen = self.urls.get(url)
        if seen is None:
            return True
        if stamp is None:
            return False
        before = parse_datetime(seen.get("modified")) or parse_datetime(seen.get("fetched_at"))
        return before is None or stamp > before

    def record(self, url: str, fetched_at: str, modified: str | None) -> None:
        self.urls[url] = {"fetched_at": fetched_at, "modified": modified}

    def save(self) -> None:
        # Merge with what is in the store now, so that two overlapping crawls of one site both
        # keep their entries (the later fetch of a URL wins).
        merged = _read(self.store, self.site)
        for url, entry in self.urls.items():
            old = merged.get(url)
            if old is None or str(entry.get("fetched_at", "")) >= str(old.get("fetched_at", "")):
                merged[url] = entry
        self.urls = merged
        data = json.dumps(merged, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self.store.put(ledger_key(self.site), data)


class LedgerExtension:
    """Loads the site's ledger at start; records uploaded articles and saves after each upload.

    The spider asks it (`crawler.get_extension(LedgerExtension).ledger`) whether to fetch.
    """

    def __init__(self, crawler: Crawler, ledger: Ledger):
        self.crawler = crawler
        self.ledger = ledger
        self._dirty = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool(S.LEDGER_ENABLED, True):
            raise NotConfigured("ledger disabled")
        site, uri = S.site_and_store(settings, "for the ledger")
        ledger = Ledger.load(open_store(uri), site.name)
        log.info("[%s] ledger: %d articles fetched before", site.name, len(ledger))
        o = cls(crawler, ledger)
        crawler.signals.connect(o.warc_uploaded, signal=warc_uploaded)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    def warc_uploaded(self, key: str, entries: list[LedgerEntry]) -> None:
        if not entries:
            return
        for e in entries:
            self.ledger.record(e.url, e.fetched_at, e.modified)
        self._dirty = True
        self._save()
        log.debug("[%s] ledger: %d URLs from %s", self.ledger.site, len(entries), key)

    def spider_closed(self) -> None:
        if self._dirty:
            self._save()

    def _save(self) -> None:
        try:
            self.ledger.save()
            self._dirty = False
        except StoreError as exc:
            # Kept in memory and tried again at the next upload and at close; if it never
            # succeeds, those pages are fetched again next run (duplicates are deduplicated).
            log.error("[%s] could not save the ledger: %s", self.ledger.site, exc)
            S.add_error(self.crawler.stats, self.crawler.settings, f"ledger: {exc}")
