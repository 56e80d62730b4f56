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
    cut_template,
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


def _blocks(paragraphs: list[str]) -> list[str]:
    """What the writer learns from a record of these paragraphs (no template to cut yet)."""
    return cut_template("\n\n".join(paragraphs), frozenset())[1]


def test_a_block_counts_once_per_article_and_becomes_template_at_the_threshold() -> None:
    tpl = SiteTemplate("gazette")
    for i in range(MIN_ARTICLES - 1):
        tpl.observe(f"a{i}", _blocks([*_story(TOWNS[i]), BIO, BIO]))
        tpl.observe(f"a{i}", _blocks([BIO]))  # the same article again: not a new sighting
    assert block_hash(BIO) not in tpl.boilerplate()
    tpl.observe("last", _blocks([*_story(TOWNS[-1]), BIO]))
    assert tpl.boilerplate() == {block_hash(BIO)}
    # story paragraphs, each seen once, never qualify
    assert all(block_hash(p) not in tpl.boilerplate() for p in _story(TOWNS[0]))


def test_hash_ignores_case_and_spacing_and_short_blocks_are_not_counted() -> None:
    assert block_hash("Sign up  for the\nWeekly Tide") == block_hash("sign up for the weekly tide")
    tpl = SiteTemplate("gazette")
    for i in range(MIN_ARTICLES + 1):
        tpl.observe(str(i), _blocks(["Advertisement"]))
    assert not tpl.boilerplate()


def test_drop_template_blocks_keeps_the_rest_in_order() -> None:
    story = _story("Kestle")
    assert drop_template_blocks([story[0], BIO, *story[1:]], frozenset({block_hash(BIO)})) == story


def test_template_file_round_trips_through_the_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    templates = Templates(store)
    for i in range(MIN_ARTICLES):
        templates.site("gazette").observe(str(i), _blocks([BIO]))
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
    # the first MIN_ARTICLES records teach the template; later ones no longer carry it (the
    # few pages already handed to a worker when it was learnt still do)
    assert all(BIO in text for text in texts[:MIN_ARTICLES])
    assert BIO not in texts[-1]
    # and the story itself is whole in every record
    for town, text in zip(TOWNS, texts, strict=True):
        assert all(p in text for p in _story(town))
    assert store.exists(template_key("gazette"))


def _batch_of(n: int, url: str, body: bytes) -> Batch:
    def captures() -> Iterator[Capture]:
        yield Capture(url=url, status=200, content_type="text/html; charset=utf-8", body=body,
                      fetched_at="2024-05-04T10:00:00Z", site="gazette", source="feed",
                      kind=KIND_ARTICLE, raw_ref=f"test#{n}")

    return Batch(
        name=f"b{n}",
        site="gazette",
        date="2024-05-04",
        articles_key=f"articles/site=gazette/date=2024-05-04/b{n}.parquet",
        quarantine_key=f"quarantine/date=2024-05-04/gazette-b{n}.jsonl",
        captures=captures,
    )


def _rows(root: Path, n: int) -> list[dict[str, object]]:
    path = root / f"articles/site=gazette/date=2024-05-04/b{n}.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def _live_story(updates: int) -> bytes:
    """A live story: the same opening paragraphs, one more update paragraph per revision."""
    news = [f"Update {i + 1}: the harbour master reported at {9 + i}:00 that the tide had "
            f"reached the {i + 3}th mark on the quay wall, and crews were moving sandbags "
            f"to the shops on the front street." for i in range(updates)]
    paragraphs = "".join(f"<p>{p}</p>" for p in [*_story("Tarrow"), *news])
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Live: storm surge in Tarrow</title></head><body><article>"
        f"<h1>Live: storm surge in Tarrow</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_revisions_of_one_live_story_do_not_turn_its_paragraphs_into_template(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path)
    url = "https://gazette.example/news/live-storm-surge"
    revisions = MIN_ARTICLES + 4
    result = process_batches(
        store, (_batch_of(n, url, _live_story(n + 1)) for n in range(revisions)), workers=1
    )

    assert result.site("gazette").revisions == revisions - 1
    last = _rows(tmp_path, revisions - 1)
    assert [r["revision"] for r in last] == [revisions]
    # the paragraphs every revision kept are the story, not the site's template
    assert all(p in str(last[0]["text"]) for p in _story("Tarrow"))
    assert SiteTemplate.load(store, "gazette").boilerplate() == frozenset()


def test_an_unchanged_page_is_no_revision_when_the_template_learnt_meanwhile_would_cut_it(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path)
    first_url = "https://gazette.example/news/tarrow-market"
    batches = [_batch_of(0, first_url, _page("Tarrow"))]
    # other stories of the site teach it that the bio is template (with room for the pages
    # already in flight when it is learnt)
    batches += [_batch_of(n, f"https://gazette.example/news/other-{n}", _page(TOWNS[n % 7]))
                for n in range(1, MIN_ARTICLES + 4)]
    fresh = len(batches)
    batches.append(_batch_of(fresh, "https://gazette.example/news/fresh", _page("Saltry")))
    again = len(batches)
    batches.append(_batch_of(again, first_url, _page("Tarrow")))  # refetched, byte for byte

    result = process_batches(store, batches, workers=1)

    assert BIO in str(_rows(tmp_path, 0)[0]["text"])
    assert BIO not in str(_rows(tmp_path, fresh)[0]["text"])  # the template is learnt and cut
    assert _rows(tmp_path, again) == []  # no revision 2 that differs only by the template
    assert result.site("gazette").revisions == 0
    assert result.site("gazette").unchanged == 1
