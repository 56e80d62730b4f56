"""Values read from feed and sitemap elements: names, text, URLs, languages and dates.

Elements are matched by local name, not by namespace URI: real feeds and sitemaps use old,
misspelt or missing namespaces (sitemaps 0.84, `http` vs `https` schema URIs), and being strict
about them would only lose entries.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsmill.pipeline.dates import parse_datetime

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def local(el: Any) -> str:
    """The element's tag without namespace, lower-cased ("" for comments and PIs)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c) == name]


def child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if local(c) == name:
            return c
    return None


def text(el: etree._Element | None) -> str | None:
    """The element's text with whitespace runs collapsed; None when empty."""
    if el is None:
        return None
    value = " ".join("".join(el.itertext()).split())
    return value or None


def child_text(el: etree._Element, name: str) -> str | None:
    return text(child(el, name))


def child_date(el: etree._Element, *names: str) -> datetime | None:
    """The first of the named children that has text, as an aware UTC datetime, read by the
    project's one date parser (None when it does not parse: a date is never guessed)."""
    for name in names:
        value = child_text(el, name)
        if value:
            return parse_datetime(value)
    return None


def absolute(url: str | None, base: str | None) -> str | None:
    """`url` resolved against `base`, or None unless it is http(s)."""
    if not url:
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def dedupe(values: list[str]) -> tuple[str, ...]:
    """Whitespace-collapsed values, empty ones dropped, first occurrence kept."""
    seen: dict[str, None] = {}
    for v in values:
        v = " ".join(v.split())
        if v and v not in seen:
            seen[v] = None
    return tuple(seen)


def language(value: str | None) -> str | None:
    """`en-GB`, `en_us`, `EN` -> `en`; anything that is not a language tag -> None."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None
