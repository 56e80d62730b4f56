"""Structural boilerplate removal: page parts that say what they are in their markup.

trafilatura decides by text density and a fixed list of patterns; site templates also label
their furniture: a newsletter box is a `<form>` with an e-mail field, a share bar has `share`
in its class, a cookie banner is a `role="dialog"`, an advert slot has `aria-label=
"advertisement"`, a row of "Back to index | Print" links is all links. `prune(tree)` removes
such elements from the parsed page before the main text is extracted.

Story text must survive: an element is removed only when it holds a small part of the page's
text (a class token like `share` can sit on a wrapper around the whole article, and then the
wrapper stays), and the class test matches a furniture word at the start of a class token and
followed by the token's end or a separator (`newsletter-box`, `share_bar`), never inside a
longer word (`shared-story`, `octane`, `loads`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

# Start of a class or id token that names page furniture.
_FURNITURE_TOKENS = (
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "sign-up",
    "share",
    "sharing",
    "sharedaddy",
    "social-share",
    "social-links",
    "related",
    "recommended",
    "promo",
    "cookie",
    "consent",
    "gdpr",
    "cta",
    "advert",
    "advertisement",
    "ads",
    "promotion",
    "cookies",
    "ad-slot",
    "ad-container",
    "ad-unit",
    "adsbygoogle",
    "sponsor",
    "disclosure",
    "affiliate-disclosure",
    "paywall",
    "donate",
    "donation",
    "support-us",
    "membership",
    "more-from",
    "most-popular",
    "most-read",
    "trending",
    "outbrain",
    "taboola",
    "breadcrumb",
    "pagination",
    "post-navigation",
    "footer-cta",
    "subscription-widget",
)
_TOKEN = r"(?:^|\s)(?:" + "|".join(re.escape(t) for t in _FURNITURE_TOKENS) + ")"
_CANDIDATE_MARKER = re.compile(_TOKEN + r"(?:$|[\s_-])", re.IGNORECASE)
# The same test over all of a page's values at once, lower-cased and joined by line breaks
# (a break is a space to `\s`, and the end is looked at, not taken, so the next value keeps
# its start): 0.56 ms a page instead of 0.93 for one search per value.
_MARKER_IN_JOINED = re.compile(_TOKEN + r"(?=$|[\s_-])")
# Candidates are found with few, cheap XPath queries (a Python test on every element, or an
# XPath with one test per furniture word, costs several milliseconds on a large page): class
# and id values come back as strings and one compiled pattern tests each.
_CLASS_VALUES = etree.XPath("//body//@class | //body//@id")
_MARKED = etree.XPath("//body//*[@role or @aria-modal or @aria-label] | //body//form")
# Blocks with two links or more side by side; `_link_row` keeps the short, link-only ones.
_LINK_PARENTS = etree.XPath("//body//a[following-sibling::a]/..")
_FURNITURE_ROLES = frozenset(
    {"dialog", "alertdialog", "banner", "navigation", "contentinfo", "search"}
)
_AD_LABEL = re.compile(r"advert|sponsored", re.IGNORECASE)


def _marked(el: HtmlElement) -> bool:
    if el.tag == "form":
        return bool(el.xpath(".//input[@type='email' or contains(@name, 'mail')]"))
    return (
        (el.get("role") or "").lower() in _FURNITURE_ROLES
        or el.get("aria-modal") == "true"
        or bool(_AD_LABEL.search(el.get("aria-label") or ""))
    )


def class_values(tree: HtmlElement) -> list[str]:
    """The class and id values inside the page's <body>, each as a string that knows its
    element (lxml's smart strings): read once, for pruning here and for the paywall test."""
    values: list[str] = _CLASS_VALUES(tree)
    return values


def _marked_values(values: list[str]) -> list[str]:
    joined = "\n".join(values)
    if not joined.isascii():  # lower() and IGNORECASE agree on ASCII only
        return [value for value in values if _CANDIDATE_MARKER.search(value)]
    starts = list(accumulate((len(value) + 1 for value in values), initial=0))
    # a match ends inside the value it was found in
    hits = {bisect_right(starts, m.end() - 1) - 1
            for m in _MARKER_IN_JOINED.finditer(joined.lower())}
    return [values[i] for i in sorted(hits)]


def _candidates(tree: HtmlElement, values: list[str]) -> list[HtmlElement]:
    found: dict[HtmlElement, None] = {}
    for value in _marked_values(values):
        found[value.getparent()] = None  # type: ignore[attr-defined]
    for el in _MARKED(tree):
        if _marked(el):
            found[el] = None
    for el in _LINK_PARENTS(tree):
        if el.tag in _LINK_ROW_TAGS and el not in found and _link_row(el):
            found[el] = None
    return [el for el in found if el.tag not in _KEEP_TAGS]


# Never removed whatever their class says: the document, and the containers that usually hold
# the story (their size guard would also keep them, this just saves the work).
_KEEP_TAGS = frozenset({"html", "body", "main", "article", "h1"})
# A furniture element may hold at most this share of the page's text, and at most this many
# characters: beyond that it is a wrapper, not a box.
MAX_SHARE = 0.25
MAX_CHARS = 1500
# A link row: short, at least two links, nearly all of its text inside them.
LINK_ROW_MAX_CHARS = 160
LINK_ROW_SHARE = 0.85
_LINK_ROW_TAGS = frozenset({"p", "div", "li", "td", "dd"})


def _text_len(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def _link_row(el: HtmlElement) -> bool:
    """A short row of links ("Back to index | Print"), as opposed to a paragraph with links."""
    total = _text_len(el)
    if not 0 < total <= LINK_ROW_MAX_CHARS:
        return False
    in_links = sum(_text_len(a) for a in el if a.tag == "a")
    return in_links >= LINK_ROW_SHARE * total


def prune(tree: HtmlElement, values: list[str] | None = None) -> int:
    """Remove the page's labelled furniture (see the module docstring), in place. Returns how
    many elements were removed. `values` is class_values(tree) when the caller has it."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = _text_len(root)
    limit = min(MAX_CHARS, total * MAX_SHARE)
    found = _candidates(tree, class_values(tree) if values is None else values)
    doomed = [el for el in found if _text_len(el) <= limit]
    removed = 0
    marked = set(doomed)
    for el in doomed:
        parent = el.getparent()
        if parent is None or any(a in marked for a in el.iterancestors()):
            continue
        # the tail is the text after the element, which belongs to the parent
        tail = el.tail
        if tail and tail.strip():
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)
        removed += 1
    return removed
