"""Discovery documents: RSS / Atom feeds, sitemaps, sitemap indexes and Google News sitemaps.

Pure functions over the bytes a server sent, so they can be tested without a crawler. Scrapy's
own SitemapSpider drops `<news:publication_date>` and every other per-entry field we want as a
hint for extraction, so the documents are parsed here with lxml.

Elements are matched by local name, not by namespace URI: real feeds and sitemaps use old,
misspelt or missing namespaces (sitemaps 0.84, `http` vs `https` schema URIs), and being strict
about them would only lose entries.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

log = logging.getLogger(__name__)

# A gzip bomb must not take the crawler's memory: decompressed bodies are capped.
MAX_DECOMPRESSED = 50 * 1024 * 1024

VIA_FEED = "feed"
VIA_SITEMAP = "sitemap"


@dataclass(frozen=True)
class Entry:
    """One URL a feed or sitemap announced, with what it said about it."""

    url: str
    via: str  # "feed" | "sitemap"
    title: str | None = None
    published: datetime | None = None  # aware, UTC
    modified: datetime | None = None  # aware, UTC (feed `updated`, sitemap `lastmod`)
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    language: str | None = None

    @property
    def newest(self) -> datetime | None:
        """The latest date the document gave for this entry (what "changed since" compares)."""
        stamps = [d for d in (self.published, self.modified) if d is not None]
        return max(stamps) if stamps else None

    def hints(self) -> dict[str, Any]:
        """The `Newsmill-Hints` JSON object for this entry (ISO strings, absent keys omitted)."""
        out: dict[str, Any] = {"via": self.via}
        if self.title:
            out["title"] = self.title
        if self.published:
            out["published"] = iso(self.published)
        if self.modified:
            out["modified"] = iso(self.modified)
        if self.authors:
            out["authors"] = list(self.authors)
        if self.categories:
            out["categories"] = list(self.categories)
        if self.language:
            out["language"] = self.language
        return out


@dataclass(frozen=True)
class SitemapRef:
    """A child sitemap named by a sitemap index."""

    url: str
    lastmod: datetime | None = None


@dataclass
class Discovered:
    """What one discovery document contained."""

    kind: str  # "rss" | "atom" | "urlset" | "sitemapindex" | "text" | "unknown"
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[SitemapRef] = field(default_factory=list)
    error: str | None = None  # set when the document was malformed (entries may be partial)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- bytes -> XML tree -------------------------------------------------------------------------


def gunzip_if_needed(body: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress a gzip body (`sitemap.xml.gz` served without Content-Encoding), capped."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
        while chunk := gz.read(1024 * 1024):
            out.write(chunk)
            if out.tell() > limit:
                raise ValueError(f"gzip body larger than {limit} bytes once decompressed")
    return out.getvalue()


def _parser(recover: bool) -> etree.XMLParser:
    # No entity expansion, no DTD, no network, no huge trees: these are untrusted documents.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _parse_xml(body: bytes, url: str) -> tuple[etree._Element | None, str | None]:
    """Root element and an error message (None if the document parsed cleanly)."""
    try:
        body = gunzip_if_needed(body)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return None, f"bad gzip body: {exc}"
    # Leading whitespace or a BOM before the XML declaration makes libxml2 reject the document.
    body = body.lstrip(b"\xef\xbb\xbf").lstrip()
    if not body:
        return None, "empty document"
    try:
        return etree.fromstring(body, parser=_parser(False)), None
    except etree.XMLSyntaxError as exc:
        error = f"malformed XML: {exc}"
    # Salvage what precedes the damage: a stray `&` should not lose a whole feed.
    try:
        root = etree.fromstring(body, parser=_parser(True))
    except etree.XMLSyntaxError:
        root = None
    return root, error


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    value = " ".join("".join(el.itertext()).split())
    return value or None


def _child_text(el: etree._Element, name: str) -> str | None:
    return _text(_child(el, name))


# --- dates ---------------------------------------------------------------------------------------

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(value: str | None) -> datetime | None:
    """RFC 822 (RSS), ISO 8601 / W3C datetime (Atom, sitemaps) -> aware UTC datetime.

    Dates without a time are taken as midnight UTC; times without a zone as UTC. Anything
    unparseable is None, never a guess.
    """
    if not value:
        return None
    value = value.strip()
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        if m := _YEAR_MONTH.match(value):
            try:
                dt = datetime(int(m[1]), int(m[2]), 1)
            except ValueError:
                return None
        elif m := _YEAR.match(value):
            dt = datetime(int(m[1]), 1, 1)
        else:
            try:
                dt = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utc_day(dt: datetime) -> date:
    return dt.astimezone(UTC).date()


# --- feeds ---------------------------------------------------------------------------------------


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def _dedupe(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        v = " ".join(v.split())
        if v and v not in seen:
            seen[v] = None
    return tuple(seen)


def _rss_item(item: etree._Element, base: str | None, language: str | None) -> Entry | None:
    link = _child_text(item, "link")
    if not link:
        # A permalink guid is the item's URL when <link> is missing.
        guid = _child(item, "guid")
        if guid is not None and (guid.get("isPermaLink") or "true").lower() != "false":
            link = _text(guid)
    url = _absolute(link, base)
    if url is None:
        return None
    authors = [t for c in item if _local(c) in ("creator", "author") and (t := _text(c))]
    categories = [t for c in _children(item, "category") if (t := _text(c))]
    categories += [t for c in _children(item, "subject") if (t := _text(c))]
    published = parse_date(_child_text(item, "pubdate") or _child_text(item, "date"))
    modified = parse_date(_child_text(item, "updated") or _child_text(item, "modified"))
    return Entry(
        url=url,
        via=VIA_FEED,
        title=_child_text(item, "title"),
        published=published,
        modified=modified,
        authors=_dedupe(authors),
        categories=_dedupe(categories),
        language=_lang(_child_text(item, "language") or language),
    )


def _atom_entry(entry: etree._Element, base: str | None, language: str | None) -> Entry | None:
    href = None
    for link in _children(entry, "link"):
        rel = (link.get("rel") or "alternate").lower()
        if rel == "alternate" and link.get("href"):
            href = link.get("href")
            break
    url = _absolute(href, entry.get("{http://www.w3.org/XML/1998/namespace}base") or base)
    if url is None:
        return None
    authors = [t for a in _children(entry, "author") if (t := _child_text(a, "name") or _text(a))]
    categories = [
        c.get("label") or c.get("term") or "" for c in _children(entry, "category")
    ]
    lang = entry.get("{http://www.w3.org/XML/1998/namespace}lang") or language
    return Entry(
        url=url,
        via=VIA_FEED,
        title=_child_text(entry, "title"),
        published=parse_date(_child_text(entry, "published") or _child_text(entry, "issued")),
        modified=parse_date(_child_text(entry, "updated") or _child_text(entry, "modified")),
        authors=_dedupe(authors),
        categories=_dedupe(categories),
        language=_lang(lang),
    )


def _lang(value: str | None) -> str | None:
    """`en-GB`, `en_us`, `EN` -> `en`; anything that is not a language tag -> None."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


# --- sitemaps ------------------------------------------------------------------------------------


def _sitemap_url(el: etree._Element, base: str | None) -> Entry | None:
    url = _absolute(_child_text(el, "loc"), base)
    if url is None:
        return None
    title = None
    published = None
    language = None
    keywords: list[str] = []
    news = _child(el, "news")
    if news is not None:
        title = _child_text(news, "title")
        published = parse_date(_child_text(news, "publication_date"))
        publication = _child(news, "publication")
        if publication is not None:
            language = _lang(_child_text(publication, "language"))
        kw = _child_text(news, "keywords")
        if kw:
            keywords = [k for k in kw.split(",") if k.strip()]
    return Entry(
        url=url,
        via=VIA_SITEMAP,
        title=title,
        published=published,
        modified=parse_date(_child_text(el, "lastmod")),
        categories=_dedupe(keywords),
        language=language,
    )


def _text_sitemap(body: bytes, base: str | None) -> Discovered | None:
    """Plain-text sitemaps (one URL per line) are allowed by sitemaps.org."""
    try:
        text = gunzip_if_needed(body).decode("utf-8-sig")
    except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError):
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines or not all(re.match(r"^https?://\S+$", ln) for ln in lines):
        return None
    entries = [Entry(url=u, via=VIA_SITEMAP) for ln in lines if (u := _absolute(ln, base))]
    return Discovered(kind="text", entries=entries)


# --- sitemaps, streamed --------------------------------------------------------------------------

_SITEMAP_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}


def _stream_sitemap(body: bytes, url: str | None) -> Discovered | None:
    """A urlset or sitemap index parsed as a stream (None: not one of those, or not XML).

    Sitemap indexes and urlsets can hold 50,000 entries each, and their size is untrusted:
    iterparse hands over one `<url>`/`<sitemap>` element at a time and each is dropped once
    read, so the tree never exists in memory. Entries before a syntax error (a truncated
    document) are kept, with the error.
    """
    try:
        data = gunzip_if_needed(body)
    except (OSError, EOFError, zlib.error, ValueError):
        return None
    data = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if not data.startswith(b"<"):
        return None
    result: Discovered | None = None
    item = ""
    events = etree.iterparse(
        io.BytesIO(data), events=("start", "end"), resolve_entities=False, load_dtd=False,
        no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
    )
    try:
        for event, el in events:
            if result is None:
                kind = _local(el)
                if event != "start" or kind not in _SITEMAP_ROOTS:
                    return None  # a feed, or something else: the tree parser handles it
                result = Discovered(kind=kind)
                item = _SITEMAP_ROOTS[kind]
                continue
            if event != "end" or _local(el) != item:
                continue
            if item == "url":
                entry = _sitemap_url(el, url)
                if entry is not None:
                    result.entries.append(entry)
            else:
                loc = _absolute(_child_text(el, "loc"), url)
                if loc:
                    result.sitemaps.append(SitemapRef(loc, parse_date(_child_text(el, "lastmod"))))
            # Drop what was read: the element and its already-processed siblings.
            el.clear()
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        if result is None:
            return None
        result.error = f"malformed XML: {exc}"
        log.error("discovery: %s: %s (kept %d entries, %d sitemaps)", url, result.error,
                  len(result.entries), len(result.sitemaps))
    return result


# --- entry points --------------------------------------------------------------------------------


def parse_discovery(body: bytes, url: str | None = None) -> Discovered:
    """Any discovery document: sniffs RSS, Atom, urlset, sitemapindex or a text sitemap.

    Never raises on bad input: a malformed document gives what could be salvaged and `error`.
    """
    streamed = _stream_sitemap(body, url)
    if streamed is not None:
        return streamed
    root, error = _parse_xml(body, url or "")
    if root is None:
        text = _text_sitemap(body, url)
        if text is not None:
            return text
        result = Discovered(kind="unknown", error=error or "not a feed or sitemap")
        log.error("discovery: %s: %s", url, result.error)
        return result
    kind = _local(root)
    result = Discovered(kind="unknown", error=error)
    if kind in ("rss", "rdf"):
        result.kind = "rss"
        channel = _child(root, "channel")
        language = _child_text(channel, "language") if channel is not None else None
        for item in root.iter():
            if _local(item) == "item":
                entry = _rss_item(item, url, language)
                if entry is not None:
                    result.entries.append(entry)
    elif kind == "feed":
        result.kind = "atom"
        base = root.get("{http://www.w3.org/XML/1998/namespace}base") or url
        language = root.get("{http://www.w3.org/XML/1998/namespace}lang")
        for el in _children(root, "entry"):
            entry = _atom_entry(el, base, language)
            if entry is not None:
                result.entries.append(entry)
    elif kind == "urlset":
        result.kind = "urlset"
        for el in _children(root, "url"):
            entry = _sitemap_url(el, url)
            if entry is not None:
                result.entries.append(entry)
    elif kind == "sitemapindex":
        result.kind = "sitemapindex"
        for el in _children(root, "sitemap"):
            loc = _absolute(_child_text(el, "loc"), url)
            if loc:
                result.sitemaps.append(SitemapRef(loc, parse_date(_child_text(el, "lastmod"))))
    else:
        result.error = error or f"not a feed or sitemap (root element <{kind}>)"
    if result.error:
        log.error(
            "discovery: %s: %s (kept %d entries, %d sitemaps)",
            url,
            result.error,
            len(result.entries),
            len(result.sitemaps),
        )
    return result


def parse_feed(body: bytes, url: str | None = None) -> Discovered:
    """An RSS 2.0 / RSS 1.0 / Atom feed (any discovery document is accepted)."""
    return parse_discovery(body, url)


def parse_sitemap(body: bytes, url: str | None = None) -> Discovered:
    """A sitemap, sitemap index or Google News sitemap (any discovery document is accepted)."""
    return parse_discovery(body, url)
