"""Untrusted discovery bodies into XML: decompressed within a cap, parsed without entities,
DTDs or network access, with what precedes damage salvaged."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from lxml import etree
from scrapy.utils.gz import gunzip

# A gzip bomb must not take the crawler's memory: decompressed bodies are capped.
MAX_DECOMPRESSED = 50 * 1024 * 1024

# What a damaged gzip body raises (Scrapy's gunzip raises ValueError past the cap).
GZIP_ERRORS = (OSError, EOFError, zlib.error, struct.error, ValueError)

# No entity expansion, no DTD, no network, no huge trees: these are untrusted documents.
_SAFE = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def gunzip_if_needed(body: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress a gzip body (`sitemap.xml.gz` served without Content-Encoding), capped.

    Raises one of GZIP_ERRORS for a damaged body or one larger than `limit` decompressed.
    """
    if not body.startswith(b"\x1f\x8b"):
        return body
    return gunzip(body, max_size=limit)


def xml_bytes(body: bytes) -> bytes:
    """The body as an XML parser should see it (raises one of GZIP_ERRORS)."""
    # Leading whitespace or a BOM before the XML declaration makes libxml2 reject the document.
    return gunzip_if_needed(body).lstrip(b"\xef\xbb\xbf").lstrip()


def parse_tree(body: bytes) -> tuple[etree._Element | None, str | None]:
    """Root element and an error message (None if the document parsed cleanly)."""
    try:
        data = xml_bytes(body)
    except GZIP_ERRORS as exc:
        return None, f"bad gzip body: {exc}"
    if not data:
        return None, "empty document"
    try:
        return etree.fromstring(data, parser=etree.XMLParser(recover=False, **_SAFE)), None
    except etree.XMLSyntaxError as exc:
        error = f"malformed XML: {exc}"
    # Salvage what precedes the damage: a stray `&` should not lose a whole feed.
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(recover=True, **_SAFE))
    except etree.XMLSyntaxError:
        root = None
    return root, error


def iter_events(data: bytes) -> Iterator[tuple[str, Any]]:
    """`start` and `end` events over XML bytes, with the same safety options as `parse_tree`.

    Raises etree.XMLSyntaxError where the document breaks, after the events before it.
    """
    return etree.iterparse(io.BytesIO(data), events=("start", "end"), **_SAFE)
