"""Crawls of the demo sites with real Scrapy in a subprocess, into a real local store.

One demo server and one store for the module: the first run (edition 1) is checked, then a
second run against edition 2 must fetch only what is new or changed. Backfill uses its own store.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers_crawl import all_raw_keys, captures, records
from scrapy.settings import Settings

from newsmill.pipeline.demo.server import HOSTS, DemoServer, RequestLog
from newsmill.pipeline.sites import SitesFileError
from newsmill.pipeline.warc.records import Capture
from newsmill.spiders.archive.ledger import ledger_key
from newsmill.spiders.runner.crawl import CrawlResult, run_crawl
from newsmill.storage import Store, open_store


@dataclass
class Run:
    result: CrawlResult
    log: list[RequestLog]  # what the demo server saw during this run
    caps: list[Capture]  # response records of the run's WARC files

    def statuses(self, url: str) -> list[int]:
        return [c.status for c in self.caps if c.url == url]

    def requested(self, url: str) -> list[int]:
        """Statuses the server answered for `url`'s host and path, in order."""
        host, path = _host_path(url)
        return [r.status for r in self.log if r.host == host and r.path == path]


def _host_path(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    return hostport.split(":")[0], "/" + path.split("?")[0]


def _crawl(server: DemoServer, sites: Path, store: Store, run_id: str, **kw: object) -> Run:
    server.reset()
    result = run_crawl(str(sites), None, store.uri, run_id, **kw)  # type: ignore[arg-type]
    return Run(result, server.requests, captures(store, result.raw_keys))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return open_store(str(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="module")
def first(demo_server: DemoServer, sites_file: Path, store: Store) -> Run:
    demo_server.set_edition(1)
    # Small WARC files, so rolling and several uploads per site are exercised.
    return _crawl(demo_server, sites_file, store, "run-1",
                  settings={"NEWSMILL_ARCHIVE_ROLL_RECORDS": 7})


@pytest.fixture(scope="module")
def second(first: Run, demo_server: DemoServer, sites_file: Path, store: Store) -> Run:
    demo_server.set_edition(2)
    return _crawl(demo_server, sites_file, store, "run-2")


# --- first run -----------------------------------------------------------------------------------


def test_every_current_article_archived_once(first: Run, demo_server: DemoServer) -> None:
    assert not first.result.failed_sites
    current = [a for a in demo_server.catalogue() if a.edition == 1 and not a.archive]
    assert len(current) >= 10
    for article in current:
        ok = [c for c in first.caps if c.url == article.canonical_url and 200 <= c.status < 300]
        assert len(ok) == 1, article.canonical_url
        cap = ok[0]
        assert cap.site == article.site
        assert cap.kind == "article"
        assert b"</html>" in cap.body.lower()  # the whole page, Content-Encoding undone
        assert cap.source in ("feed", "sitemap", "link")
        if cap.source in ("feed", "sitemap"):
            assert cap.hints["via"] == cap.source


def test_archive_articles_not_fetched_incrementally(first: Run, demo_server: DemoServer) -> None:
    archive = [a for a in demo_server.catalogue() if a.archive]
    assert archive
    for article in archive:
        assert first.requested(article.canonical_url) == []
        assert first.statuses(article.canonical_url) == []


def test_every_response_archived(first: Run, store: Store) -> None:
    # Everything the publishers answered (robots.txt, feeds, sitemaps, pages, the 503) is in
    # raw/, and nothing else is.
    served = collections.Counter(
        (r.host, r.path) for r in first.log if r.host in (HOSTS["gazette"], HOSTS["ledger"])
    )
    archived = collections.Counter(_host_path(c.url) for c in first.caps)
    assert archived == served
    for name, stats in first.result.sites.items():
        assert stats.responses_archived == stats.pages_fetched > 0
        assert stats.raw_keys == all_raw_keys(store, name)
        assert len(stats.raw_keys) >= 2  # rolled every 7 responses
        assert all(k.startswith(f"raw/site={name}/date=") for k in stats.raw_keys)
    kinds = {(c.kind, c.source) for c in first.caps if c.url.endswith("/robots.txt")}
    assert kinds == {("page", "robots")}


def test_warc_is_self_consistent(first: Run, store: Store) -> None:
    """Read with warcio alone: request/response pairs, bodies decodable as served."""
    key = first.result.sites["gazette"].raw_keys[0]
    recs = list(records(store, key))
    assert recs[0].type == "warcinfo"
    responses = [r for r in recs if r.type == "response"]
    requests = [r for r in recs if r.type == "request"]
    assert len(responses) == len(requests) > 0
    ids = {r.warc_headers["WARC-Record-ID"] for r in responses}
    assert {r.warc_headers["WARC-Concurrent-To"] for r in requests} == ids
    for r in responses:
        assert "transfer-encoding" not in r.headers
        if r.status == 200 and "html" in r.headers.get("content-type", ""):
            assert b"</html>" in r.body.lower()
    assert any(r.headers.get("content-encoding") == "gzip" for r in responses)
    for r in requests:
        assert r.headers["user-agent"].startswith("newsmill-demo")


def test_flaky_page_retried(first: Run, demo_server: DemoServer) -> None:
    url = demo_server.case_url("flaky")
    assert first.requested(url) == [503, 200]
    assert first.statuses(url) == [503, 200]


def test_calendar_trap_bounded(first: Run) -> None:
    calendar = [r.path for r in first.log if r.path.startswith("/calendar/")]
    assert calendar
    # Start page (depth 0) -> this month (1) -> its neighbours (2) -> theirs (3): max_depth 3.
    assert len(calendar) == len(set(calendar)) <= 5


def test_non_html_and_broken_pages_archived(first: Run, demo_server: DemoServer) -> None:
    for case in ("non_html", "broken"):
        url = demo_server.case_url(case)
        caps = [c for c in first.caps if c.url == url]
        assert [(c.status, c.kind) for c in caps] == [(200, "article")], case
    pdf = next(c for c in first.caps if c.url == demo_server.case_url("non_html"))
    assert pdf.content_type == "application/pdf"


def test_tracked_link_to_a_listed_article_is_fetched_once(first: Run,
                                                          demo_server: DemoServer) -> None:
    """The home page links a story with utm_ parameters; the feed lists it without: one
    identity, so one fetch, by the URL the feed gave."""
    tracked = demo_server.case_url("tracking")
    clean = tracked.split("?")[0]
    host, path = _host_path(tracked)
    assert [r.query for r in first.log if r.host == host and r.path == path] == [""]
    assert first.statuses(clean) == [200]


def test_politeness(first: Run, demo_server: DemoServer) -> None:
    assert not demo_server.requested("gazette", "/private/")
    assert not demo_server.requested("elsewhere", "/")
    assert {r.user_agent for r in first.log} == {"newsmill-demo (+https://example.org/newsmill)"}
    gazette = first.result.sites["gazette"]
    assert gazette.refused_robots >= 1 and gazette.refused_offsite >= 1
    assert gazette.errors == []


def test_ledger_lists_fetched_articles(first: Run, store: Store, demo_server: DemoServer) -> None:
    ledger = json.loads(store.get(ledger_key("gazette")))
    fetched = {c.url for c in first.caps if c.site == "gazette" and c.kind == "article"
               and c.status == 200}
    assert fetched and fetched <= set(ledger)
    for entry in ledger.values():
        assert entry["fetched_at"].endswith("Z")
    # A page that failed is not in the ledger: the flaky one got there on its retry only.
    assert demo_server.case_url("flaky") in ledger


# --- second run: edition 2 -----------------------------------------------------------------------


def test_second_run_fetches_only_new_and_changed(
    second: Run, first: Run, demo_server: DemoServer
) -> None:
    assert not second.result.failed_sites
    catalogue = demo_server.catalogue()
    new = [a.canonical_url for a in catalogue if a.edition == 2 and not a.archive]
    assert new
    for url in new:
        assert second.statuses(url) == [200], url
    changed = demo_server.case_url("changed")
    assert second.requested(changed) == [200]
    unchanged = [
        a.canonical_url
        for a in catalogue
        if a.edition == 1 and not a.archive and a.canonical_url != changed
    ]
    for url in unchanged:
        assert second.requested(url) == [], url
    assert sum(s.skipped_seen for s in second.result.sites.values()) >= len(unchanged)
    # New WARC files; the first run's are untouched.
    assert not set(second.result.raw_keys) & set(first.result.raw_keys)


# --- backfill ------------------------------------------------------------------------------------


def test_backfill_sitemap_takes_the_range(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    store = open_store(str(tmp_path / "store"))
    demo_server.reset()
    result = run_crawl(
        str(sites_file), ["gazette"], store.uri, "backfill-1", mode="backfill-sitemap",
        date_from=date(2019, 3, 1), date_to=date(2019, 3, 31),
    )
    caps = captures(store, result.raw_keys)
    articles = {c.url for c in caps if c.kind == "article"}
    in_range = {
        a.canonical_url
        for a in demo_server.catalogue()
        if a.site == "gazette" and "2019-03-01" <= a.published_at[:10] <= "2019-03-31"
    }
    assert in_range and articles == in_range
    assert {c.source for c in caps if c.kind == "article"} == {"backfill-sitemap"}
    # Sitemaps only: no feed, no start page.
    assert not demo_server.requested("gazette", "/feed/")
    assert [r.path for r in demo_server.requests if r.path == "/"] == []
    assert result.sites["gazette"].skipped_old >= 1  # the other 2019 article


def test_bad_sites_file_fails_before_crawling(tmp_path: Path) -> None:
    bad = tmp_path / "sites.yaml"
    bad.write_text("sites:\n  - name: x\n    domains: [a.example]\n")
    with pytest.raises(SitesFileError, match="feeds"):
        run_crawl(str(bad), None, str(tmp_path / "store"), "bad")
    assert not (tmp_path / "store").exists()


# --- units: settings, ledger ---------------------------------------------------------------------


def test_site_settings_win_over_the_run(sites_file: Path) -> None:
    from newsmill.pipeline.sites import load_sites
    from newsmill.spiders.runner.process import crawler_settings
    from newsmill.spiders.settings import base_settings

    site = load_sites(sites_file).site("gazette")
    site = dataclasses.replace(site, obey_robots=False, delay=1.5, concurrency=3)
    base = base_settings(store_uri="/tmp/x", run_id="r")
    settings = crawler_settings(base, site, {"DOWNLOAD_MAXSIZE": 1000})
    # AsyncCrawlerProcess merges the run's settings into each crawler like this:
    settings.update(Settings(base))
    assert settings.getbool("ROBOTSTXT_OBEY") is False
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.5
    assert settings.getdict("DOWNLOAD_SLOTS")["gazette"]["concurrency"] == 3
    assert settings.get("USER_AGENT") == site.user_agent
    assert settings.getint("DOWNLOAD_MAXSIZE") == 1000
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False


def test_ledger_skips_unless_changed(tmp_path: Path) -> None:
    from newsmill.spiders.archive.ledger import Ledger

    store = open_store(str(tmp_path))
    ledger = Ledger.load(store, "s")
    url = "https://s.example/2024/05/01/a/"
    assert ledger.should_fetch(url, None)
    ledger.record(url, "2024-05-02T00:00:00Z", "2024-05-01T09:00:00Z")
    ledger.record("https://s.example/link-only/", "2024-05-02T00:00:00Z", None)
    ledger.save()

    again = Ledger.load(store, "s")
    assert not again.should_fetch(url, None)
    assert not again.should_fetch(url, datetime(2024, 5, 1, 9, tzinfo=UTC))
    assert again.should_fetch(url, datetime(2024, 5, 1, 9, 1, tzinfo=UTC))
    # No date recorded: compared with the fetch time.
    assert not again.should_fetch("https://s.example/link-only/", datetime(2024, 5, 1, tzinfo=UTC))
    assert again.should_fetch("https://s.example/link-only/", datetime(2024, 5, 3, tzinfo=UTC))


def test_links_are_requested_as_the_page_gave_them() -> None:
    from scrapy.http import HtmlResponse

    from newsmill.spiders.discover.links import identity, page_links

    page = HtmlResponse(
        "https://s.example/news/",
        body=b'<a href="/a/story?amp">x</a> <a href="b%20c.html?utm_source=x#top">y</a>'
             b'<map><area href="https://s.example/c?b=2&amp;a=1"></map>'
             b'<a href="mailto:desk@s.example">z</a>',
        encoding="utf-8",
    )
    links = list(page_links(page))
    assert links == [
        "https://s.example/a/story?amp",
        "https://s.example/news/b%20c.html?utm_source=x",
        "https://s.example/c?b=2&a=1",
    ]
    # Requested once per identity: tracking parameters and parameter order do not count.
    assert identity(links[1]) == identity("https://S.example/news/b%20c.html")
    assert identity(links[2]) == identity("https://s.example/c?a=1&b=2")


def test_damaged_ledger_starts_empty(tmp_path: Path) -> None:
    from newsmill.spiders.archive.ledger import Ledger

    store = open_store(str(tmp_path))
    store.put(ledger_key("s"), b"{not json")
    assert len(Ledger.load(store, "s")) == 0


def test_crawl_into_s3(demo_server: DemoServer, sites_file: Path, s3_uri: str) -> None:
    """The same crawl into a bucket (moto_server over HTTP): WARC files and ledger land there."""
    demo_server.set_edition(1)
    demo_server.reset()
    result = run_crawl(str(sites_file), ["ledger"], s3_uri, "s3-run")
    stats = result.sites["ledger"]
    assert not stats.failed and stats.raw_keys
    store = open_store(s3_uri)
    assert all_raw_keys(store, "ledger") == stats.raw_keys
    caps = captures(store, stats.raw_keys)
    assert len(caps) == stats.responses_archived == stats.pages_fetched
    assert store.exists(ledger_key("ledger"))
