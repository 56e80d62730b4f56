"""One row per story, as a downstream team counts it: the README's DuckDB query over real dumps.

`duplicate_of` names only records the store holds. Pages whose cross-site rel=canonical names an
article never crawled are each their story's row (with the URL in `syndicated_from`), and an
original that arrives in a later partition joins the copy already published instead of
changing it.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import ROOT, run_cli
from helpers_raw import warc_of

from newsmill.pipeline.warc import pending
from newsmill.storage import open_store

pytestmark = pytest.mark.timeout(600)

# One string split in words: easier to read than a hundred quoted ones.
WORDS = " ".join((
    "harbour council ferry school river bridge market station library storm flood road budget "
    "teacher doctor nurse farmer miner builder sailor judge mayor police fire rescue museum "
    "theatre garden forest mountain valley island village city county region border coast "
    "election vote tax rent wage price fuel power water waste rail bus tram airport port "
    "hospital clinic court prison church mosque temple festival concert match league season "
    "record report survey study plan scheme grant loan debt profit loss strike protest march "
    "petition meeting inquiry review appeal verdict ruling contract tender repair closure "
    "opening launch delay cancel extend expand reduce protect restore rebuild replace approve",
)).split()


def story_text(n: int) -> list[str]:
    """Three paragraphs of words no other story shares in order."""
    rng = random.Random(n)
    return [" ".join(rng.choices(WORDS, k=45)).capitalize() + "." for _ in range(3)]


def page(title: str, paragraphs: list[str], canonical: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><link rel='canonical' href='{canonical}'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def original_url(n: int) -> str:
    return f"https://www.wire.example/2026/01/05/story-{n}/"


def syndicated(site: str, n: int, paragraphs: list[str] | None = None) -> tuple[str, bytes]:
    """A partner site's copy of wire story n, naming the wire's URL as its canonical."""
    url = f"https://{site}.example/news/wire-{n}.html"
    return url, page(f"Story {n}", paragraphs or story_text(n),
                     original_url(n) + "?utm_source=partner")


def put_batch(store_dir: Path, site: str, day: str, stem: str,
              pages: list[tuple[str, bytes]]) -> None:
    store = open_store(str(store_dir))
    key = f"raw/site={site}/date={day}/{stem}.warc.gz"
    store.put(key, warc_of(pages, site=site))
    pending.mark(store, [key])  # as the crawl's archive does after each upload


def cli(*args: str) -> None:
    proc = run_cli(*args, "-q")
    assert proc.returncode == 0, f"{args}: {proc.stderr[-3000:]}"


def readme_query() -> str:
    """The one-row-per-story query exactly as the README's "What lands in the store" shows it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What lands in the store", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```sql\n(.*?)```", section, re.DOTALL)
              if "duplicate_of IS NULL" in b]
    assert len(blocks) == 1, "one one-row-per-story query in the README section"
    assert "data/dumps/date=*/articles.parquet" in blocks[0]
    return str(blocks[0])


def query(sql: str) -> list[dict[str, Any]]:
    with duckdb.connect() as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def count_stories(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the README's query where a user would: in the folder that holds the store `data/`."""
    monkeypatch.chdir(workdir)
    (result,) = query(readme_query())
    (count,) = result.values()
    return int(count)


def rows(workdir: Path, glob: str = "date=*") -> list[dict[str, Any]]:
    path = workdir / f"data/dumps/{glob}/articles.parquet"
    return query("SELECT id, canonical_url, duplicate_of, syndicated_from, revision "
                 f"FROM read_parquet('{path}')")


def test_readme_query_counts_every_demo_story_once(demo: Any, demo_sites: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cli("run", "--sites", str(demo_sites), "--store", str(tmp_path / "data"))
    expected = [e for e in demo.catalogue() if not e.archive and e.edition == 1]
    stories = {e.canonical_url for e in expected if not e.syndicated_of}
    copies = [e for e in expected if e.syndicated_of]
    assert copies, "the demo should carry syndicated copies"
    assert count_stories(tmp_path, monkeypatch) == len(stories)


def test_copies_naming_uncrawled_originals_are_all_stories(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    n = 150
    day = "2026-01-05"
    store = tmp_path / "data"
    # Each story on one partner site, a fifth of them also on a second: the wire's own pages
    # are never crawled.
    put_batch(store, "harbour", day, "r1-00001", [syndicated("harbour", i) for i in range(n)])
    put_batch(store, "valley", day, "r1-00001", [syndicated("valley", i) for i in range(0, n, 5)])
    cli("process", "--store", str(store))
    cli("dump", "--store", str(store), "--date", day)

    assert count_stories(tmp_path, monkeypatch) == n
    published = rows(tmp_path)
    assert len(published) == n + n // 5
    ids = {r["id"] for r in published}
    # Every link names a record in the dump; every page says which original it declared.
    assert {r["duplicate_of"] for r in published if r["duplicate_of"]} <= ids
    assert all(r["syndicated_from"] and r["syndicated_from"].startswith("https://www.wire.example/")
               for r in published)
    by_url = {r["canonical_url"]: r for r in published}
    for i in range(0, n, 5):  # the second site's copies join the first site's row
        first = by_url[syndicated("harbour", i)[0]]
        second = by_url[syndicated("valley", i)[0]]
        assert first["duplicate_of"] is None and second["duplicate_of"] == first["id"]


def test_an_original_crawled_later_joins_the_copy_already_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "data"
    day1, day2 = "2026-01-05", "2026-01-06"
    n = 12
    put_batch(store, "harbour", day1, "r1-00001", [syndicated("harbour", i) for i in range(n)])
    cli("process", "--store", str(store))
    cli("dump", "--store", str(store), "--date", day1)
    partition1 = {p.name: p.read_bytes() for p in (store / f"dumps/date={day1}").iterdir()}
    assert count_stories(tmp_path, monkeypatch) == n

    # Next day the wire itself is crawled: half its pages carry the partner's text, the other
    # half a longer text of their own (the partner had cut and rewritten them). One more partner
    # page names a wire story now held. Two stories are new.
    wire = [(original_url(i),
             page(f"Story {i}", story_text(i) if i % 2 else story_text(1000 + i), original_url(i)))
            for i in range(n)]
    wire += [(original_url(n + k), page("New", story_text(n + k), original_url(n + k)))
             for k in range(2)]
    put_batch(store, "wire", day2, "r2-00001", wire)
    put_batch(store, "valley", day2, "r2-00001", [syndicated("valley", 3)])
    cli("process", "--store", str(store))
    cli("dump", "--store", str(store), "--date", day2)

    # What was published stays as it was; every story is counted once over both partitions.
    assert {p.name: p.read_bytes() for p in (store / f"dumps/date={day1}").iterdir()} == partition1
    assert count_stories(tmp_path, monkeypatch) == n + 2
    first = {r["canonical_url"]: r for r in rows(tmp_path, f"date={day1}")}
    second = {r["canonical_url"]: r for r in rows(tmp_path, f"date={day2}")}
    for i in range(n):
        copy = first[syndicated("harbour", i)[0]]
        assert copy["duplicate_of"] is None and copy["syndicated_from"] == original_url(i)
        assert second[original_url(i)]["duplicate_of"] == copy["id"], i
    assert second[syndicated("valley", 3)[0]]["duplicate_of"] == first[
        syndicated("harbour", 3)[0]]["id"]
    assert [second[original_url(n + k)]["duplicate_of"] for k in range(2)] == [None, None]
    # The story key groups each story's rows across partitions.
    every = rows(tmp_path)
    keys = {r["duplicate_of"] or r["id"] for r in every}
    assert len(keys) == n + 2 and keys <= {r["id"] for r in every}
