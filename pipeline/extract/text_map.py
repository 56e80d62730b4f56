"""Where the record's text sits in the page: the elements its paragraphs came from.

trafilatura returns text, not elements. Embeds and images need both: an embed's `position` is
the paragraph of `text` it followed, and the article's images are the ones among its
paragraphs, not the ones in a sidebar. `TextMap` finds, for each paragraph of the final text,
the page element that printed it (a `<p>`, heading, list item... whose text starts the same
way), and from those the article's container: the nearest common ancestor of the matched
elements, widened to the enclosing `<article>` so the lead figure above the body is inside.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from lxml.html import HtmlElement

# Elements that print one paragraph of running text. A <div> is left out: it wraps others, and
# a wrapper whose text starts like its first paragraph would be mistaken for it.
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td")
# A paragraph and an element match when their first KEY_CHARS characters do (an element split
# by <br> gives trafilatura several lines, the first of which starts the same way).
KEY_CHARS = 40
_HEAD = 8
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Containers the text of an article can be widened to (not the page as a whole).
_ARTICLE_TAGS = frozenset({"article", "main"})


def _key(text: str) -> str:
    # Only the start is compared, normalised as the text's paragraphs were (NFC, no invisible
    # characters, one space), with str methods: this runs for every block of the page.
    for size in (KEY_CHARS * 2, KEY_CHARS * 8):
        start = text[:size]
        if not start.isascii():  # ASCII is NFC already
            start = unicodedata.normalize("NFC", start).translate(_INVISIBLE)
        key = " ".join(start.split())[:KEY_CHARS]
        # a start padded with whitespace or invisible characters needs a longer look
        if len(key) == KEY_CHARS or len(text) <= size:
            return key.casefold()
    return key.casefold()


def _ancestors_or_self(el: HtmlElement) -> list[HtmlElement]:
    return [el, *el.iterancestors()]


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    common = _ancestors_or_self(elements[0])
    for el in elements[1:]:
        mine = set(_ancestors_or_self(el))
        common = [a for a in common if a in mine]
    return common[0] if common else None


class TextMap:
    """The elements behind the text's paragraphs, in one page tree."""

    def __init__(self, tree: HtmlElement, paragraphs: list[str]) -> None:
        self.tree = tree
        by_key: dict[str, list[int]] = {}
        for i, para in enumerate(paragraphs):
            by_key.setdefault(_key(para), []).append(i)
        body = tree.find(".//body")
        self.body: HtmlElement = body if body is not None else tree
        # element -> index of the paragraph it printed; a repeated paragraph is given to its
        # elements in turn, in document order
        self.index: dict[HtmlElement, int] = {}
        taken: dict[str, int] = {}
        # Most blocks print no paragraph of the text. The first word of an ASCII start is the
        # start of its key as it is, so a start no paragraph's key has rules the block out
        # before the key is built (building keys was half of this loop's time).
        starts = {key[:n] for key in by_key for n in range(1, _HEAD + 1)}
        for el in self.body.iter(*_BLOCK_TAGS):
            text = el.text_content()
            head = text.lstrip()[:_HEAD]
            if head.isascii() and head and head.split(None, 1)[0].lower() not in starts:
                continue
            key = _key(text)
            indices = by_key.get(key) if key else None
            if not indices:
                continue
            n = taken.get(key, 0)
            self.index[el] = indices[min(n, len(indices) - 1)]
            taken[key] = n + 1
        self.scope = self._scope()

    def _scope(self) -> HtmlElement | None:
        if not self.index:
            return None
        common = _common_ancestor(list(self.index))
        if common is None:
            return None
        if common.tag in _BLOCK_TAGS:
            common = common.getparent() if common.getparent() is not None else common
        for ancestor in _ancestors_or_self(common):
            if ancestor.tag in _ARTICLE_TAGS:
                return ancestor
        return common

    def positions(self, targets: Iterable[HtmlElement]) -> dict[HtmlElement, int | None]:
        """For each target element: the index of the last paragraph printed before it, in
        document order (None when none was)."""
        wanted = set(targets)
        found: dict[HtmlElement, int | None] = {}
        if not wanted:
            return found
        last: int | None = None
        for el in self.body.iter():
            if el in wanted:
                found[el] = last
                if len(found) == len(wanted):
                    break
            index = self.index.get(el)
            if index is not None and (last is None or index > last):
                last = index
        return found
