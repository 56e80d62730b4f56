"""Deduplication: URL identity, exact and near copies, revisions, persistence in the store."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from newsmill.pipeline.dedup import index as dedup
from newsmill.pipeline.dedup.index import DedupIndex, Verdict
from newsmill.pipeline.dedup.urls import canonical_url, cross_site_canonical, identity_key
from newsmill.pipeline.publish.article import Article, article_id
from newsmill.storage import open_store


def art(url: str, text: str, raw_ref: str, **extra: Any) -> Article:
    fields: dict[str, Any] = dict(site="s", domain="example.org", title="T",
                                  fetched_at="2026-01-01T00:00:00Z", source="feed",
                                  extractor="x")
    fields.update(extra)
    return Article(url=url, canonical_url=url, text=text, raw_ref=raw_ref, **fields)


def test_verdicts_survive_a_reload(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    a = art("https://example.org/a", "first text", "raw/1.warc.gz#0")
    assert index.decide(a) is Verdict.NEW and a.revision == 1 and a.duplicate_of is None
    index.save(store)

    index = DedupIndex.load(store)
    same = art("https://example.org/a", "first text", "raw/2.warc.gz#0")
    assert index.decide(same) is Verdict.UNCHANGED
    changed = art("https://example.org/a", "second text", "raw/2.warc.gz#99")
    assert index.decide(changed) is Verdict.REVISION and changed.revision == 2
    copy = art("https://example.org/copy", "first text", "raw/2.warc.gz#200")
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == a.id
    index.save(store)

    # The same capture processed again (a retried batch) gives the same record, not revision 3.
    index = DedupIndex.load(store)
    again = art("https://example.org/a", "second text", "raw/2.warc.gz#99")
    assert index.decide(again) is Verdict.REPLAY and again.revision == 2
    copy_again = art("https://example.org/copy", "first text", "raw/2.warc.gz#200")
    assert index.decide(copy_again) is Verdict.REPLAY and copy_again.duplicate_of == a.id


# ---- URL identity ---------------------------------------------------------------------------

ARTICLE_URL = "https://www.example.org/2026/01/02/harbour-wall/"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTPS://WWW.EXAMPLE.ORG/2026/01/02/harbour-wall/",
        "https://www.example.org:443/2026/01/02/harbour-wall/",
        "https://www.example.org/2026/01/02/harbour-wall/?utm_source=rss&fbclid=x&mc_cid=1",
        "https://www.example.org/2026/01/02/harbour-wall/#comments",
        "https://www.example.org/2026/01/02/harbour-wall/amp/",
        "https://www.example.org/2026/01/02/harbour-wall/?amp=1",
    ],
)
def test_url_variants_get_the_same_canonical_url(variant: str) -> None:
    assert canonical_url(variant, domains=("www.example.org",)) == ARTICLE_URL


def test_same_site_canonical_link_wins() -> None:
    fetched = "https://www.example.org/?p=4158&utm_medium=social"
    assert canonical_url(fetched, "/2026/01/02/harbour-wall/") == ARTICLE_URL


@pytest.mark.parametrize(
    "variant",
    [
        "http://example.org/2026/01/02/harbour-wall",
        "https://example.org/2026/01/02/harbour-wall/",
        "http://www.example.org:80/2026/01/02/harbour-wall",
        "https://m.example.org/2026/01/02/harbour-wall/index.html",
        "https://amp.example.org/2026/01/02/harbour-wall/?utm_campaign=x#top",
    ],
)
def test_spellings_without_a_canonical_share_an_identity(variant: str) -> None:
    assert identity_key(variant) == identity_key(ARTICLE_URL)


def test_different_articles_keep_different_identities() -> None:
    assert identity_key(ARTICLE_URL) != identity_key("https://www.example.org/2026/01/02/harbour")
    assert identity_key("https://example.org/story?id=1") != identity_key(
        "https://example.org/story?id=2")
    assert identity_key("https://www.example.org/a") != identity_key("https://www.example.com/a")


def test_url_variant_without_canonical_is_a_duplicate_of_the_first_spelling(
        tmp_path: Path) -> None:
    index = DedupIndex.load(open_store(str(tmp_path)))
    first = art(ARTICLE_URL, LONG, "raw/1#0")
    assert index.decide(first) is Verdict.NEW
    # Same id (tracking parameters and case are gone from the canonical URL): nothing new.
    spelt = "HTTPS://WWW.Example.ORG:443/2026/01/02/harbour-wall/?utm_source=x#top"
    same = art(canonical_url(spelt), LONG, "raw/1#5")
    assert same.id == first.id and index.decide(same) is Verdict.UNCHANGED
    # Another spelling of the same article, with a new id: linked to the first one, even with
    # a slightly different text (a later refetch).
    variant = art("http://example.org/2026/01/02/harbour-wall", LONG + " Updated.", "raw/2#0")
    assert variant.id != first.id
    assert index.decide(variant) is Verdict.DUPLICATE and variant.duplicate_of == first.id


def test_cross_site_canonical_names_the_original_only_once_we_hold_it(tmp_path: Path) -> None:
    fetched = "https://aggregator.example/stories/123"
    declared = "https://www.example.org/2026/01/02/harbour-wall/?utm_source=agg"
    assert canonical_url(fetched, declared) == fetched  # not followed: the id stays its own
    assert cross_site_canonical(declared, fetched) == ARTICLE_URL
    assert cross_site_canonical("/stories/123", fetched) is None  # same site
    assert cross_site_canonical("https://www.example.org/", fetched) is None  # a home page

    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    copy = art(fetched, "A rewritten text that shares nothing with the original at all, " * 3,
               "raw/1#0", syndicated_from=cross_site_canonical(declared, fetched))
    # The original was never crawled: the copy is the one row of its story we hold.
    assert index.decide(copy) is Verdict.NEW and copy.duplicate_of is None
    assert copy.syndicated_from == ARTICLE_URL
    index.save(store)

    # The original arrives in a later run, under another spelling of the URL named: it joins
    # the copy already published, which stays the story's row.
    index = DedupIndex.load(store)
    original = art("http://example.org/2026/01/02/harbour-wall", LONG, "raw/2#0")
    assert index.decide(original) is Verdict.DUPLICATE and original.duplicate_of == copy.id
    # A copy declaring the original, now held, resolves to the story's row as well.
    again = art("https://other.example/x", "Different words again, nothing in common here. " * 3,
                "raw/2#9", syndicated_from=ARTICLE_URL)
    assert index.decide(again) is Verdict.DUPLICATE and again.duplicate_of == copy.id
    # So does a copy declaring the first copy, and the original's revisions stay linked.
    third = art("https://third.example/y", "Words of a third site, all its own, on it. " * 3,
                "raw/2#12", syndicated_from=fetched)
    assert index.decide(third) is Verdict.DUPLICATE and third.duplicate_of == copy.id
    revised = art(original.canonical_url, LONG + " Corrected.", "raw/3#0")
    assert index.decide(revised) is Verdict.REVISION and revised.duplicate_of == copy.id


def test_a_declared_original_we_hold_is_linked_at_once(tmp_path: Path) -> None:
    index = DedupIndex.load(open_store(str(tmp_path)))
    original = art(ARTICLE_URL, LONG, "raw/1#0")
    assert index.decide(original) is Verdict.NEW
    copy = art("https://aggregator.example/s/1", "Rewritten words, nothing shared at all. " * 3,
               "raw/1#1", syndicated_from=ARTICLE_URL)
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == original.id


def test_pages_naming_one_unheld_url_stay_stories_of_their_own(tmp_path: Path) -> None:
    # A site whose every page names one article of another site as its canonical (a template
    # mistake): until we hold that article, only their texts can link them.
    index = DedupIndex.load(open_store(str(tmp_path)))
    vocab = [f"w{n}" for n in range(400)]
    pages = [art(f"https://partner.example/p/{i}",
                 " ".join(random.Random(i).choices(vocab, k=80)), f"raw/1#{i}",
                 syndicated_from=ARTICLE_URL) for i in range(5)]
    assert [index.decide(p) for p in pages] == [Verdict.NEW] * 5
    copy_of_first = art("https://mirror.example/p/0", pages[0].text, "raw/1#9",
                        syndicated_from=ARTICLE_URL)
    assert index.decide(copy_of_first) is Verdict.DUPLICATE
    assert copy_of_first.duplicate_of == pages[0].id
    # The named article, when it comes, joins the first page that named it.
    original = art(ARTICLE_URL, LONG, "raw/2#0")
    assert index.decide(original) is Verdict.DUPLICATE and original.duplicate_of == pages[0].id


def test_an_index_from_before_2_0_never_links_an_article_to_itself(tmp_path: Path) -> None:
    # Such an index linked a copy to the id of a canonical it never crawled.
    store = open_store(str(tmp_path))
    old_copy = art("https://aggregator.example/s/1", LONG, "raw/1#0")
    legacy = {"urls": {old_copy.canonical_url: [{"content_hash": old_copy.content_hash,
                                                 "revision": 1, "raw_ref": old_copy.raw_ref,
                                                 "duplicate_of": article_id(ARTICLE_URL)}]}}
    store.put(dedup.LEGACY_KEY, json.dumps(legacy).encode())
    index = DedupIndex.load(store)
    original = art(ARTICLE_URL, LONG, "raw/2#0")
    assert index.decide(original) is Verdict.NEW and original.duplicate_of is None


# ---- near-duplicates, revisions, windows ----------------------------------------------------

LONG = " ".join(
    f"Sentence {i} of the harbour wall story says the council will spend {i * 7} thousand pounds"
    f" on repairs to section {i % 5} before the winter storms arrive." for i in range(12)
)


def paras(text: str) -> list[str]:
    return [s + "." for s in text.split(". ") if s]


def test_near_copy_chain_resolves_to_the_original(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    original = art("https://a.example/story", LONG, "raw/1#0")
    assert index.decide(original) is Verdict.NEW
    index.save(store)

    index = DedupIndex.load(store)
    p = paras(LONG)
    trimmed = " ".join(p[:-1]) + " This story first appeared in the A Example Times."
    copy = art("https://b.example/copy", trimmed, "raw/2#0", title="A new headline")
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == original.id
    # A copy of the copy, edited further, is still a copy of the original.
    second = " ".join(p[1:-1]) + " This story first appeared in the A Example Times. Typo fixd."
    copy2 = art("https://c.example/copy", second, "raw/2#9")
    assert index.decide(copy2) is Verdict.DUPLICATE and copy2.duplicate_of == original.id
    # Outside the publication window the same text is not looked for.
    late = art("https://d.example/copy", trimmed + " More.", "raw/3#0",
               published_at="2026-06-01T00:00:00Z")
    assert index.decide(late) is Verdict.NEW
    # A different story on the same theme is not a copy.
    other = " ".join(f"Councillors in ward {i} argued for {i * 3} more benches on the promenade "
                     f"and a new shelter near the harbour wall." for i in range(10))
    assert index.decide(art("https://a.example/other", other, "raw/3#5")) is Verdict.NEW


def test_revision_is_recorded_once_and_unchanged_refetch_changes_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    v1 = art("https://a.example/story", LONG, "raw/1#0")
    index.decide(v1)
    index.save(store)
    manifest = store.get("state/dedup/manifest.json")

    index = DedupIndex.load(store)
    assert index.decide(art("https://a.example/story", LONG, "raw/2#0")) is Verdict.UNCHANGED
    index.save(store)
    assert store.get("state/dedup/manifest.json") == manifest  # nothing written

    revised = LONG.replace("winter storms", "spring tides")
    v2 = art("https://a.example/story", revised, "raw/3#0")
    assert index.decide(v2) is Verdict.REVISION and v2.revision == 2
    assert v2.content_hash != v1.content_hash
    assert index.decide(art("https://a.example/story", revised, "raw/4#0")) is Verdict.UNCHANGED
    # Back to the first text is a change too: revision 3, not a match with revision 1.
    v3 = art("https://a.example/story", LONG, "raw/5#0")
    assert index.decide(v3) is Verdict.REVISION and v3.revision == 3


def test_revision_of_a_copy_stays_a_copy(tmp_path: Path) -> None:
    index = DedupIndex.load(open_store(str(tmp_path)))
    original = art("https://a.example/story", LONG, "raw/1#0")
    index.decide(original)
    copy = art("https://b.example/copy", LONG + " Credit: A.", "raw/1#1")
    assert index.decide(copy) is Verdict.DUPLICATE
    revised = art("https://b.example/copy", LONG + " Credit: A Example.", "raw/2#1")
    assert index.decide(revised) is Verdict.REVISION and revised.duplicate_of == original.id


def test_reextraction_keeps_revision_and_link(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    original = art("https://a.example/story", LONG, "raw/1#0")
    index.decide(original)
    copy = art("https://b.example/copy", LONG + " Credit line.", "raw/1#1")
    index.decide(copy)
    index.save(store)
    # A better extractor drops the credit line: same capture, same record id, same link.
    index = DedupIndex.load(store)
    again = art("https://b.example/copy", LONG + " ", "raw/1#1")
    assert index.decide(again) is Verdict.REPLAY
    assert again.revision == 1 and again.duplicate_of == original.id
    index.save(store)
    index = DedupIndex.load(store)
    assert index.decide(art("https://b.example/copy", LONG + " ", "raw/1#1")) is Verdict.REPLAY
    # A later refetch with the re-extracted text is unchanged, not a revision.
    assert index.decide(art("https://b.example/copy", LONG + " ", "raw/9#0")) is Verdict.UNCHANGED


def test_segments_are_merged_and_reloaded_with_the_same_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup, "MEMTABLE_ROWS", 16)  # many freezes and merges in a small test
    store = open_store(str(tmp_path))
    vocab = [f"w{n}" for n in range(500)]
    texts = [" ".join(random.Random(i).choices(vocab, k=120)) for i in range(200)]
    first: list[Article] = []
    for run in range(4):  # four "runs", each saving its own segment
        index = DedupIndex.load(store)
        for i in range(run * 50, run * 50 + 50):
            a = art(f"https://a.example/s{i}", texts[i], f"raw/{run}#{i}")
            assert index.decide(a) is Verdict.NEW
            first.append(a)
        index.save(store)
    segments = list(store.list(dedup.SEGMENT_PREFIX))
    manifest = json.loads(store.get(dedup.MANIFEST_KEY))
    assert sorted(manifest["segments"]) == segments and manifest["rows"] == 200
    assert len(segments) <= 4  # merged, not one file per freeze

    index = DedupIndex.load(store)
    assert not index.loaded  # lazily: nothing but the manifest read yet
    for a in first[::7]:  # same captures: same answers
        again = art(a.canonical_url, a.text, a.raw_ref)
        assert index.decide(again) is Verdict.REPLAY and again.revision == 1
    words = texts[3].split()
    copy = art("https://z.example/copy", " ".join(words[:50] + words[60:]), "raw/9#0")
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == first[3].id
    assert index.rows == 201


def test_first_cut_json_index_is_migrated(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    old = art("https://example.org/a", "first text", "raw/1.warc.gz#0")
    legacy = {"urls": {old.canonical_url: [{"content_hash": old.content_hash, "revision": 1,
                                            "raw_ref": old.raw_ref, "duplicate_of": None}]},
              "hashes": {old.content_hash: old.id}}
    store.put(dedup.LEGACY_KEY, json.dumps(legacy).encode())
    index = DedupIndex.load(store)
    assert index.decide(art(old.canonical_url, "first text", "raw/1.warc.gz#0")) is Verdict.REPLAY
    copy = art("https://example.org/copy", "first text", "raw/2#0")
    assert index.decide(copy) is Verdict.DUPLICATE and copy.duplicate_of == old.id
    index.save(store)
    assert store.exists(dedup.MANIFEST_KEY) and not store.exists(dedup.LEGACY_KEY)
    index = DedupIndex.load(store)
    assert index.decide(art(old.canonical_url, "first text", "raw/1.warc.gz#0")) is Verdict.REPLAY


def test_ids_ending_in_zero_bytes_survive_the_segments(tmp_path: Path) -> None:
    # numpy's fixed-width bytes strip trailing NULs: an id ending in "00" must still match.
    url = next(f"https://a.example/{i}" for i in range(10_000)
               if article_id(f"https://a.example/{i}").endswith("00"))
    store = open_store(str(tmp_path))
    index = DedupIndex.load(store)
    original = art(url, LONG, "raw/1#0")
    index.decide(original)
    copy = art("https://b.example/copy", LONG, "raw/1#1")
    assert index.decide(copy) is Verdict.DUPLICATE
    index.save(store)
    index = DedupIndex.load(store)
    again = art(url, LONG, "raw/1#0")
    assert index.decide(again) is Verdict.REPLAY
    copy_again = art("https://b.example/copy", LONG, "raw/1#1")
    assert index.decide(copy_again) is Verdict.REPLAY and copy_again.duplicate_of == original.id


def test_extraction_records_a_cross_site_canonical_as_the_copied_article() -> None:
    from newsmill.pipeline.extract.page import extract_article

    paras = "".join(f"<p>{s}.</p>" for s in LONG.split(". "))

    def page(canonical: str) -> bytes:
        return (f'<html lang="en"><head><title>Harbour wall repairs</title>'
                f'<link rel="canonical" href="{canonical}"></head><body><article>'
                f"<h1>Harbour wall repairs</h1>{paras}</article></body></html>").encode()

    url = "https://www.aggregator.example/2026/01/03/harbour-wall-copy/"
    kw: dict[str, Any] = dict(url=url, site="agg", fetched_at="2026-01-03T00:00:00Z",
                              source="feed", raw_ref="raw/x#0",
                              domains=("www.aggregator.example",))
    copy = extract_article(page(ARTICLE_URL + "?utm_source=agg"), **kw)
    assert copy.canonical_url == url and copy.syndicated_from == ARTICLE_URL
    assert copy.to_record()["syndicated_from"] == ARTICLE_URL  # a published field
    own = extract_article(page("/2026/01/03/harbour-wall-copy/"), **kw)
    assert own.syndicated_from is None


def test_window_falls_back_on_the_fetch_date(tmp_path: Path) -> None:
    index = DedupIndex.load(open_store(str(tmp_path)))
    original = art("https://a.example/story", LONG, "raw/1#0")  # fetched 2026-01-01
    index.decide(original)
    assert dedup.pub_day(original) == dedup.pub_day(art("x", "", "r", published_at=None))
    near = LONG + " Republished with permission."
    soon = art("https://b.example/c", near, "raw/2#0", fetched_at="2026-01-20T00:00:00Z")
    assert index.decide(soon) is Verdict.DUPLICATE
    late = art("https://c.example/c", near + " Again.", "raw/3#0",
               fetched_at="2026-03-20T00:00:00Z")
    assert index.decide(late) is Verdict.NEW
