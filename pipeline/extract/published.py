"""Which date is the record's `published_at` (and `modified_at`), from everything the page and
its feed entry say.

In rank order:

1. ISO 8601 dates in JSON-LD, OpenGraph, meta tags and microdata, then the feed or sitemap
   entry the URL came from (`PageMetadata.published` keeps that order);
2. a `<time datetime>` of the article (`pipeline.extract.dateline`);
3. the date in the URL (`/2024/05/03/`);
4. the dateline printed beside the headline (`pipeline.extract.dateline`);
5. htmldate, bounded by the fetch date;
6. a JSON-LD/OpenGraph value that is not ISO 8601 ("Jun 24, 2025"). Those fields are ISO by
   definition; a display date there comes from a theme that fills it with the day the page was
   rendered or last edited, not the day the story first ran.

One more check: when the markup's published and modified dates are the same instant, they
are usually the page's last build stamped into both fields. If the page then prints an
earlier date for its reader (a `<time>` or the dateline), that printed date is the
publication date.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsmill.pipeline.dates import parse_datetime
from newsmill.pipeline.extract.candidates import (
    JSON_LD,
    META,
    OG,
    SIGNAL_TRAFILATURA,
    SIGNAL_URL,
    TEXT,
    PageMetadata,
    Sourced,
)
from newsmill.pipeline.extract.date_values import local_time, normalise_date
from newsmill.pipeline.extract.dateline import time_element_date, visible_dateline

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|[-_]|$)")
_ISO_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
# A printed date this much earlier than a build stamp is the story's own date, not a time-zone
# difference.
_STAMP_SLACK = timedelta(days=1)


def url_date(url: str) -> str | None:
    """`/2024/05/03/` (or `/2024-05-03-slug`) in the path -> that day, as an ISO date."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_DATE.search(path)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def first_date(candidates: list[Sourced[str]], fetched_at: str) -> tuple[str | None, str | None]:
    """The first candidate that is a plausible date, normalised, with its signal."""
    for cand in candidates:
        value = normalise_date(cand.value, fetched_at=fetched_at)
        if value:
            return value, cand.signal
    return None, None


def _htmldate(tree: HtmlElement, url: str, fetched_at: str) -> str | None:
    """htmldate, bounded by the fetch date rather than today: first on markup only, then, when
    the markup has no date, with its search of the visible text ("Posted on 12 May 2024").

    The text search can find a date the story mentions rather than its publication date, so
    it runs last, and a bare 1 January is refused: that is what htmldate returns when all it
    found was a year (a copyright line, a "2026 guide" headline), and a year is not a date.
    """
    from htmldate import find_date

    ceiling = (fetched_at or "")[:10] or None
    for extensive in (False, True):
        try:
            found = find_date(
                tree,
                url=url,
                original_date=True,
                extensive_search=extensive,
                min_date="1990-01-01",
                max_date=ceiling,
            )
        except (ValueError, TypeError):
            return None
        if found and not (extensive and found[5:10] == "01-01"):
            return normalise_date(found, fetched_at=fetched_at)
    return None


def choose_dates(
    tree: HtmlElement,
    meta: PageMetadata,
    hints: dict[str, Any],
    hint_signal: str,
    *,
    urls: tuple[str, str],
    fetched_at: str,
) -> tuple[str | None, str | None, str | None]:
    """(published_at, the signal that gave it, modified_at), all UTC or None.

    `urls` is (canonical URL, fetched URL); `hints` the feed/sitemap entry."""
    canonical, url = urls
    candidates = list(meta.published)
    if hints.get("published"):
        candidates.append(Sourced(str(hints["published"]), hint_signal))
    loose = [c for c in candidates if c.signal in (JSON_LD, OG) and not _ISO_DAY.match(c.value)]
    modified_candidates = list(meta.modified)
    if hints.get("modified"):
        modified_candidates.append(Sourced(str(hints["modified"]), hint_signal))
    modified, _ = first_date(modified_candidates, fetched_at)

    published, signal = first_date([c for c in candidates if c not in loose], fetched_at)
    if published is not None and published == modified and signal in (JSON_LD, OG, META):
        printed = time_element_date(tree, fetched_at) or visible_dateline(tree, fetched_at)
        earlier, stamp = parse_datetime(printed), parse_datetime(published)
        if printed and earlier and stamp and earlier < stamp - _STAMP_SLACK:
            return printed, TEXT, modified
    if published is None:
        published = time_element_date(tree, fetched_at)
        signal = TEXT if published else None
    if published is None:
        published = normalise_date(url_date(canonical) or url_date(url), fetched_at=fetched_at)
        signal = SIGNAL_URL if published else None
    if published is None:
        published = visible_dateline(tree, fetched_at)
        signal = TEXT if published else None
    if published is None:
        published = _htmldate(tree, canonical, fetched_at)
        signal = SIGNAL_TRAFILATURA if published else None
    if published is None:
        published, signal = first_date(loose, fetched_at)
    return published, signal, modified


def choose_published_local(
    tree: HtmlElement,
    meta: PageMetadata,
    hints: dict[str, Any],
    published: str | None,
    fetched_at: str,
) -> str | None:
    """`published` in the offset the page states for it: the first date value of the markup,
    the feed entry or a `<time datetime>` that names the same instant with an offset. An
    offset other than UTC wins (a page that says both "Z" and "+09:00" is published in Seoul);
    None when no value states one."""
    if not published:
        return None
    raws = [c.value for c in meta.published]
    if hints.get("published"):
        raws.append(str(hints["published"]))
    raws += [str(v) for v in tree.xpath("//time/@datetime")[:20]]
    found = [
        local
        for raw in raws
        if normalise_date(raw, fetched_at=fetched_at) == published
        and (local := local_time(raw, fetched_at=fetched_at))
    ]
    return next((v for v in found if not v.endswith("+00:00")), found[0] if found else None)
