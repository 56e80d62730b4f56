"""Sitemaps: urlsets (Google News ones included), sitemap indexes and plain-text sitemaps.

Scrapy's SitemapSpider drops `<news:publication_date>` and every other per-entry field we pass
to extraction as a hint, so sitemaps are read here. XML sitemaps are streamed (`stream_sitemap`);
`read_urlset` and `read_index` serve a tree the salvaging parser recovered instead.
"""

from __future__ import annotations

import re

from lxml import etree

from newsmill.spiders.discover import elements as E
from newsmill.spiders.discover.bodies import GZIP_ERRORS, gunzip_if_needed, iter_events, xml_bytes
from newsmill.spiders.discover.entries import VIA_SITEMAP, Discovered, Entry, SitemapRef

# Root element -> the element holding one item.
_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}
_URL_LINE = re.compile(r"^https?://\S+$")


def read_urlset(root: etree._Element, url: str | None, error: str | None = None) -> Discovered:
    result = Discovered(kind="urlset", error=error)
    for el in E.children(root, "url"):
        entry = _url_entry(el, url)
        if entry is not None:
            result.entries.append(entry)
    return result


def read_index(root: etree._Element, url: str | None, error: str | None = None) -> Discovered:
    result = Discovered(kind="sitemapindex", error=error)
    for el in E.children(root, "sitemap"):
        ref = _sitemap_ref(el, url)
        if ref is not None:
            result.sitemaps.append(ref)
    return result


def read_text(body: bytes, url: str | None) -> Discovered | None:
    """A plain-text sitemap (one URL per line, allowed by sitemaps.org), or None if it is not."""
    try:
        content = gunzip_if_needed(body).decode("utf-8-sig")
    except (*GZIP_ERRORS, UnicodeDecodeError):
        return None
    lines = [ln.strip() for ln in content.splitlines() if ln.strip()]
    if not lines or not all(_URL_LINE.match(ln) for ln in lines):
        return None
    entries = [Entry(url=u, via=VIA_SITEMAP) for ln in lines if (u := E.absolute(ln, url))]
    return Discovered(kind="text", entries=entries)


def stream_sitemap(body: bytes, url: str | None) -> Discovered | None:
    """A urlset or sitemap index parsed as a stream (None: not one of those, or not XML).

    Sitemap indexes and urlsets can hold 50,000 entries each, and their size is untrusted:
    one `<url>`/`<sitemap>` element at a time is read and then dropped, so the tree never
    exists in memory. Entries before a syntax error (a truncated document) are kept, with the
    error.
    """
    try:
        data = xml_bytes(body)
    except GZIP_ERRORS:
        return None
    if not data.startswith(b"<"):
        return None
    result: Discovered | None = None
    item = ""
    try:
        for event, el in iter_events(data):
            if result is None:
                kind = E.local(el)
                if event != "start" or kind not in _ROOTS:
                    return None  # a feed, or something else: the tree parser handles it
                result = Discovered(kind=kind)
                item = _ROOTS[kind]
                continue
            if event != "end" or E.local(el) != item:
                continue
            if item == "url":
                entry = _url_entry(el, url)
                if entry is not None:
                    result.entries.append(entry)
            elif (ref := _sitemap_ref(el, url)) is not None:
                result.sitemaps.append(ref)
            _drop_read(el)
    except etree.XMLSyntaxError as exc:
        if result is None:
            return None
        result.error = f"malformed XML: {exc}"
    return result


def _drop_read(el: etree._Element) -> None:
    """Free the element just read and its already-read siblings."""
    el.clear()
    parent = el.getparent()
    while parent is not None and el.getprevious() is not None:
        del parent[0]


def _sitemap_ref(el: etree._Element, base: str | None) -> SitemapRef | None:
    loc = E.absolute(E.child_text(el, "loc"), base)
    return SitemapRef(loc, E.child_date(el, "lastmod")) if loc else None


def _url_entry(el: etree._Element, base: str | None) -> Entry | None:
    url = E.absolute(E.child_text(el, "loc"), base)
    if url is None:
        return None
    title = None
    published = None
    language = None
    keywords: list[str] = []
    news = E.child(el, "news")
    if news is not None:
        title = E.child_text(news, "title")
        published = E.child_date(news, "publication_date")
        publication = E.child(news, "publication")
        if publication is not None:
            language = E.language(E.child_text(publication, "language"))
        kw = E.child_text(news, "keywords")
        if kw:
            keywords = [k for k in kw.split(",") if k.strip()]
    return Entry(
        url=url,
        via=VIA_SITEMAP,
        title=title,
        published=published,
        modified=E.child_date(el, "lastmod"),
        categories=E.dedupe(keywords),
        language=language,
    )
