"""The drift rule and the figures it reads, on figures written to a real local store.

The end-to-end case (real crawls and processing, one site losing its bylines) is in
tests/test_health.py; here the edges of the rule: a new site, a noisy history, a recovery.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from newsmill.pipeline.health import keeping
from newsmill.pipeline.health.drift import MIN_HISTORY
from newsmill.pipeline.health.record import current_flags
from newsmill.pipeline.health.stats import SiteDayStats
from newsmill.storage import open_store

LAST = "2026-11-30"


def day(offset: int) -> str:
    return (date.fromisoformat(LAST) - timedelta(days=offset)).isoformat()


def page(authors: bool = True, words: int = 500) -> SimpleNamespace:
    return SimpleNamespace(title="T", authors=["A. Writer"] if authors else [],
                           published_at="2026-11-01T00:00:00Z", description="d",
                           image=None, language="en", word_count=words)


def record_day(store, site: str, d: str, *, with_authors: int, without: int = 0,
               words: int = 500, run: str | None = None) -> None:
    stats = SiteDayStats(site, d, runs=[run or f"{d.replace('-', '')}T040000Z-aaaaaa"])
    for _ in range(with_authors):
        stats.observe_record(page(True, words))
        stats.observe_verdict("new")
    for _ in range(without):
        stats.observe_record(page(False, words))
        stats.observe_verdict("new")
    keeping.save(store, keeping.batch_key(d, site, f"articles/x/{stats.runs[0]}-1.parquet"),
                 stats)


def test_a_site_losing_its_authors_is_flagged_with_the_day_and_run(tmp_path) -> None:
    store = open_store(str(tmp_path))
    for i in range(10, 0, -1):
        record_day(store, "lantern", day(i), with_authors=24, without=1)
    record_day(store, "lantern", day(0), with_authors=0, without=20, run="20261130T040000Z-bad")
    flags = current_flags(store, last=LAST)
    assert [f.figure for f in flags] == ["authors filled"]
    assert flags[0].message == (
        "lantern: authors filled 96% -> 0% since 2026-11-30 run 20261130T040000Z-bad")


def test_a_new_site_is_never_flagged(tmp_path) -> None:
    store = open_store(str(tmp_path))
    for i in range(MIN_HISTORY - 1, 0, -1):
        record_day(store, "fresh", day(i), with_authors=20)
    record_day(store, "fresh", day(0), with_authors=0, without=20, words=20)
    assert current_flags(store, last=LAST) == []


def test_a_noisy_history_tolerates_its_usual_spread_but_not_a_break(tmp_path) -> None:
    store = open_store(str(tmp_path))
    # authors filled between 50% and 80% day to day
    for i, filled in zip(range(12, 0, -1), [10, 16, 12, 14, 11, 15, 13, 10, 16, 12, 14, 11],
                         strict=True):
        record_day(store, "noisy", day(i), with_authors=filled, without=20 - filled)
    record_day(store, "noisy", day(0), with_authors=9, without=11)  # 45%: within its spread
    assert current_flags(store, last=LAST) == []
    record_day(store, "noisy", day(0), with_authors=0, without=20)  # same batch, reprocessed
    assert [f.message.split(" since ")[0] for f in current_flags(store, last=LAST)] == [
        "noisy: authors filled 62% -> 0%"]


def test_a_break_stays_flagged_from_its_first_day_until_the_site_recovers(tmp_path) -> None:
    store = open_store(str(tmp_path))
    for i in range(12, 2, -1):
        record_day(store, "lantern", day(i), with_authors=20)
    for i in (2, 1):
        record_day(store, "lantern", day(i), with_authors=0, without=20)
    record_day(store, "lantern", day(0), with_authors=0, without=20)
    (flag,) = current_flags(store, last=LAST)
    assert (flag.since, flag.day) == (day(2), LAST)
    record_day(store, "lantern", LAST, with_authors=20, run="20261130T050000Z-fixed")
    # The day now mixes the broken run and the fixed one: 50%, still far below the usual 100%.
    assert current_flags(store, last=LAST)
    assert current_flags(store, last=(date.fromisoformat(LAST) + timedelta(1)).isoformat())


def test_shorter_texts_and_lost_volume_are_flagged_too(tmp_path) -> None:
    store = open_store(str(tmp_path))
    for i in range(8, 0, -1):
        record_day(store, "thin", day(i), with_authors=30, words=600)
    record_day(store, "thin", day(0), with_authors=4, words=90)
    figures = {f.figure for f in current_flags(store, last=LAST)}
    assert figures == {"median length", "records"}


def test_figures_of_a_past_day_are_cached_and_the_cache_follows_new_batches(tmp_path) -> None:
    store = open_store(str(tmp_path))
    record_day(store, "lantern", day(3), with_authors=5)
    assert keeping.load_site_day(store, day(3), "lantern").total.records == 5
    assert store.exists(keeping.daily_key(day(3), "lantern"))
    record_day(store, "lantern", day(3), with_authors=7, run="20261127T090000Z-late")
    entry = keeping.load_site_day(store, day(3), "lantern")
    assert entry.total.records == 12
    assert sorted(entry.by_run) == ["20261127T040000Z-aaaaaa", "20261127T090000Z-late"]
