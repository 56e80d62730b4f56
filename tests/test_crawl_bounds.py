"""Every crawl bounds itself: an endless site ends its run in minutes, its articles published,
and what the bounds cut is in the crawl quarantine with the reason (issue 12, defect 1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run_cli
from endless_server import ARTICLES, EndlessServer

from newsmill.pipeline.sites import DEFAULT_MAX_URL_GROWTH
from newsmill.spiders.guards.url_family import UrlFamilies
from newsmill.spiders.runner.crawl import run_crawl

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def endless() -> Iterator[EndlessServer]:
    with EndlessServer() as server:
        yield server


def crawl_cuts(store: Path) -> list[dict[str, object]]:
    return [json.loads(line) for path in sorted(store.glob("quarantine/date=*/*-crawl-*.jsonl"))
            for line in path.read_text().splitlines()]


def segments(path: str) -> int:
    return len([s for s in path.partition("?")[0].split("/") if s])


def test_run_over_an_endless_site_ends_and_publishes(endless: EndlessServer,
                                                     tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(endless.sites_yaml())
    store = tmp_path / "store"

    started = time.monotonic()
    proc = run_cli("run", "--sites", str(sites), "--store", str(store), "--json", "-q",
                   timeout=180)
    elapsed = time.monotonic() - started

    assert proc.returncode == 0, proc.stderr[-3000:]
    assert elapsed < 150
    # The articles linked from the home page were fetched and published.
    urls: set[str] = set()
    for path in store.glob("dumps/date=*/articles.parquet"):
        urls |= {str(u) for u in pq.read_table(path, columns=["url"]).column("url").to_pylist()}
    assert {f"{endless.base}/a/{a}" for a in ARTICLES} <= urls
    # Both families stopped growing at the default bound: a path growing segment by segment...
    lists = endless.paths("/list/")
    assert lists and max(segments(p) for p in lists) == 1 + DEFAULT_MAX_URL_GROWTH
    assert len(lists) < 2 ** DEFAULT_MAX_URL_GROWTH
    # ...and a query string growing parameter by parameter.
    more = endless.paths("/more")
    assert more and max(p.count("&") for p in more) == DEFAULT_MAX_URL_GROWTH - 1
    # What was cut is in the crawl quarantine, with the reason, and counted in the report.
    cuts = crawl_cuts(store)
    grown = [c for c in cuts if str(c["reason"]).startswith("trap: growing URL family")]
    assert any("/list/" in str(c["url"]) for c in grown)
    assert any("/more?" in str(c["url"]) for c in grown)
    assert all(c["site"] == "endless" and c["raw_ref"] is None for c in cuts)
    counts = json.loads(proc.stdout)["sites"]["endless"]
    assert counts["quarantine_reasons"]["trap"] >= len(grown)


def test_a_site_sets_its_own_bounds(endless: EndlessServer, tmp_path: Path) -> None:
    """Bounds from the sites file replace the defaults: a shorter path, a smaller growth."""
    sites = tmp_path / "sites.yaml"
    sites.write_text(endless.sites_yaml(max_path_segments=4, max_url_growth=3))
    store = tmp_path / "store"

    result = run_crawl(str(sites), None, str(store), "bounds-1")

    stats = result.sites["endless"]
    assert not stats.failed and stats.articles_archived == len(ARTICLES)
    # /list/start has 2 segments: two more levels fit in 4, then the next 8 URLs are cut.
    lists = endless.paths("/list/")
    assert len(lists) == 7 and max(segments(p) for p in lists) == 4
    more = endless.paths("/more")
    assert len(more) == 7 and max(p.count("&") for p in more) == 2
    cuts = {str(c["url"]).removeprefix(endless.base): str(c["reason"])
            for c in crawl_cuts(store)}
    too_long = [u for u, r in cuts.items() if r.startswith("limit path segments")]
    assert len(too_long) == 8 and all(segments(u) == 5 for u in too_long)
    grown = [u for u, r in cuts.items() if r.startswith("trap: growing URL family")]
    assert len(grown) == 8 and all(u.count("&") == 3 for u in grown)
    assert stats.quarantine_reasons == {"limit path segments": 8, "trap": 8}


def test_section_page_budget_stops_a_space_with_no_family(endless: EndlessServer,
                                                          tmp_path: Path) -> None:
    """Topics linking to new topics at the same depth: no URL extends another and no two share
    a shape, so only the per-run budget of section pages ends the crawl."""
    sites = tmp_path / "sites.yaml"
    sites.write_text(endless.sites_yaml(start=("/topic/start",), max_section_pages=40))
    store = tmp_path / "store"

    result = run_crawl(str(sites), None, str(store), "bounds-3")

    stats = result.sites["endless"]
    assert not stats.failed
    assert len(endless.paths("/topic/")) == 40
    assert stats.quarantine_reasons["limit section pages per site"] >= 1
    cuts = crawl_cuts(store)
    assert cuts and all(str(c["reason"]) == "limit section pages per site: "
                        "max_section_pages (40) reached this run" for c in cuts)


def test_request_budget_counts_every_request(endless: EndlessServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(endless.sites_yaml(max_requests=12))

    result = run_crawl(str(sites), None, str(tmp_path / "store"), "bounds-2")

    stats = result.sites["endless"]
    assert len(endless.log) == 12  # robots.txt included
    assert stats.quarantine_reasons["limit requests per site"] >= 1
    # Articles outrank listings in the queue: the budget went to them first.
    assert stats.articles_archived == len(ARTICLES)


@pytest.mark.parametrize(
    ("seen", "url", "level"),
    [
        ([], "https://x.test/list/a", 1),
        (["https://x.test/list/a"], "https://x.test/list/a/b/", 2),
        (["https://x.test/list/a", "https://x.test/list/a/b"], "https://x.test/list/a/b/c", 3),
        # A query string growing on one path is a family too.
        (["https://x.test/more?x=1"], "https://x.test/more?x=1&y=2", 2),
        # Pagination and siblings do not grow from one another.
        (["https://x.test/news?page=2"], "https://x.test/news?page=3", 1),
        (["https://x.test/list/a"], "https://x.test/list/b", 1),
        # The home page is not everybody's ancestor; another host is another family.
        (["https://x.test/"], "https://x.test/news", 1),
        (["https://x.test/list"], "https://y.test/list/a", 1),
        # The same URL again (a retry, a trailing slash) is not a step.
        (["https://x.test/list/a"], "https://x.test/list/a/", 1),
    ],
)
def test_url_family_growth(seen: list[str], url: str, level: int) -> None:
    families = UrlFamilies()
    for u in seen:
        families.record(u, families.growth(u).level)
    growth = families.growth(url)
    assert growth.level == level
    assert (growth.parent is None) is (level == 1)
