"""The publication date a page prints for its reader, when its markup declares none.

Two places hold it, in this order of trust:

- a `<time datetime="...">` element of the article (not of a comment, a sidebar teaser or the
  footer), preferring one marked as the publication time;
- the dateline printed next to the headline ("20 December 2025", "Jan 23, 2025 · 5 min read"),
  within a few elements before or after the `<h1>`.

A date labelled as an update ("Last updated: Dec 12, 2025", a `<time>` marked `dateModified`)
is skipped: the record's `published_at` is the first publication, and the modified date has
its own field. Dates are parsed only in unambiguous spellings: a month name, ISO 8601, or the
day-first dotted form ("12.12.2025"); "03/04/2025" could be either of two days and is left to
htmldate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from newsmill.pipeline.extract.date_values import normalise_date
from newsmill.pipeline.extract.regions import furniture_pattern, in_furniture
from newsmill.pipeline.extract.whitespace import normalise_space

_EXCLUDED = furniture_pattern(
    "comment",
    "respond",
    "reply",
    "footer",
    "sidebar",
    "widget",
    "related",
    "recommend",
    "nav",
    "menu",
    "teaser",
    "card",
    "promo",
)
_UPDATE = re.compile(r"\b(?:updated?|modified|edited|revised|reviewed|last\s+changed)\b", re.I)
_PUBLISHED_MARK = re.compile(r"publish|posted|created|pubdate|date-?pub|entry-date", re.I)
_PUBLISHED_LABEL = re.compile(r"\b(?:published|posted|publish date|first published)\b", re.I)
_MODIFIED_MARK = re.compile(r"modif|updat|revis", re.I)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}-[01]\d-[0-3]\d"
    r"|[0-3]?\d\.[01]?\d\.(?:19|20)\d{2})\b",
    re.I,
)
_DOTTED = re.compile(r"([0-3]?\d)\.([01]?\d)\.((?:19|20)\d{2})")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.I)

# How far from the headline a dateline may sit, in elements of document order.
WINDOW = 30
_MAX_CHARS = 80


def _excluded(el: HtmlElement) -> bool:
    return in_furniture(el, _EXCLUDED, include_self=True)


def _marker(el: HtmlElement) -> str:
    parent = el.getparent()
    attrs = [el.get("itemprop"), el.get("class"), el.get("id")]
    if parent is not None:
        attrs += [parent.get("itemprop"), parent.get("class"), parent.get("id")]
    return " ".join(a for a in attrs if a)


def _parse(text: str, fetched_at: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    found = m.group(0)
    dotted = _DOTTED.fullmatch(found)
    if dotted:
        day, month, year = dotted.groups()
        found = f"{year}-{int(month):02d}-{int(day):02d}"
    else:
        found = _ORDINAL.sub(r"\1", found).replace(".", " ")
    return normalise_date(" ".join(found.split()), fetched_at=fetched_at)


def time_element_date(tree: HtmlElement, fetched_at: str) -> str | None:
    """The publication time from the article's `<time datetime>` elements."""
    plain: str | None = None
    for el in tree.iter("time"):
        raw = el.get("datetime")
        if not raw:
            continue
        marker = _marker(el)
        label = normalise_space(" ".join(el.itertext()))
        previous = el.getprevious()
        before = normalise_space(previous.text_content()) if previous is not None else ""
        parent = el.getparent()
        lead = normalise_space(parent.text or "") if parent is not None else ""
        if _MODIFIED_MARK.search(marker) or _UPDATE.search(f"{label} {before} {lead}"):
            continue
        if _excluded(el):
            continue
        value = normalise_date(raw, fetched_at=fetched_at)
        if value is None:
            continue
        if _PUBLISHED_MARK.search(marker) or _PUBLISHED_LABEL.search(f"{before} {lead}"):
            return value
        plain = plain or value
    return plain


def _texts_near(tree: HtmlElement, headline: HtmlElement) -> Iterator[tuple[int, HtmlElement]]:
    """Short text elements around the headline, nearest first, with their distance."""
    order = [el for el in tree.iter() if isinstance(el.tag, str)]
    try:
        at = order.index(headline)
    except ValueError:
        return
    for distance in range(1, WINDOW + 1):
        for i in (at + distance, at - distance):
            if 0 <= i < len(order):
                yield distance, order[i]


def visible_dateline(tree: HtmlElement, fetched_at: str) -> str | None:
    """The date printed next to the page's headline, unless it is labelled as an update."""
    headline = next((h for h in tree.iter("h1") if not _excluded(h)), None)
    if headline is None:
        return None
    for _, el in _texts_near(tree, headline):
        if el.tag in ("script", "style") or _excluded(el):
            continue
        # The element's own text, not its children's: a container of the whole header would
        # otherwise match on a date three elements down.
        text = normalise_space(" ".join(t for t in (el.text, *(c.tail for c in el)) if t))
        if not text or len(text) > _MAX_CHARS:
            continue
        value = _parse(text, fetched_at)
        if value is None:
            continue
        previous = el.getprevious()
        label = normalise_space(previous.text_content()) if previous is not None else ""
        # A label is a short text without a date of its own ("Last updated:" + "<span>date").
        is_label = len(label) <= 30 and not _DATE.search(label)
        if _UPDATE.search(text) or (is_label and _UPDATE.search(label)):
            continue
        return value
    return None
