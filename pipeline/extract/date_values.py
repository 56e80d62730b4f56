"""Record date values: `YYYY-MM-DDTHH:MM:SSZ` in UTC, or None.

Parsing is the project's one parser (`newsmill.pipeline.dates`): offsets are converted, a time
without an offset is UTC, a date without a time is midnight UTC of that day. Dates more than one
day after the fetch or before 1990 are implausible and become None: a wrong date is worse than
no date. A value that names no day ("2024-05") is None too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsmill.pipeline.dates import parse_datetime, parse_local, written_day

# written_day is part of this module's interface: it is how extraction code and the benchmark
# compare a record date with the publisher's own calendar day.
__all__ = ["EARLIEST", "ISO_FORMAT", "format_utc", "local_time", "normalise_date", "written_day"]

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


def format_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime(ISO_FORMAT)


def normalise_date(value: object, *, fetched_at: str | None = None) -> str | None:
    """`value` as `YYYY-MM-DDTHH:MM:SSZ`, or None when unparseable or implausible.

    Plausible means from 1990-01-01 up to one day after `fetched_at` (or after now, when the fetch
    time is unknown): a page cannot have been published after it was fetched, and the slack
    absorbs clock skew and time-zone mistakes.
    """
    parsed = parse_datetime(value, require_day=True)
    if parsed is None:
        return None
    ceiling = parse_datetime(fetched_at) if fetched_at else None
    if ceiling is None:
        ceiling = datetime.now(UTC)
    if parsed < EARLIEST or parsed > ceiling + FUTURE_SLACK:
        return None
    return format_utc(parsed)


# A value that says it is UTC: the parser cannot tell "…Z" from a time with no offset at all
# (both come back as UTC), and only the first one states the publisher's offset.
_STATES_UTC = re.compile(r"\dZ\b|[+-]00:?00\b|\b(?:UTC|GMT)\b", re.IGNORECASE)


def local_time(value: object, *, fetched_at: str | None = None) -> str | None:
    """`value` as ISO 8601 in the offset it states ("2026-07-10T00:50:17+02:00"), or None when
    it states no offset (a day, a time without a zone, a Unix timestamp) or is implausible."""
    if not isinstance(value, str) or normalise_date(value, fetched_at=fetched_at) is None:
        return None
    local = parse_local(value, require_day=True)
    if local is None or local.utcoffset() is None:
        return None
    if not local.utcoffset() and not _STATES_UTC.search(value):
        return None
    return local.replace(microsecond=0).isoformat()
