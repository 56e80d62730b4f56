"""Which raw files wait for processing, found without listing the archive's whole history.

A marker `state/pending/<raw key>` says a raw file is in the store and not processed yet.
Processing lists only these markers and removes each one after the raw file's done marker
(`state/processed/<raw key>.done`) is written, so a run's listing cost follows what is new,
not the months of raw files and done markers behind it.

Markers are written by whoever puts a raw file: the crawl's archive after each upload and after
recovering a killed crawl's files (`mark(store, [key])`); after every crawl `pipeline.app.jobs`
also marks any unprocessed file in the crawled sites' recent date folders, for a file whose
marker could not be written. A full reconciliation (every raw file against every
done marker) runs once on a store that never had markers and then once every
NEWSMILL_PENDING_RESCAN_HOURS (default 24): raw files put by other means are found within a day.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from newsmill.storage import KeyNotFound, Store

log = logging.getLogger(__name__)

PREFIX = "state/pending/"
DONE_PREFIX = "state/processed/"
RESCAN_KEY = "state/pending-rescan.json"
DEFAULT_RESCAN_HOURS = 24.0
RAW_KEY = re.compile(
    r"^raw/site=(?P<site>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/(?P<stem>[^/]+)\.warc\.gz$"
)


def marker_key(raw_key: str) -> str:
    return PREFIX + raw_key


def done_key(raw_key: str) -> str:
    return DONE_PREFIX + raw_key + ".done"


def mark(store: Store, raw_keys: Iterable[str]) -> None:
    for key in raw_keys:
        store.put(marker_key(key), b"")


def clear(store: Store, raw_key: str) -> None:
    store.delete(marker_key(raw_key))


def waiting(store: Store, sites: Iterable[str] | None = None) -> list[str]:
    """Raw keys not yet processed, oldest date first within each site (the store's order)."""
    if _rescan_due(store):
        reconcile(store, "raw/")
        store.put(RESCAN_KEY, json.dumps({"at": _now().isoformat()}).encode())
    wanted = set(sites) if sites else None
    keys = []
    for marker in store.list(PREFIX):
        key = marker[len(PREFIX):]
        m = RAW_KEY.match(key)
        if not m or (wanted is not None and m["site"] not in wanted):
            continue
        if store.exists(done_key(key)):
            clear(store, key)  # processed by a run that died before removing the marker
            continue
        if not store.exists(key):
            log.warning("pending marker without its raw file, dropped: %s", key)
            clear(store, key)
            continue
        keys.append(key)
    return keys


def mark_recent(store: Store, sites: Iterable[str], days: int = 2) -> None:
    """Mark the unprocessed raw files of the sites' last `days` date folders (UTC)."""
    today = _now().date()
    for site in sites:
        for back in range(days):
            day = (today - timedelta(days=back)).isoformat()
            reconcile(store, f"raw/site={site}/date={day}/")


def reconcile(store: Store, raw_prefix: str) -> int:
    """Give every raw file under `raw_prefix` without a done marker a pending marker."""
    raw = [k for k in store.list(raw_prefix) if RAW_KEY.match(k)]
    if not raw:
        return 0  # the common case for a recent folder: one listing, nothing more
    done = {k[len(DONE_PREFIX):-len(".done")] for k in store.list(DONE_PREFIX + raw_prefix)}
    marked = {k[len(PREFIX):] for k in store.list(PREFIX + raw_prefix)}
    new = [k for k in raw if k not in done and k not in marked]
    mark(store, new)
    if new:
        log.info("found %d unprocessed raw files under %s", len(new), raw_prefix)
    return len(new)


def _now() -> datetime:
    return datetime.now(UTC)


def _rescan_due(store: Store) -> bool:
    try:
        last = datetime.fromisoformat(json.loads(store.get(RESCAN_KEY))["at"])
    except KeyNotFound:
        return True
    except (ValueError, KeyError, TypeError):
        return True
    return _now() - last > timedelta(hours=_rescan_hours())


def _rescan_hours() -> float:
    raw = os.environ.get("NEWSMILL_PENDING_RESCAN_HOURS", "").strip()
    try:
        return float(raw) if raw else DEFAULT_RESCAN_HOURS
    except ValueError:
        raise ValueError(f"NEWSMILL_PENDING_RESCAN_HOURS must be a number, got {raw!r}") from None
