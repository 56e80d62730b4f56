"""Meta-refresh redirects: the crawl follows them as Scrapy's MetaRefreshMiddleware decides,
reading only the head of the page (spiders.meta_refresh)."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_crawl import RouteHandler, captures
from loopback_pair import LoopbackServer
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newsmill.spiders.meta_refresh import HEAD_BYTES, HeadMetaRefreshMiddleware, page_head
from newsmill.spiders.runner.crawl import run_crawl
from newsmill.storage import open_store

URL = "http://127.0.0.1:8000/news/old-address.html"
FILLER = "<p>" + "Harbour works go on through the winter. " * 40 + "</p>\n"
BODY_TAIL = FILLER * 20  # ~33 KB: every page below is longer than HEAD_BYTES


def _page(head: str, charset: str = "utf-8", declare: bool = True) -> bytes:
    meta = f'<meta charset="{charset}">' if declare else ""
    html = f"<html><head>{meta}{head}<title>Moved</title></head><body>{BODY_TAIL}</body></html>"
    return html.encode(charset)


def _refresh(url: str, delay: int = 0) -> str:
    return f'<meta http-equiv="refresh" content="{delay}; url={url}">'


PAGES: dict[str, bytes] = {
    "refresh in the head": _page(_refresh("/news/new-address.html")),
    "no refresh": _page(""),
    "refresh in noscript": _page(f"<noscript>{_refresh('/js-off.html')}</noscript>"),
    "refresh too slow to follow": _page(_refresh("/later.html", delay=3600)),
    "refresh after 4,096 characters": _page(f"<style>{'x' * 5000}</style>"
                                            + _refresh("/too-far.html")),
    "refresh after multibyte text": _page("<meta name=description content='"
                                          + "港口工程" * 300 + "'>" + _refresh("/港口.html")),
    "refresh to a windows-1252 address": _page(_refresh("/café.html"), charset="cp1252"),
    "undeclared encoding": _page(_refresh("/naïve.html"), charset="latin-1", declare=False),
    "absolute address": _page(_refresh("https://example.org/elsewhere")),
}


def _decision(mw: MetaRefreshMiddleware, body: bytes) -> tuple[str | None, Response | None]:
    request = Request(URL)
    response = HtmlResponse(URL, body=body, request=request,
                            headers={"Content-Type": "text/html"})
    answer = mw.process_response(request, response)
    if isinstance(answer, Request):
        return answer.url, None
    return None, answer if answer is response else None


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_decision_is_scrapys(name: str) -> None:
    crawler = get_crawler()
    ours = HeadMetaRefreshMiddleware.from_crawler(crawler)
    scrapys = MetaRefreshMiddleware.from_crawler(crawler)
    body = PAGES[name]
    assert len(body) > HEAD_BYTES

    redirect, kept = _decision(ours, body)

    assert redirect == _decision(scrapys, body)[0]
    if redirect is None:
        # The page itself goes on to the spider, not the cut copy the decision was made on.
        assert kept is not None and kept.body == body
    if name == "refresh in the head":
        assert redirect == "http://127.0.0.1:8000/news/new-address.html"


def test_the_head_copy_keeps_everything_but_the_rest_of_the_body() -> None:
    request = Request(URL)
    response = HtmlResponse(URL, status=203, body=PAGES["no refresh"], request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"},
                            flags=["cached"], ip_address=None)
    head = page_head(response)
    assert head.body == response.body[:HEAD_BYTES]
    assert (head.url, head.status, head.headers, head.flags, head.request) == (
        response.url, response.status, response.headers, response.flags, response.request)
    short = HtmlResponse(URL, body=b"<html><head></head></html>", request=request)
    assert page_head(short) is short


# --- in a crawl ----------------------------------------------------------------------------------


class RefreshSite:
    """A feed of one article URL that answers, gzipped, with a long page whose head refreshes
    to the article's new address."""

    HOST = "127.0.0.14"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []  # (host, path) requested
        self.server = LoopbackServer((self.HOST, 0), RouteHandler, self)
        self.base = f"http://{self.HOST}:{self.server.server_address[1]}"

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/feed.xml":
            item = f"<item><title>t</title><link>{self.base}/a/old</link></item>"
            body = f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        if path == "/a/old":
            page = gzip.compress(_page(_refresh(f"{self.base}/a/new")))
            return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, page
        if path == "/a/new":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _page("")
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def sites_yaml(self) -> str:
        return f"""\
allow_private_networks: ["{self.HOST}/32"]
defaults: {{delay: 0, concurrency: 2, obey_robots: false}}
sites:
  - name: refresh
    domains: ["{self.HOST}"]
    feeds: ["{self.base}/feed.xml"]
    article_urls: ['/a/']
    max_age_days: null
"""


@pytest.fixture
def refresh_site() -> Iterator[RefreshSite]:
    site = RefreshSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join()


def test_a_crawl_follows_a_meta_refresh_in_a_gzipped_page(refresh_site: RefreshSite,
                                                           tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(refresh_site.sites_yaml())
    store = open_store(str(tmp_path / "store"))

    result = run_crawl(str(sites), None, store.uri, "refresh-1")

    stats = result.sites["refresh"]
    assert not stats.failed
    assert (RefreshSite.HOST, "/a/new") in refresh_site.log
    got = {c.url.removeprefix(refresh_site.base) for c in captures(store, stats.raw_keys)}
    # The page that refreshed was received, so it is archived, and so is where it led.
    assert {"/a/old", "/a/new"} <= got
