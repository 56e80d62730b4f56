"""Site-level template learning: counting blocks per site, and `process` dropping them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from newsmill.pipeline.app.process import Batch, process_batches
from newsmill.pipeline.extract.templates import (
    MIN_ARTICLES,
    SiteTemplate,
    Templates,
    block_hash,
    drop_template_blocks,
    template_key,
)
from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture
from newsmill.storage.local import LocalStore

BIO = (
    "Maya Lindqvist writes about the coastal towns for the Harbour Gazette and lives in Tarrow "
    "with two cats and an unreliable bicycle."
)
TOWNS = ["Tarrow", "Bellmouth", "Kestle", "Orford Quay", "Saltry", "Penhallow", "Dunmere"]


def _story(town: str) -> list[str]:
    return [
        f"The harbour board in {town} has voted to rebuild the old fish market after a survey "
        f"found the roof of the building unsafe for the winter storms expected this year.",
        f"Traders in {town} will move to temporary stalls on the quay from March, and the board "
        f"says the new market should open before the summer season brings visitors back.",
        f"Residents of {town} asked at the meeting whether the rebuilt market would keep its "
        f"clock tower, and the chair promised that the tower would be restored as it was.",
    ]


def test_a_block_counts_once_per_article_and_becomes_template_at_the_threshold() -> None:
    tpl = SiteTemplate("gazette")
    for i in range(MIN_ARTICLES - 1):
        tpl.observe(f"a{i}", [*_story(TOWNS[i]), BIO, BIO])
        tpl.observe(f"a{i}", [BIO])  # the same article again: not a new sighting
    assert block_hash(BIO) not in tpl.boilerplate()
    tpl.observe("last", [*_story(TOWNS[-1]), BIO])
    assert tpl.boilerplate() == {block_hash(BIO)}
    # story paragraphs, each seen once, never qualify
    assert all(block_hash(p) not in tpl.boilerplate() for p in _story(TOWNS[0]))


def test_hash_ignores_case_and_spacing_and_short_blocks_are_not_counted() -> None:
    assert block_hash("Sign up  for the\nWeekly Tide") == block_hash("sign up for the weekly tide")
    tpl = SiteTemplate("gazette")
    for i in range(MIN_ARTICLES + 1):
        tpl.observe(str(i), ["Advertisement"])
    assert not tpl.boilerplate()


def test_drop_template_blocks_keeps_the_rest_in_order() -> None:
    story = _story("Kestle")
    assert drop_template_blocks([story[0], BIO, *story[1:]], frozenset({block_hash(BIO)})) == story


def test_template_file_round_trips_through_the_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    templates = Templates(store)
    for i in range(MIN_ARTICLES):
        templates.site("gazette").observe(str(i), [BIO])
    templates.save()
    doc = json.loads((tmp_path / template_key("gazette")).read_text())
    assert doc["blocks"] == {block_hash(BIO): MIN_ARTICLES}
    assert SiteTemplate.load(store, "gazette").boilerplate() == {block_hash(BIO)}
    assert SiteTemplate.load(store, "other").boilerplate() == frozenset()
    (tmp_path / template_key("broken")).write_text("{not json")
    assert SiteTemplate.load(store, "broken").counts == {}


def _page(town: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in _story(town))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Fish market to be rebuilt in {town}</title></head><body><article>"
        f"<h1>Fish market to be rebuilt in {town}</h1>{paragraphs}"
        f"<p>{BIO}</p></article></body></html>"
    ).encode()


def _batch(n: int, town: str) -> Batch:
    url = f"https://gazette.example/news/{town.lower().replace(' ', '-')}-market"

    def captures() -> Iterator[Capture]:
        yield Capture(
            url=url,
            status=200,
            content_type="text/html; charset=utf-8",
            body=_page(town),
            fetched_at="2024-05-04T10:00:00Z",
            site="gazette",
            source="feed",
            kind=KIND_ARTICLE,
            raw_ref=f"test#{n}",
        )

    return Batch(
        name=f"b{n}",
        site="gazette",
        date="2024-05-04",
        articles_key=f"articles/site=gazette/date=2024-05-04/b{n}.parquet",
        quarantine_key=f"quarantine/date=2024-05-04/gazette-b{n}.jsonl",
        captures=captures,
    )


def test_process_learns_the_sites_template_and_drops_it_from_later_records(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path)
    process_batches(store, (_batch(n, town) for n, town in enumerate(TOWNS)), workers=1)
    texts = [
        pq.read_table(tmp_path / f"articles/site=gazette/date=2024-05-04/b{n}.parquet").to_pylist()[
            0
        ]["text"]
        for n in range(len(TOWNS))
    ]
    # the first MIN_ARTICLES records teach the template; the later ones no longer carry it
    assert all(BIO in text for text in texts[:MIN_ARTICLES])
    assert all(BIO not in text for text in texts[MIN_ARTICLES:])
    # and the story itself is whole in every record
    for town, text in zip(TOWNS, texts, strict=True):
        assert all(p in text for p in _story(town))
    assert store.exists(template_key("gazette"))
