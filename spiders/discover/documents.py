"""Discovery documents: which kind a body is (RSS / Atom feed, sitemap, sitemap index, Google
News sitemap, text sitemap), read by `feeds` or `sitemaps`.

Pure functions over the bytes a server sent, so they can be tested without a crawler. Nothing
here raises on bad input: a malformed document gives what could be salvaged, with `error` set
and logged with the document's URL.
"""

from __future__ import annotations

import logging

from newsmill.spiders.discover import elements as E
from newsmill.spiders.discover.bodies import parse_tree
from newsmill.spiders.discover.entries import Discovered
from newsmill.spiders.discover.feeds import read_atom, read_rss
from newsmill.spiders.discover.sitemaps import read_index, read_text, read_urlset, stream_sitemap

log = logging.getLogger(__name__)

# Root element (local name) -> the reader of a parsed tree.
_READERS = {
    "rss": read_rss,
    "rdf": read_rss,
    "feed": read_atom,
    "urlset": read_urlset,
    "sitemapindex": read_index,
}


def parse_discovery(body: bytes, url: str | None = None) -> Discovered:
    """Any discovery document: sniffs RSS, Atom, urlset, sitemapindex or a text sitemap."""
    result = stream_sitemap(body, url) or _from_tree(body, url)
    if result.error:
        log.error("discovery: %s: %s (kept %d entries, %d sitemaps)",
                  url, result.error, len(result.entries), len(result.sitemaps))
    return result


def _from_tree(body: bytes, url: str | None) -> Discovered:
    root, error = parse_tree(body)
    if root is None:
        text = read_text(body, url)
        return text or Discovered(kind="unknown", error=error or "not a feed or sitemap")
    kind = E.local(root)
    reader = _READERS.get(kind)
    if reader is None:
        return Discovered(
            kind="unknown", error=error or f"not a feed or sitemap (root element <{kind}>)"
        )
    return reader(root, url, error)

