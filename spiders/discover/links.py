"""What the spider makes of a URL: an article to fetch, a section page to follow, or neither;
the links a fetched page offers; and the identity under which each is requested once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from newsmill.pipeline.dedup.urls import normalise_url, request_url
from newsmill.pipeline.warc.records import KIND_ARTICLE, KIND_PAGE

if TYPE_CHECKING:
    from newsmill.pipeline.sites import Site


def identity(url: str) -> str:
    """The spelling two links to one article share (tracking parameters, case and escapes
    normalised). The spider requests each identity once, but always by the URL it was given:
    servers can care about a bare `?amp`, about `%20` versus `+`, and about parameter order."""
    return normalise_url(url)


def classify(site: Site, url: str) -> str | None:
    """`article`, `page` (a section page to follow) or None (not for us)."""
    if site.article_urls:
        if site.is_article_url(url):
            return KIND_ARTICLE
        return KIND_PAGE if site.is_follow_url(url) else None
    # No article patterns: every page is an article, except the pages to follow.
    return KIND_PAGE if site.is_follow_url(url) else KIND_ARTICLE


def page_links(response: Response) -> Iterator[str]:
    """Every http(s) link (`<a>`, `<area>`) on an HTML page: absolute, without its fragment,
    otherwise as the page gave it."""
    if not isinstance(response, TextResponse):
        return
    for href in response.xpath("//a/@href | //area/@href").getall():
        try:
            url = request_url(response.urljoin(href.strip()))
        except ValueError:  # an unparseable href (bad IPv6 literal, bad port)
            continue
        if urlsplit(url).scheme in ("http", "https"):
            yield url
