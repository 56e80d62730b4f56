from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import trafilatura

from newsmill.pipeline.extract.boilerplate import filter_boilerplate
from newsmill.pipeline.extract.decode import decode_html
from newsmill.pipeline.extract.load import MAX_BYTES, NoArticle
from newsmill.pipeline.extract.page import EXTRACTOR, extract_article
from newsmill.pipeline.publish.article import Article

PAGES = Path(__file__).parent / "fixtures" / "pages"
FETCHED = "2024-05-04T10:00:00Z"
SEED_URL = (
    "https://www.northfieldpost.example/2024/05/03/council-votes-to-close-riverside-car-park/"
)
SITE_DOMAINS = ("www.northfieldpost.example", "northfieldpost.example")


def _extract(name_or_body: str | bytes, url: str, **kwargs: Any) -> Article:
    body = (PAGES / name_or_body).read_bytes() if isinstance(name_or_body, str) else name_or_body
    options: dict[str, Any] = {
        "site": "northfield",
        "fetched_at": FETCHED,
        "source": "feed",
        "raw_ref": "raw/site=northfield/date=2024-05-04/run-00001.warc.gz#1234",
    }
    options.update(kwargs)
    return extract_article(body, url=url, **options)


def _story(paragraphs: list[str], head: str = "", lang: str = "en") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if "title" not in head:
        head += "<title>Island ferry news</title>"
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head>"
        f"<body><article>{body}</article></body></html>"
    ).encode()


FERRY = [
    "The island ferry will run an extra crossing on Friday evenings from the first week of "
    "June, the operator has confirmed, after a petition signed by more than two thousand people.",
    "The earliest Monday sailing moves twenty minutes later so that crews can rest between "
    "shifts, which commuters say will make them late for work on the mainland.",
]


# --------------------------------------------------------------------------- the seed-like page


@pytest.fixture(scope="module")
def seed() -> Article:
    return _extract(
        "seedlike.html",
        SEED_URL + "?utm_source=twitter&utm_medium=social&fbclid=IwAR0abc#comments",
        domains=SITE_DOMAINS,
    )


def test_seed_metadata(seed: Article) -> None:
    assert seed.title == "Council votes to close riverside car park"
    assert seed.authors == ["Maria Okafor", "Tom Reyes"]
    assert seed.published_at == "2024-05-03T08:15:00Z"
    assert seed.modified_at == "2024-05-03T10:40:00Z"
    assert seed.language == "en"
    assert seed.canonical_url == SEED_URL
    assert seed.domain == "www.northfieldpost.example"
    assert seed.description == (
        "Councillors voted 23 to 9 to shut the Mill Lane car park and turn it into a flood meadow."
    )
    assert seed.image == "https://www.northfieldpost.example/media/2024/05/mill-lane.jpg"
    assert seed.categories == ["Local"]
    assert seed.tags == ["Northfield Council", "Flooding"]
    assert seed.provenance == {"title": "json-ld", "authors": "json-ld", "published_at": "json-ld"}
    assert seed.extractor == EXTRACTOR
    assert seed.url.endswith("#comments")  # the fetched URL is kept as fetched


def test_seed_text_keeps_the_story_and_its_subheadings(seed: Article) -> None:
    paragraphs = seed.text.split("\n\n")
    assert paragraphs[0].startswith("Northfield councillors have voted to close the Mill Lane")
    assert "Traders fear lost custom" in paragraphs
    assert "What happens next" in paragraphs
    assert paragraphs[-1] == (
        "The closure still needs sign-off from the county highways team, which is expected to "
        "consider the plan at its June meeting."
    )
    assert seed.word_count > 200


@pytest.mark.parametrize(
    "junk",
    [
        "Council votes to close riverside car park\n",  # the headline is not repeated in the text
        "By Maria Okafor",
        "Start your day with",
        "delivered straight to your inbox",
        "Since you",
        "We know you don",
        "Please help us",
        "The Northfield Post Support",
        "Featured image via",
        "Shocking decision tonight",  # the embedded tweet
        "pic.twitter.com",
        "Share on Facebook",
        "About time. The car park",  # reader comments
        "Where exactly are people meant to park",
        "cookies",
        "All rights reserved",
    ],
)
def test_seed_text_has_no_boilerplate(seed: Article, junk: str) -> None:
    assert junk not in seed.text


def test_seed_text_layout(seed: Article) -> None:
    assert "\n\n\n" not in seed.text
    assert all(line == line.strip() for line in seed.text.split("\n"))
    assert all(p for p in seed.text.split("\n\n"))
    assert "  " not in seed.text


def test_record_shape(seed: Article) -> None:
    record = seed.to_record()
    assert record["id"] == seed.id
    assert record["word_count"] == len(seed.text.split())
    assert record["source"] == "feed"
    assert record["raw_ref"].endswith("#1234")


def test_extractor_names_both_versions() -> None:
    assert re.fullmatch(r"newsmill/[\w.+-]+\+trafilatura/[\w.]+", EXTRACTOR)
    assert EXTRACTOR.endswith(f"trafilatura/{trafilatura.__version__}")


# --------------------------------------------------------------------------- other fixture pages


def test_windows_1252_page_is_decoded() -> None:
    art = _extract("cp1252.html", "https://www.courrierdulac.example/region/marche-couvert")
    assert art.title == "Le marché couvert rouvre ses portes"
    assert "300 000 € de plus que prévu" in art.text
    assert "légumes d’automne" in art.text
    assert art.authors == ["Élodie Marchand"]
    assert art.published_at == "2023-11-18T00:00:00Z"
    assert art.language == "fr"


def test_windows_1252_page_served_as_utf8_is_still_decoded() -> None:
    art = _extract(
        "cp1252.html",
        "https://www.courrierdulac.example/region/marche-couvert",
        content_type="text/html; charset=utf-8",
    )
    assert "Hélène" in art.text
    assert "\ufffd" not in art.text


def test_decode_prefers_valid_utf8_over_a_wrong_latin1_label() -> None:
    body = "<html><body><p>Café – “quoted”</p></body></html>".encode()
    text, encoding = decode_html(body, "text/html; charset=ISO-8859-1")
    assert "Café – “quoted”" in text
    assert encoding == "utf-8"


def test_decode_uses_meta_charset_and_bom() -> None:
    body = '<meta charset="windows-1252"><p>caf\xe9</p>'.encode("cp1252")
    assert "café" in decode_html(body)[0]
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html; charset=cp1252")[0] == (
        "<p>café</p>"
    )


def test_amp_page_collapses_onto_the_article() -> None:
    art = _extract(
        "amp.html",
        "https://www.northfieldpost.example/2024/04/22/library-extends-opening-hours/amp/",
        domains=SITE_DOMAINS,
    )
    assert art.canonical_url == (
        "https://www.northfieldpost.example/2024/04/22/library-extends-opening-hours/"
    )
    assert art.title == "Library extends opening hours for exam season"
    assert art.authors == ["Tom Reyes"]


def test_json_ld_graph_page() -> None:
    art = _extract(
        "graph.html",
        "https://allotmentnotes.example/guides/winter-proof-vegetable-patch/?utm_campaign=autumn",
        site="allotment",
    )
    assert art.title == "How to winter-proof a vegetable patch"
    assert art.authors == ["Grace Whitfield"]
    assert art.published_at == "2023-10-29T20:45:00Z"
    assert art.modified_at == "2023-11-02T12:00:00Z"
    assert (
        art.canonical_url == "https://allotmentnotes.example/guides/winter-proof-vegetable-patch/"
    )
    assert art.image == (
        "https://allotmentnotes.example/wp-content/uploads/2023/10/beds-under-straw.jpg"
    )
    assert art.tags == ["winter", "soil", "green manure"]
    assert art.language == "en"
    assert "Cover every bed" in art.text.split("\n\n")
    assert "Read more" not in art.text
    assert "Share this article" not in art.text


# --------------------------------------------------------------------------- pages with no article


@pytest.mark.parametrize("content_type", ["application/pdf", "text/html", None])
def test_pdf_is_refused(content_type: str | None) -> None:
    with pytest.raises(NoArticle) as err:
        _extract("annual-report.pdf", "https://x.example/report", content_type=content_type)
    assert err.value.reason == "not HTML: application/pdf"


def test_other_non_html_types_are_refused() -> None:
    with pytest.raises(NoArticle, match=r"^not HTML: image/png$"):
        _extract(b"\x89PNG\r\n\x1a\n....", "https://x.example/a.png", content_type="image/png")
    with pytest.raises(NoArticle, match=r"^not HTML: application/json$"):
        _extract(b'{"a": 1}', "https://x.example/api", content_type="application/json")
    with pytest.raises(NoArticle, match=r"^not HTML: application/rss\+xml$"):
        _extract(
            b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
            "https://x.example/feed",
            content_type="application/xml",
        )


def test_a_page_behind_kilobytes_of_server_warnings_is_still_html() -> None:
    """PHP prints its warnings before the page; with no content type (a saved file) the
    sniff has to look past them. A text with no markup at all stays refused."""
    warning = (b"<br />\n<b>Deprecated</b>:  Assigning the return value of new by reference is "
               b"deprecated in <b>/www/htdocs/site/wp-settings.php</b> on line <b>520</b><br />\n")
    story = " ".join(["The harbour board approved the new ferry timetable on Tuesday."] * 12)
    page = (warning * 30 + b"<!DOCTYPE html><html><head><title>Ferry timetable approved</title>"
            b"</head><body><article><h1>Ferry timetable approved</h1><p>" + story.encode()
            + b"</p><p>" + story.encode() + b"</p></article></body></html>")
    assert len(warning * 30) > 4096
    art = _extract(page, "https://x.example/ferry", content_type=None)
    assert "harbour board approved" in art.text
    with pytest.raises(NoArticle, match=r"^not HTML: text/plain$"):
        _extract(story.encode() * 200, "https://x.example/notes.txt", content_type="text/plain")


def test_empty_and_stub_pages_have_no_article() -> None:
    with pytest.raises(NoArticle, match=r"^no article text \(\d+ words\)$"):
        _extract("empty.html", "https://www.northfieldpost.example/missing")
    with pytest.raises(NoArticle, match=r"^empty page$"):
        _extract(b"  \n", "https://www.northfieldpost.example/blank")


def test_oversize_page_is_refused_with_its_size() -> None:
    body = b"<html><body><p>" + b"a " * (MAX_BYTES // 2) + b"</p></body></html>"
    with pytest.raises(NoArticle) as err:
        _extract(body, "https://x.example/huge")
    assert err.value.reason == f"page too large: {len(body)} bytes (limit {MAX_BYTES})"


def test_malformed_html_is_handled() -> None:
    body = (
        b"<html><head><title>Ferry</title><body><div><p>"
        + FERRY[0].encode()
        + b"<p>"
        + FERRY[1].encode()
        + b"<div><span>"
    )
    art = _extract(body, "https://islandnews.example/ferry")
    assert "extra crossing" in art.text


def test_a_story_without_any_title_is_published_with_a_null_title() -> None:
    body = _story(FERRY).replace(b"<title>Island ferry news</title>", b"")
    art = _extract(body, "https://islandnews.example/ferry")
    assert art.title is None and "extra crossing" in art.text
    assert art.to_record()["title"] is None and "title" not in art.provenance


def test_a_story_whose_only_title_is_the_site_name_keeps_that_title() -> None:
    head = "<title>Island News</title><meta property='og:site_name' content='Island News'>"
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.title == "Island News" and "extra crossing" in art.text


# --------------------------------------------------------------------------- merge rules


def test_hints_from_a_feed_fill_what_the_page_lacks() -> None:
    hints = {
        "via": "feed",
        "title": "Extra Friday ferry from June",
        "published": "Fri, 03 May 2024 09:15:00 +0100",
        "authors": ["Kofi Mensah"],
        "categories": ["Transport"],
    }
    # the page's <title> is only the site's name: no headline at all
    head = "<title>Island News</title><meta property='og:site_name' content='Island News'>"
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry", hints=hints)
    assert art.title == "Extra Friday ferry from June"
    assert art.published_at == "2024-05-03T08:15:00Z"
    assert art.authors == ["Kofi Mensah"]
    assert art.categories == ["Transport"]
    assert art.provenance == {"title": "feed", "authors": "feed", "published_at": "feed"}


def test_sitemap_hints_are_labelled_sitemap() -> None:
    art = _extract(
        _story(FERRY, head="<title>Ferry changes</title>"),
        "https://islandnews.example/ferry",
        hints={"via": "sitemap", "published": "2024-05-01"},
    )
    assert art.published_at == "2024-05-01T00:00:00Z"
    assert art.provenance["published_at"] == "sitemap"
    assert art.provenance["title"] == "meta"


def test_page_markup_beats_hints() -> None:
    head = '<meta property="article:published_time" content="2024-05-02T12:00:00Z">'
    art = _extract(
        _story(FERRY, head=head),
        "https://islandnews.example/ferry",
        hints={"via": "feed", "published": "2024-05-03T00:00:00Z"},
    )
    assert art.published_at == "2024-05-02T12:00:00Z"
    assert art.provenance["published_at"] == "og"


def test_date_in_the_url_is_used_when_nothing_else_has_one() -> None:
    art = _extract(_story(FERRY), "https://islandnews.example/2024/05/03/ferry-changes/")
    assert art.published_at == "2024-05-03T00:00:00Z"
    assert art.provenance["published_at"] == "url"


def test_a_future_date_is_dropped_not_replaced_by_the_fetch_time() -> None:
    head = '<meta property="article:published_time" content="2031-01-01T00:00:00Z">'
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.published_at is None
    assert "published_at" not in art.provenance


def test_byline_found_in_the_page_when_markup_has_no_author() -> None:
    body = (
        b"<html><head><title>Ferry changes</title></head><body><article>"
        b'<h1>Ferry changes</h1><p class="byline">By <span class="author">Kofi Mensah</span></p>'
        + b"".join(b"<p>" + p.encode() + b"</p>" for p in FERRY)
        + b"</article></body></html>"
    )
    art = _extract(body, "https://islandnews.example/ferry")
    assert art.authors == ["Kofi Mensah"]
    assert art.provenance["authors"] == "byline"
    assert "Kofi Mensah" not in art.text


def test_organisation_author_gives_no_author() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry",'
        ' "author": {"@type": "Organization", "name": "Island News"}}</script>'
        '<meta property="og:site_name" content="Island News">'
        '<meta name="author" content="Island News">'
    )
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.authors == []
    assert "authors" not in art.provenance


def test_title_suffix_is_removed_using_the_site_name() -> None:
    head = (
        "<title>Ferry timetable changes from June | Island News</title>"
        '<meta property="og:site_name" content="Island News">'
    )
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.title == "Ferry timetable changes from June"


def test_title_suffix_is_removed_using_the_domain() -> None:
    head = "<title>Ferry timetable changes from June - IslandNews.example</title>"
    art = _extract(_story(FERRY, head=head), "https://www.islandnews.example/ferry")
    assert art.title == "Ferry timetable changes from June"


def test_an_agreeing_headline_cleans_an_unknown_suffix() -> None:
    head = '<meta property="og:title" content="Ferry timetable changes from June | IN Online ZA">'
    page = _story(FERRY, head=head).replace(
        b"<article>", b"<article><h1>Ferry timetable changes from June</h1>"
    )
    art = _extract(page, "https://islandnews.example/ferry")
    assert art.title == "Ferry timetable changes from June"
    # the visible headline supplied it; og:title only confirmed it is the story's headline
    assert art.provenance["title"] == "text"


# --------------------------------------------------------------------------- language


GERMAN = [
    "Die Fähre zur Insel fährt ab Juni auch am Freitagabend, nachdem mehr als zweitausend "
    "Menschen eine Petition unterschrieben haben, teilte der Betreiber am Montag mit.",
    "Die erste Abfahrt am Montagmorgen verschiebt sich um zwanzig Minuten, damit die Besatzung "
    "zwischen den Schichten ausreichend Ruhe bekommt, was viele Pendler verärgert.",
    "Der Gemeinderat will im Herbst prüfen, ob die zusätzliche Verbindung dauerhaft bleibt und "
    "wie viele Fahrgäste sie tatsächlich nutzen, bevor neue Verträge unterschrieben werden.",
]


def test_declared_language_wins_on_a_matching_text() -> None:
    assert _extract(_story(FERRY, lang="en-GB"), "https://islandnews.example/f").language == "en"


def test_detection_overrules_a_template_language_on_a_long_text() -> None:
    art = _extract(_story(GERMAN, lang="en"), "https://inselnachrichten.example/faehre")
    assert art.language == "de"


def test_detection_is_used_when_nothing_is_declared() -> None:
    art = _extract(_story(GERMAN, lang=""), "https://inselnachrichten.example/faehre")
    assert art.language == "de"


def test_site_language_hint_is_the_last_resort() -> None:
    # a timetable: words enough for a record, not enough language for a detector
    rows = [
        " ".join(f"{h:02d}:{m:02d} {h + 1:02d}:{(m + 25) % 60:02d} {h % 7}/{m}" for m in (5, 35))
        for h in range(6, 14)
    ]
    art = _extract(
        _story(rows, lang="", head="<meta property='og:type' content='article'>"),
        "https://islandnews.example/timetable",
        language_hint="en",
    )
    assert art.language == "en"


# --------------------------------------------------------------------------- boilerplate filter


def test_boilerplate_filter_is_not_fooled_by_prose() -> None:
    prose = [
        "The council said residents could sign up for garden waste collection at the town hall "
        "until the end of the month, and that the scheme would cost £40 a year.",
        "She follows the local football club on every away trip and rarely misses a match.",
        "Photographers were kept behind a barrier while the minister gave her statement, and "
        "several complained that they could not see the stage from where they stood.",
    ]
    assert filter_boilerplate(prose) == prose


@pytest.mark.parametrize(
    "furniture",
    [
        "- 11 min read",
        "Next article: Harbour board approves the dredging plan",
        "Join Medium for free to get updates from this writer.",
        "Subscribe to us",
        "Catch up on our coverage of tools and gardens, and follow us on Facebook, Instagram and "
        "TikTok to stay up to date.",
        "Disclosure: As an affiliate I earn from qualifying purchases. If you click a product link "
        "on this blog and buy something, I may receive a commission at no extra cost to you, "
        "which helps keep the allotment diaries going through the winter months.",
    ],
)
def test_navigation_cta_and_disclosure_lines_are_dropped(furniture: str) -> None:
    story = ["The ferry will run on Sundays from June, the operator said on Tuesday morning."]
    assert filter_boilerplate([*story, furniture, *story]) == [*story, *story]


def test_appeal_block_is_cut_only_at_the_end() -> None:
    story = [
        f"Paragraph {i} of the story with enough words to count for something." for i in range(6)
    ]
    appeal = ["Before you go, a quick request.", "Independent reporting needs readers like you."]
    assert filter_boilerplate(story + appeal) == story
    # the same words near the top are left alone
    early = ["Before you go to the polls, read this.", *story]
    assert filter_boilerplate(early) == early


# --------------------------------------------------------------------------- headline and byline


def _with_body(head: str, body: str) -> bytes:
    story = "".join(f"<p>{p}</p>" for p in FERRY)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
        f"<body>{body.replace('STORY', story)}</body></html>"
    ).encode()


def test_visible_headline_beats_the_seo_title() -> None:
    head = (
        '<meta property="og:title" content="Ferry extra crossing Friday 2024 | Top Island News">'
        "<title>Ferry extra crossing Friday 2024 | Top Island News</title>"
    )
    body = (
        '<header><h1 class="logo">Island News</h1></header>'
        "<article><h1>Extra Friday crossing for the island ferry</h1>STORY</article>"
    )
    art = _extract(_with_body(head, body), "https://islandnews.example/ferry")
    assert art.title == "Extra Friday crossing for the island ferry"
    assert art.provenance["title"] == "text"


def test_an_h1_about_something_else_is_not_the_title() -> None:
    head = '<meta property="og:title" content="Extra Friday crossing for the island ferry">'
    body = "<h1>Newsletter</h1><article>STORY</article>"
    art = _extract(_with_body(head, body), "https://islandnews.example/ferry")
    assert art.title == "Extra Friday crossing for the island ferry"
    assert art.provenance["title"] == "og"


def test_a_dateline_inside_the_h1_is_left_out() -> None:
    head = '<meta property="og:title" content="Extra Friday crossing for the island ferry">'
    body = (
        "<article><h1>Extra Friday crossing for the island ferry "
        "<small>Posted on May 3, 2024 by admin</small></h1>STORY</article>"
    )
    art = _extract(_with_body(head, body), "https://islandnews.example/ferry")
    assert art.title == "Extra Friday crossing for the island ferry"


def test_written_by_label_and_author_link_give_the_byline() -> None:
    labelled = (
        '<article><h1>Ferry</h1><div class="meta"><p>Written by</p><p>Amara Okafor</p></div>'
        "STORY</article>"
    )
    art = _extract(_with_body("", labelled), "https://islandnews.example/ferry")
    assert art.authors == ["Amara Okafor"]
    assert art.provenance["authors"] == "byline"
    linked = (
        '<article><h1>Ferry</h1><a href="/author/tomas-lindqvist/">Tomas Lindqvist</a>'
        "STORY</article>"
        '<section class="comments"><a href="/author/someone-else/">Someone Else</a></section>'
    )
    art = _extract(_with_body("", linked), "https://islandnews.example/ferry")
    assert art.authors == ["Tomas Lindqvist"]


def test_byline_furniture_is_not_a_name() -> None:
    from newsmill.pipeline.extract.byline import plausible_name, trim_calendar

    assert not plausible_name("Dec")
    assert not plausible_name("Written By")
    assert trim_calendar("Luke Kim December") == "Luke Kim"
    assert trim_calendar("Theresa May") == "Theresa May"
    assert plausible_name("Kofi Mensah")


# --------------------------------------------------------------------------- structural pruning


def test_structure_prune_removes_labelled_furniture_but_not_the_story() -> None:
    from lxml.html import fromstring

    from newsmill.pipeline.extract.structure import prune

    story = " ".join(FERRY)
    tree = fromstring(
        "<html><body><div class='share-story-wrapper'><article>"
        f"<p>{story}</p><div class='newsletter-box'><p>Get the Island Brief</p></div>"
        "<form><input type='email' name='email'><button>Go</button></form>"
        "<p class='shared-quote'>A shared quote stays: the token does not start with share.</p>"
        "<div role='dialog'><p>We use cookies.</p></div>"
        "<p><a href='/'>Back to index</a> | <a href='#'>Print</a></p>"
        "<p>Read <a href='/a'>the report</a> and <a href='/b'>the reply</a> before the vote "
        "on Thursday, when the council decides whether the crossing stays.</p>"
        "</article></div></body></html>"
    )
    prune(tree)
    text = tree.text_content()
    assert story in text  # the wrapper with a share-like class holds the story: kept
    for gone in ("Island Brief", "cookies", "Back to index", "Go"):
        assert gone not in text
    assert "A shared quote stays" in text
    assert "the report" in text  # a sentence with links is not a link row


def test_an_unknown_brand_after_a_pipe_is_dropped_from_the_title() -> None:
    from newsmill.pipeline.extract.title import drop_pipe_suffix

    assert drop_pipe_suffix("How to fix a bike chain | Wheelwright") == "How to fix a bike chain"
    assert drop_pipe_suffix("Night trains return | Opinion | The Courier Weekly") == (
        "Night trains return"
    )
    # a clause after the pipe, or a headline too short without it, stays
    assert drop_pipe_suffix("Ferries | what the new timetable means for commuters") == (
        "Ferries | what the new timetable means for commuters"
    )
    assert drop_pipe_suffix("Budget 2025 | Live") == "Budget 2025 | Live"


def test_a_later_author_signal_that_names_more_people_widens_the_byline() -> None:
    head = (
        '<meta name="DC.Creator" content="Ines Lachapelle">'
        '<meta name="citation_author" content="Ines Lachapelle">'
        '<meta name="citation_author" content="Oskar Vennberg">'
    )
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.authors == ["Ines Lachapelle", "Oskar Vennberg"]
    # A later signal naming other people does not replace or extend the chosen byline.
    head = (
        '<meta name="DC.Creator" content="Ines Lachapelle"><meta name="byl" content="Kofi Mensah">'
    )
    art = _extract(_story(FERRY, head=head), "https://islandnews.example/ferry")
    assert art.authors == ["Ines Lachapelle"]
