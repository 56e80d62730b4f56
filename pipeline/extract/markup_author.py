"""trafilatura's author finder, the last resort for a byline, asked only where it can answer.

`trafilatura.metadata.extract_author` copies the whole page, prunes it and runs three XPath
searches whose regular-expression tests call back into Python for every element with a class:
6.5 ms a call on the tune halves of the development sets, where it ran on 295 of 801 pages and
found nothing on the 184 of them with no author-like attribute or element at all (0.6 ms to
check). Every one of its searches asks for an element whose class, id, rel, itemprop,
data-testid or data-component holds one of the words below (compared case-sensitively, or for
an exact value), or for an `author` or `rel` element; pruning only removes elements. So a page
with none of those words in those attributes, in any case, and neither element, gets None from
it, and is not asked.
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

_ATTRIBUTES = etree.XPath(
    "//@class | //@id | //@rel | //@itemprop | //@data-testid | //@data-component",
    smart_strings=False,
)
_ELEMENTS = etree.XPath("//author | //rel")
# Lower-cased: each word, or a lower-cased piece of it, of trafilatura's AUTHOR_XPATHS
# (trafilatura 2.x, trafilatura/xpaths.py). A wider list only costs a call; a narrower one
# would lose authors, which tests/test_markup_author.py guards.
_AUTHOR_WORDS = re.compile(
    "author|byl|bbl|username|zuozhe|bianji|xiaobian|channel-name|submitted-by|posted-by"
    "|journalist-name|screenname|writer"
)


def may_name_author(tree: HtmlElement) -> bool:
    """False when trafilatura's author finder cannot find anything on this page."""
    # Both queries give lists: attribute values as plain strings (smart_strings off), elements.
    values = cast(list[str], _ATTRIBUTES(tree))
    return bool(_AUTHOR_WORDS.search(" ".join(values).lower()) or _ELEMENTS(tree))


def markup_author(tree: HtmlElement) -> str | None:
    """trafilatura's guess at the author from the page's markup, or None."""
    if not may_name_author(tree):
        return None
    from trafilatura.metadata import extract_author

    return extract_author(tree)
