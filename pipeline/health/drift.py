"""Drift: a site whose extraction falls far outside its own recent history.

Each figure of a site-day is compared with the same figure over the site's previous
HISTORY_DAYS days: the baseline is their median, the spread their median absolute deviation
(MAD, scaled to a standard deviation). A day is outside when it lies more than THRESHOLD spreads
from the median and by more than the figure's smallest change that matters (a site whose
authors were filled on 100% of pages for two weeks has no spread at all, and 97% is no news).
Robust on purpose: one odd day in the history moves neither median nor MAD.

A site needs MIN_HISTORY days with the figure before it can be flagged, so a new site is not.
Days already found outside do not enter later baselines, so a break stays flagged (with the day
it started) until the site recovers, instead of becoming the new normal.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from newsmill.pipeline.health.keeping import SiteDay
from newsmill.pipeline.health.stats import FIELDS, SiteDayStats

HISTORY_DAYS = 14
MIN_HISTORY = 5
THRESHOLD = 4.0
MIN_PAGES = 3  # fewer extracted pages than this on a day say nothing about its rates
_MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Figure:
    name: str  # as the operator reads it: "authors filled", "median length", "records"
    value: Callable[[SiteDayStats], float | None]
    drops_only: bool
    min_change: Callable[[float], float]  # smallest change that matters, given the baseline
    show: Callable[[float], str]
    # a day's sum over its runs (one run holds a share of it, so runs are not compared alone)
    additive: bool = False


def _fill(name: str) -> Callable[[SiteDayStats], float | None]:
    return lambda s: s.fill_rate(name) if s.extracted >= MIN_PAGES else None


def _median_length(s: SiteDayStats) -> float | None:
    return s.median_length() if s.extracted >= MIN_PAGES else None


def _records(s: SiteDayStats) -> float | None:
    return float(s.records) if s.pages else None


def _percent(v: float) -> str:
    return f"{v:.0%}"


FIGURES = (
    *(Figure(f"{f} filled", _fill(f), True, lambda b: 0.2, _percent) for f in FIELDS),
    # Longer texts can mean boilerplate got in, shorter ones a cut body: both directions.
    Figure("median length", _median_length, False, lambda b: 0.35 * b,
           lambda v: f"{v:.0f} words"),
    # A quiet site is not a broken one: only a large fall from a real volume counts.
    Figure("records", _records, True, lambda b: max(0.6 * b, 5.0), lambda v: f"{v:.0f}/day",
           additive=True),
)


@dataclass
class Flag:
    site: str
    figure: str
    baseline: float
    value: float
    since: str  # first day outside
    run: str  # first run of that day outside, or the day's first run
    day: str  # latest day outside
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _outside(fig: Figure, history: list[float], value: float) -> bool:
    if len(history) < MIN_HISTORY:
        return False
    base = statistics.median(history)
    spread = _MAD_TO_SD * statistics.median(abs(v - base) for v in history)
    change = base - value if fig.drops_only else abs(value - base)
    return change > max(THRESHOLD * spread, fig.min_change(base))


def _baseline(values: dict[str, float], outside: set[str], day: str) -> list[float]:
    first = (date.fromisoformat(day) - timedelta(days=HISTORY_DAYS)).isoformat()
    return [v for d, v in values.items() if first <= d < day and d not in outside]


def flag_site(site: str, days: dict[str, SiteDay]) -> list[Flag]:
    """The figures of `site` outside its history on its latest day with figures."""
    flags = []
    for fig in FIGURES:
        values = {d: v for d, e in sorted(days.items())
                  if (v := fig.value(e.total)) is not None}
        if not values:
            continue
        outside: set[str] = set()
        for day, value in values.items():
            if _outside(fig, _baseline(values, outside, day), value):
                outside.add(day)
        latest = max(values)
        if latest not in outside:
            continue
        since = latest
        for d in sorted(values, reverse=True):
            if d not in outside:
                break
            since = d
        history = _baseline(values, outside, since)
        base = statistics.median(history)
        run = _first_run_outside(fig, days[since], history)
        value = values[latest]
        flags.append(Flag(
            site=site, figure=fig.name, baseline=base, value=value, since=since, run=run,
            day=latest,
            message=(f"{site}: {fig.name} {fig.show(base)} -> {fig.show(value)} "
                     f"since {since} run {run or '?'}"),
        ))
    return flags


def _first_run_outside(fig: Figure, entry: SiteDay, history: list[float]) -> str:
    runs = sorted(entry.by_run)
    for run in [] if fig.additive else runs:
        value = fig.value(entry.by_run[run])
        if value is not None and _outside(fig, history, value):
            return run
    return runs[0] if runs else ""


def flag_sites(history: dict[str, dict[str, SiteDay]]) -> list[Flag]:
    """Flags of every site in `history` (site -> day -> figures), by site then figure."""
    return [f for site in sorted(history) for f in flag_site(site, history[site])]
