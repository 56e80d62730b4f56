"""What a page itself states, read with newsmill's page parser: the day our published date
has in the page's own offset, and the ceilings no extractor that picks from the page can beat.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from extraction.datasets import Page
from extraction.extractors import FETCHED_AT, Output
from extraction.project import symbol
from extraction.reference import fold

_DAY_SPELLINGS = (
    "%Y-%m-%d",
    "%B %-d, %Y",
    "%b %-d, %Y",
    "%b. %-d, %Y",
    "%-d %B %Y",
    "%-d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d.%m.%Y",
    "%-d.%-m.%Y",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%-m/%-d/%Y",
    "%-d/%-m/%Y",
    "%Y%m%d",
)


def _meta(page: Page) -> Any | None:
    try:
        return symbol("load_page")(page.html).meta
    except Exception:  # noqa: BLE001 - a page newsmill cannot parse states nothing we can read
        return None


def own_day(page: Page, out: Output) -> str:
    """The day our published date states in its own offset: the record's `published_local`
    when it has one, else the day written in the raw value that produced `published_at`."""
    if out.local_day or not out.published_at:
        return out.local_day or out.date
    meta = _meta(page)
    if meta is None:
        return out.date
    normalise_date, written_day = symbol("normalise_date"), symbol("written_day")
    raws = [c.value for c in meta.published]
    raws.append(symbol("url_date")(page.url) or "")
    for raw in raws:
        if raw and normalise_date(raw, fetched_at=FETCHED_AT) == out.published_at:
            return written_day(raw) or out.date
    return out.date


def _title_reachable(meta: Any, want: str) -> bool:
    clean_title, plain = symbol("clean_title"), symbol("plain_typography")
    names = [c.value for c in meta.site_names]
    values = [c.value for c in meta.titles] + list(meta.headlines)
    spellings = {fold(v) for v in values}
    spellings |= {fold(clean_title(v, names)) for v in values}
    spellings |= {fold(plain(clean_title(v, names))) for v in values}
    return fold(want) in spellings


def _date_reachable(page: Page, meta: Any, want_day: str) -> bool:
    written_day = symbol("written_day")
    days = {written_day(c.value) for c in [*meta.published, *meta.modified]}
    days.add(symbol("url_date")(page.url))
    if want_day in days:
        return True
    try:
        wanted = date.fromisoformat(want_day)
    except ValueError:
        return False
    html = page.html.decode("utf-8", "replace").casefold()
    return any(wanted.strftime(f).casefold() in html for f in _DAY_SPELLINGS)


def reachable(page: Page) -> tuple[bool | None, bool | None]:
    """(title, date): whether the reference is among what the page itself states (None when
    the page has no reference). The title counts when it equals, after the benchmark's
    folding, one of the page's title signals (<title>, og/twitter/meta titles, JSON-LD
    headline, an <h1>) as written or without the site name; the date when its day is the day
    of one of the page's date values or is printed anywhere in the HTML in a common spelling.
    The rest of the references were edited or looked up by the annotators."""
    truth = page.truth
    meta = _meta(page)
    if meta is None:
        return (False if truth.title else None), (False if truth.date else None)
    title_ok = _title_reachable(meta, truth.title) if truth.title else None
    date_ok = _date_reachable(page, meta, truth.date) if truth.date else None
    return title_ok, date_ok
