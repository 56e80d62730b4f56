"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one `Entry` per item that names an http(s) URL.

Scrapy has no feed reader that keeps per-item dates, authors and categories (we pass them to
extraction as hints), so the parsed tree is read here.
"""

from __future__ import annotations

from lxml import etree

from newsmill.spiders.discover import elements as E
from newsmill.spiders.discover.entries import VIA_FEED, Discovered, Entry


def read_rss(root: etree._Element, url: str | None, error: str | None = None) -> Discovered:
    """An `<rss>` or `<rdf:RDF>` root (items may sit in the channel or beside it in RSS 1.0)."""
    result = Discovered(kind="rss", error=error)
    channel = E.child(root, "channel")
    language = E.child_text(channel, "language") if channel is not None else None
    for item in root.iter():
        if E.local(item) == "item":
            entry = _rss_item(item, url, language)
            if entry is not None:
                result.entries.append(entry)
    return result


def read_atom(root: etree._Element, url: str | None, error: str | None = None) -> Discovered:
    """An Atom `<feed>` root."""
    result = Discovered(kind="atom", error=error)
    base = root.get(E.XML_BASE) or url
    language = root.get(E.XML_LANG)
    for el in E.children(root, "entry"):
        entry = _atom_entry(el, base, language)
        if entry is not None:
            result.entries.append(entry)
    return result


def _rss_item(item: etree._Element, base: str | None, language: str | None) -> Entry | None:
    link = E.child_text(item, "link")
    if not link:
        # A permalink guid is the item's URL when <link> is missing.
        guid = E.child(item, "guid")
        if guid is not None and (guid.get("isPermaLink") or "true").lower() != "false":
            link = E.text(guid)
    url = E.absolute(link, base)
    if url is None:
        return None
    authors = [t for c in item if E.local(c) in ("creator", "author") and (t := E.text(c))]
    categories = [t for c in E.children(item, "category") if (t := E.text(c))]
    categories += [t for c in E.children(item, "subject") if (t := E.text(c))]
    return Entry(
        url=url,
        via=VIA_FEED,
        title=E.child_text(item, "title"),
        published=E.child_date(item, "pubdate", "date"),
        modified=E.child_date(item, "updated", "modified"),
        authors=E.dedupe(authors),
        categories=E.dedupe(categories),
        language=E.language(E.child_text(item, "language") or language),
    )


def _atom_entry(entry: etree._Element, base: str | None, language: str | None) -> Entry | None:
    href = None
    for link in E.children(entry, "link"):
        rel = (link.get("rel") or "alternate").lower()
        if rel == "alternate" and link.get("href"):
            href = link.get("href")
            break
    url = E.absolute(href, entry.get(E.XML_BASE) or base)
    if url is None:
        return None
    authors = [
        t for a in E.children(entry, "author") if (t := E.child_text(a, "name") or E.text(a))
    ]
    categories = [c.get("label") or c.get("term") or "" for c in E.children(entry, "category")]
    return Entry(
        url=url,
        via=VIA_FEED,
        title=E.child_text(entry, "title"),
        published=E.child_date(entry, "published", "issued"),
        modified=E.child_date(entry, "updated", "modified"),
        authors=E.dedupe(authors),
        categories=E.dedupe(categories),
        language=E.language(entry.get(E.XML_LANG) or language),
    )
