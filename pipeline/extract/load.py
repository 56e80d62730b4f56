"""A response body -> a checked, decoded, parsed page with its metadata, or `NoArticle`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newsmill.pipeline.extract.candidates import PageMetadata
from newsmill.pipeline.extract.decode import decode_html
from newsmill.pipeline.extract.metadata import read_metadata

MAX_BYTES = 20_000_000


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers put on HTML often enough that the body has to decide.
_SNIFF_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "text/plain",
        "application/xml",
        "text/xml",
        "application/x-httpd-php",
        "unknown/unknown",
    }
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
)
_HTML_MARKER = re.compile(
    rb"<(?:!doctype html|html|head|body|p|div|article|title|meta)\b", re.IGNORECASE
)
SNIFF_BYTES = 65_536
_XML_ROOTS = (
    (b"<rss", "application/rss+xml"),
    (b"<feed", "application/atom+xml"),
    (b"<urlset", "application/xml"),
    (b"<sitemapindex", "application/xml"),
)


class NoArticle(Exception):
    """The page yields no article; `reason` says why in one line (goes to quarantine)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class LoadedPage:
    """A decoded, parsed page and its metadata: the work shared by every later step."""

    tree: HtmlElement
    meta: PageMetadata
    encoding: str
    size: int


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _refuse_non_html(body: bytes, content_type: str | None) -> None:
    start = body[:16]
    for magic, mime in _MAGIC:
        if start.startswith(magic):
            raise NoArticle(f"not HTML: {mime}")
    mime = _mime(content_type)
    if mime in _HTML_TYPES:
        return
    if mime not in _SNIFF_TYPES and not mime.endswith("+xml"):
        raise NoArticle(f"not HTML: {mime}")
    head = body[:2048].lstrip().lower()
    for root, xml_mime in _XML_ROOTS:
        if root in head and b"<html" not in head:
            raise NoArticle(f"not HTML: {xml_mime}")
    # The markers are looked for further than the XML roots: a page can open with kilobytes of
    # PHP warnings ("<br /><b>Deprecated</b>: ...") or an inline <style> before its <html>.
    if not _HTML_MARKER.search(body, 0, SNIFF_BYTES):
        raise NoArticle(f"not HTML: {mime or 'unknown content'}")


def _parser() -> HTMLParser:
    """trafilatura's parser settings (no comments, no processing instructions), with one change:
    lxml.html picks each element's Python class in a Python callback (to give form fields their
    own classes, which nothing here uses), run every time an element is touched. That callback
    was 12% of extraction's CPU (cProfile, 200 WCXB pages: 1.3 million calls); the C-level
    default lookup gives every element the same `HtmlElement`. Copies of the tree, which
    trafilatura makes, keep the parser and so the lookup."""
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                        remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    ))
    return parser


_PARSER = _parser()


def parse_html(text: str) -> HtmlElement | None:
    """The page's tree as trafilatura.utils.load_html would build it (the same repairs of a
    faulty doctype or <html/>, the same refusal of a non-HTML text), with `_PARSER`."""
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    try:
        tree = fromstring(text, parser=_PARSER)
    except ValueError:
        # lxml refuses a str that carries an XML encoding declaration
        tree = None
    if tree is None or not len(tree):
        # its UTF-8 bytes then, which is also trafilatura's second try for an empty tree
        tree = fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def load_page(body: bytes, content_type: str | None = None) -> LoadedPage:
    """Check, decode and parse a response body, and read its metadata. Raises NoArticle."""
    if len(body) > MAX_BYTES:
        raise NoArticle(f"page too large: {len(body)} bytes (limit {MAX_BYTES})")
    if not body.strip():
        raise NoArticle("empty page")
    _refuse_non_html(body, content_type)
    text, encoding = decode_html(body, content_type)
    try:
        tree = parse_html(text)
    except (ValueError, TypeError, etree.ParserError) as err:
        raise NoArticle(f"unparseable HTML: {err}") from err
    if tree is None or not len(tree):
        raise NoArticle("unparseable HTML")
    return LoadedPage(tree=tree, meta=read_metadata(tree), encoding=encoding, size=len(body))
