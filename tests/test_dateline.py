"""The date a page prints for its reader (pipeline.extract.dateline)."""

from __future__ import annotations

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsmill.pipeline.extract.dateline import time_element_date, visible_dateline

FETCHED = "2026-01-01T00:00:00Z"


def _tree(body: str) -> HtmlElement:
    tree = load_html(f"<!DOCTYPE html><html><head></head><body>{body}</body></html>")
    assert tree is not None
    return tree


def test_dateline_next_to_the_headline() -> None:
    tree = _tree(
        "<p>Archive: 3 May 2019</p>" + "<p>menu</p>" * 40 + "<h1>Ferry pier reopens</h1>"
        "<div class='meta'><span>Jan 23rd, 2025</span> · <span>4 min read</span></div>"
        "<p>Story text that mentions 9 March 2024 in passing.</p>"
    )
    assert visible_dateline(tree, FETCHED) == "2025-01-23T00:00:00Z"


def test_dateline_skips_an_update_label_and_reads_day_first_dotted_dates() -> None:
    tree = _tree(
        "<h1>Title</h1><div><span>Last updated:</span> <span>2 March 2024</span></div>"
        "<div>12.02.2024</div>"
    )
    assert visible_dateline(tree, FETCHED) == "2024-02-12T00:00:00Z"
    assert visible_dateline(_tree("<h1>Title</h1><p>Updated 2 March 2024</p>"), FETCHED) is None


def test_dateline_leaves_ambiguous_and_future_dates_alone() -> None:
    # 03/04/2025 is the 3rd of April or the 4th of March; a date after the fetch is not one.
    assert visible_dateline(_tree("<h1>T</h1><p>03/04/2025</p>"), FETCHED) is None
    assert visible_dateline(_tree("<h1>T</h1><p>5 June 2027</p>"), FETCHED) is None


def test_time_element_prefers_the_published_one_and_skips_updates_and_sidebars() -> None:
    tree = _tree(
        "<article><h1>T</h1>"
        "<div><span>Updated</span> <time datetime='2025-11-30T09:00:00Z'>30 Nov</time></div>"
        "<p>Posted <time datetime='2025-10-07T18:45:00+01:00'>7 Oct</time></p></article>"
        "<aside class='sidebar'><time datetime='2025-11-29T08:00:00Z'>29 Nov</time></aside>"
    )
    assert time_element_date(tree, FETCHED) == "2025-10-07T17:45:00Z"
    only_sidebar = _tree(
        "<h1>T</h1><aside><time datetime='2025-11-29T08:00:00Z'>29 Nov</time></aside>"
    )
    assert time_element_date(only_sidebar, FETCHED) is None


def _dates(head: str, body: str, url: str = "https://x.example/a") -> tuple[str | None, ...]:
    from newsmill.pipeline.extract.metadata import read_metadata
    from newsmill.pipeline.extract.published import choose_dates

    tree = load_html(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    assert tree is not None
    return choose_dates(tree, read_metadata(tree), {}, "feed", urls=(url, url), fetched_at=FETCHED)


LD = '<script type="application/ld+json">{{"@type": "NewsArticle", {}}}</script>'


def test_a_build_stamp_in_both_markup_dates_loses_to_the_printed_date() -> None:
    stamp = LD.format(
        '"datePublished": "2025-11-20T16:02:46Z", "dateModified": "2025-11-20T16:02:46Z"'
    )
    body = "<h1>Story</h1><p class='date'>14 May 2025</p>"
    assert _dates(stamp, body) == ("2025-05-14T00:00:00Z", "text", "2025-11-20T16:02:46Z")
    # A real first publication (modified later) keeps the markup's date.
    real = LD.format(
        '"datePublished": "2025-03-02T08:00:00Z", "dateModified": "2025-11-20T16:02:46Z"'
    )
    assert _dates(real, body)[:2] == ("2025-03-02T08:00:00Z", "json-ld")


def test_a_display_date_in_json_ld_ranks_after_the_page_and_url() -> None:
    display = LD.format('"datePublished": "Jun 24, 2025"')
    assert _dates(display, "<h1>Story</h1>", "https://x.example/2024/08/25/story")[:2] == (
        "2024-08-25T00:00:00Z",
        "url",
    )
    # With nothing else on the page it is still better than no date.
    assert _dates(display, "<p>text</p>")[0] == "2025-06-24T00:00:00Z"


def test_a_teaser_card_article_is_not_the_story() -> None:
    tree = _tree(
        "<h1>T</h1><section class='cards-carousel'><article class='article-card'>"
        "<time datetime='2025-10-23'>23 Oct</time></article></section>"
    )
    assert time_element_date(tree, FETCHED) is None
