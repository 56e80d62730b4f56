"""The project's one date parser, shared by discovery (feeds, sitemaps) and extraction (metadata).

Policy (records and crawl windows depend on it):

- A value that states an offset or a zone keeps it; a value with a time but no offset is taken
  as UTC (publishers who omit the offset almost always mean the server's clock); a date without
  a time is midnight UTC of that day.
- Unix timestamps (seconds or milliseconds) are accepted, as numbers or digit strings.
- Nothing is guessed: a text missing the year, or an all-numeric day/month pair that reads both
  ways ("03/05/2024"), is None.
- `YYYY-MM` and `YYYY` (W3C datetime, sitemaps) are the first day of the period unless the caller
  needs a whole day (`require_day=True`, what article records use).

dateutil reads ISO 8601, RFC 2822 and English month names; for a text it cannot read, it tries
again in fuzzy mode (labels around the date skipped) with month and weekday names in every
language of dateparser's locale data (dateparser is installed with htmldate).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from dateutil import parser as dateutil_parser

# dateutil knows only UTC/GMT/Z by name. These abbreviations have one meaning in news usage;
# any other zone name is ignored, which leaves the time as UTC (see policy).
_ZONE_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "AEST": 10, "AEDT": 11, "JST": 9, "MEZ": 1, "MESZ": 2,
}  # fmt: skip

# Two defaults that differ in every date field: a field the text leaves out shows as a difference.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_SPACES = re.compile(r"\s+")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_ISO_START = re.compile(r"^\d{4}(?:-\d{2}){0,2}(?:[T ]|$)")
_ISO_PARTIAL = re.compile(r"^\d{4}(?:-\d{2})?$")
_YEAR_FIRST_SLASHED = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b(.*)$")
_NUMERIC_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_WORD = re.compile(r"[^\W\d_]{3,}")
_ENGLISH = dateutil_parser.parser()
# dateutil reads "GMT+0100" and "CET+0100" the POSIX way, as one hour *behind* UTC; pages
# (JavaScript's Date.toString among them) mean one hour ahead. The number decides, so the name
# before it goes.
_NAME_BEFORE_OFFSET = re.compile(r"(?<=[\d\s])[A-Za-z]{2,5}(?=[+-]\d{2}:?\d{2}\b)")


def parse_datetime(value: object, *, require_day: bool = False) -> datetime | None:
    """`value` (text, datetime or Unix timestamp) as an aware UTC datetime, or None."""
    local = parse_local(value, require_day=require_day)
    return local.astimezone(UTC) if local else None


def parse_local(value: object, *, require_day: bool = False) -> datetime | None:
    """Like `parse_datetime`, but in the offset the value states (UTC when it states none)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    # Feeds and sitemaps are almost all ISO 8601: the standard library reads those without the
    # normalisation and dateutil passes below (a 50,000-entry sitemap spent 30% of its parse here).
    if len(value) >= 10 and value[4:5] == "-":
        try:
            return _aware(datetime.fromisoformat(value))
        except ValueError:
            pass
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    text = _NAME_BEFORE_OFFSET.sub("", text)
    if not text:
        return None
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    if _ISO_PARTIAL.match(text):
        return None if require_day else _iso(text)
    if _ISO_START.match(text):
        return _iso(text) or _with_dateutil(text)
    slashed = _YEAR_FIRST_SLASHED.match(text)
    if slashed:
        y, m, d, rest = slashed.groups()
        text = f"{y}-{int(m):02d}-{int(d):02d}{rest}"
    elif _ambiguous_day_month(text):
        return None
    return _with_dateutil(text) or _with_other_languages(text)


def written_day(value: object) -> str | None:
    """The calendar day a date value states, in its own offset ("2025-12-19T01:00:00+05:30"
    -> "2025-12-19", where the UTC value is on the 18th); None when unparseable.

    Records stay in UTC; this is for comparing with sources that give the publisher's local
    day, like reference datasets and the dateline printed on the page.
    """
    local = parse_local(value, require_day=True)
    return local.date().isoformat() if local else None


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(text: str) -> datetime | None:
    try:
        return _aware(dateutil_parser.isoparse(text))
    except (ValueError, OverflowError):
        return None


def _zone(name: str | None, offset: int | None) -> tzinfo | int | None:
    if offset is not None or name is None:
        return offset
    hours = _ZONE_HOURS.get(name.upper())
    return timezone(timedelta(hours=hours)) if hours is not None else UTC


def _with_dateutil(
    text: str, reader: dateutil_parser.parser | None = None, *, fuzzy: bool = False
) -> datetime | None:
    results: list[datetime] = []
    for default in _DEFAULTS:
        try:
            found = (reader or _ENGLISH).parse(text, default=default, tzinfos=_zone, fuzzy=fuzzy)
            results.append(found)
        except (ValueError, OverflowError):
            return None
    first, second = results
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # the text leaves out the year, the month or the day
    return _aware(first)


def _ambiguous_day_month(text: str) -> bool:
    m = _NUMERIC_DAY_MONTH.search(text)
    if not m:
        return False
    first, second, year = m.groups()
    return len(year) != 4 or (first != second and int(first) <= 12 and int(second) <= 12)


_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _names(keys: tuple[str, ...], english: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each key's names in every language dateparser knows, English first. A word that names
    two different months or days in two languages ("listopad") is left out, and so are words
    shorter than three letters: in fuzzy parsing they would match ordinary words."""
    from dateparser.languages.loader import default_loader

    meanings: dict[str, set[int]] = {}
    for locale in default_loader.get_locales():
        for i, key in enumerate(keys):
            for word in locale.info.get(key, []):
                meanings.setdefault(word.casefold().rstrip("."), set()).add(i)
    taken = {word.casefold() for names in english for word in names}
    return [
        (
            *english[i],
            *(w for w, m in meanings.items() if m == {i} and len(w) >= 3 and w not in taken),
        )
        for i in range(len(keys))
    ]


class _Multilingual(dateutil_parser.parserinfo):
    """dateutil's parser vocabulary with month and weekday names in every language dateparser
    ships locale data for (its own parser is too slow for a fallback: over ten seconds on one
    page's "22 Sep,2021 1632hrs IST")."""

    def __init__(self) -> None:
        self.MONTHS = _names(_MONTH_KEYS, dateutil_parser.parserinfo.MONTHS)
        self.WEEKDAYS = _names(_WEEKDAY_KEYS, dateutil_parser.parserinfo.WEEKDAYS)
        super().__init__()


@lru_cache(maxsize=1)
def _multilingual() -> dateutil_parser.parser:
    # Built on first use: reading dateparser's locale data takes most of a second.
    return dateutil_parser.parser(_Multilingual())


def _with_other_languages(text: str) -> datetime | None:
    # A month name in another language, or a label around the date ("Published on ...",
    # "Veröffentlicht am ..."): only texts stating a year are worth the fuzzy parse.
    if not (_YEAR.search(text) and _WORD.search(text)):
        return None
    return _with_dateutil(text, _multilingual(), fuzzy=True)
