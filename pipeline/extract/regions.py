"""Which part of a page an element sits in: the article, or the furniture around it.

The byline and dateline finders read short texts anywhere on the page, so they must not read
them from comment threads, navigation, footers, sidebars or teaser cards: a commenter's name
or a related story's date is not the article's.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

FURNITURE_TAGS = frozenset({"nav", "footer", "aside", "script", "style", "noscript", "form"})


def furniture_pattern(*words: str) -> re.Pattern[str]:
    """A class/id matcher for `words` at the start of a token ("comments-area", "nav_main"),
    not inside one: utility-class frameworks produce tokens like
    "max-w-[--content-navigation-width]"."""
    return re.compile(r"(?:^|\s)(?:" + "|".join(words) + ")", re.I)


def in_article(el: HtmlElement) -> bool:
    return any(node.tag in ("article", "main") for node in el.iterancestors())


def in_furniture(
    el: HtmlElement,
    pattern: re.Pattern[str],
    *,
    include_self: bool = False,
    aside_of_article: bool = False,
) -> bool:
    """True when `el` (or, with `include_self`, the element itself) is inside furniture
    between it and the page's <main>, or the <article> that holds the headline.

    `aside_of_article` lets an <aside> inside <article> or <main> count as the article: themes
    put the article's facts (author, date, reading time) in a side box there."""
    nodes = [el, *el.iterancestors()] if include_self else el.iterancestors()
    for node in nodes:
        if node.tag == "main" or (node.tag == "article" and node.find(".//h1") is not None):
            # Whatever wraps the article is not furniture of it: an unclosed <aside> of a
            # banner swallows the rest of the page when the parser recovers. (An <article>
            # without a headline is a teaser card, not the story.)
            return False
        if node.tag == "aside" and aside_of_article and in_article(node):
            continue
        if node.tag in FURNITURE_TAGS:
            return True
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marker.strip() and pattern.search(marker):
            return True
    return False
