"""A response body -> a checked, decoded, parsed page with its metadata, or `NoArticle`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement
from trafilatura.utils import load_html

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
    if not re.search(rb"<(?:!doctype html|html|head|body|p|div|article|title|meta)\b", head):
        raise NoArticle(f"not HTML: {mime or 'unknown content'}")


def load_page(body: bytes, content_type: str | None = None) -> LoadedPage:
    """Check, decode and parse a response body, and read its metadata. Raises NoArticle."""
    if len(body) > MAX_BYTES:
        raise NoArticle(f"page too large: {len(body)} bytes (limit {MAX_BYTES})")
    if not body.strip():
        raise NoArticle("empty page")
    _refuse_non_html(body, content_type)
    text, encoding = decode_html(body, content_type)
    try:
        tree = load_html(text)
    except (ValueError, TypeError) as err:
        raise NoArticle(f"unparseable HTML: {err}") from err
    if tree is None or not len(tree):
        raise NoArticle("unparseable HTML")
    return LoadedPage(tree=tree, meta=read_metadata(tree), encoding=encoding, size=len(body))
