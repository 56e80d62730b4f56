from __future__ import annotations

from pathlib import Path

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsmill.pipeline.extract.candidates import JSON_LD, META, OG, TEXT, PageMetadata
from newsmill.pipeline.extract.metadata import read_metadata

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _tree(html: str) -> HtmlElement:
    tree = load_html(html)
    assert tree is not None
    return tree


def _page(
    head: str, body: str = "<p>Body text.</p><p>More text.</p>", html_attrs: str = ""
) -> PageMetadata:
    return read_metadata(
        _tree(f"<!DOCTYPE html><html {html_attrs}><head>{head}</head><body>{body}</body></html>")
    )


def test_json_ld_graph_with_id_references() -> None:
    meta = read_metadata(_tree((PAGES / "graph.html").read_text(encoding="utf-8")))
    assert meta.title is not None
    assert (meta.title.value, meta.title.signal) == (
        "How to winter-proof a vegetable patch",
        JSON_LD,
    )
    # the Article names its author only by @id + name; the publisher only by @id
    assert meta.authors[0].value == ["Grace Whitfield"]
    assert meta.authors[0].signal == JSON_LD
    assert meta.images[0].value == (
        "https://allotmentnotes.example/wp-content/uploads/2023/10/beds-under-straw.jpg"
    )
    assert [s.value for s in meta.site_names][:1] == ["Allotment Notes"]
    assert meta.published[0].value == "2023-10-29T16:45:00-04:00"
    assert meta.tags[0].value == ["winter", "soil", "green manure"]
    assert meta.categories[0].value == ["Guides"]
    assert meta.canonical == "https://allotmentnotes.example/guides/winter-proof-vegetable-patch/"
    assert meta.declares_article


def test_json_ld_author_shapes() -> None:
    meta = _page(
        """<script type="application/ld+json">
        {"@context": "https://schema.org", "@type": ["NewsArticle"], "headline": "A",
         "author": [{"@type": "Person", "name": "Maria Okafor"}, "Tom Reyes",
                    {"@type": "Organization", "name": "The Northfield Post"},
                    {"@type": "Person", "givenName": "Grace", "familyName": "Whitfield"}]}
        </script>"""
    )
    assert meta.authors[0].value == ["Maria Okafor", "Tom Reyes", "Grace Whitfield"]


def test_json_ld_article_inside_webpage_main_entity_and_schema_url_types() -> None:
    meta = _page(
        """<script type="application/ld+json">
        {"@type": "http://schema.org/WebPage", "name": "Page",
         "mainEntity": {"@type": "http://schema.org/ReportageNewsArticle",
                        "headline": "Flood defences tested", "datePublished": "2024-01-02"}}
        </script>"""
    )
    assert meta.title is not None and meta.title.value == "Flood defences tested"
    assert meta.published[0].value == "2024-01-02"
    assert "reportagenewsarticle" in meta.jsonld_types


def test_broken_json_ld_is_tolerated() -> None:
    meta = _page(
        """<script type="application/ld+json"><!--
        {"@type": "BlogPosting", "headline": "Trailing commas everywhere",
         "author": {"@type": "Person", "name": "Tom Reyes",},}
        --></script>
        <script type="application/ld+json">{not json at all</script>"""
    )
    assert meta.title is not None and meta.title.value == "Trailing commas everywhere"
    assert meta.authors[0].value == ["Tom Reyes"]


def test_json_ld_text_is_unescaped_and_stripped_of_tags() -> None:
    meta = _page(
        """<script type="application/ld+json">
        {"@type": "Article", "headline": "Fish &amp;amp; chips",
         "description": "<p>Short &amp; sweet</p>"}
        </script>"""
    )
    assert meta.title is not None and meta.title.value == "Fish & chips"
    assert meta.descriptions[0].value == "Short & sweet"


def test_opengraph_and_meta_tags_with_their_signals() -> None:
    meta = _page(
        """
        <title>Ferry timetable changes | Island News</title>
        <meta property="og:title" content="Ferry timetable changes">
        <meta property="og:description" content="An extra Friday sailing.">
        <meta property="og:image" content="https://img.example/ferry.jpg">
        <meta property="og:locale" content="en_GB">
        <meta property="og:site_name" content="Island News">
        <meta property="og:type" content="article">
        <meta property="article:published_time" content="2024-05-03T09:15:00+01:00">
        <meta property="article:modified_time" content="2024-05-03T10:00:00+01:00">
        <meta property="article:section" content="Transport">
        <meta property="article:tag" content="Ferries">
        <meta property="article:tag" content="Commuting">
        <meta property="article:author" content="https://www.facebook.com/islandnews">
        <meta name="author" content="Kofi Mensah">
        <meta name="description" content="Meta description.">
        <meta name="news_keywords" content="ferry, timetable">
        <link rel="canonical" href="https://islandnews.example/ferry">
        <link rel="amphtml" href="https://islandnews.example/ferry/amp">
        """,
        html_attrs='lang="en-GB"',
    )
    assert [(s.value, s.signal) for s in meta.titles] == [
        ("Ferry timetable changes", OG),
        ("Ferry timetable changes | Island News", META),
    ]
    assert meta.descriptions[0].value == "An extra Friday sailing."
    # the og author is a profile URL, not a name
    assert [(s.value, s.signal) for s in meta.authors] == [(["Kofi Mensah"], META)]
    assert (meta.published[0].value, meta.published[0].signal) == ("2024-05-03T09:15:00+01:00", OG)
    assert meta.modified[0].value == "2024-05-03T10:00:00+01:00"
    assert meta.categories[0].value == ["Transport"]
    assert meta.tags[0].value == ["Ferries", "Commuting"]
    assert [s.value for s in meta.languages] == ["en-GB", "en_GB"]
    assert meta.canonical == "https://islandnews.example/ferry"
    assert meta.amphtml == "https://islandnews.example/ferry/amp"
    assert meta.declares_article
    assert not meta.is_amp


def test_publisher_specific_meta_tags() -> None:
    meta = _page(
        """
        <meta name="parsely-title" content="Parsely headline">
        <meta name="parsely-author" content="Maria Okafor">
        <meta name="parsely-pub-date" content="2024-05-03T08:00:00Z">
        <meta name="parsely-section" content="Politics">
        <meta name="parsely-tags" content="council,budget">
        """
    )
    assert meta.title is not None and meta.title.value == "Parsely headline"
    assert meta.authors[0].value == ["Maria Okafor"]
    assert meta.published[0].value == "2024-05-03T08:00:00Z"
    assert meta.categories[0].value == ["Politics"]
    assert meta.tags[0].value == ["council", "budget"]

    meta = _page(
        """
        <meta name="sailthru.author" content="Tom Reyes">
        <meta name="sailthru.date" content="2024-05-02 10:00:00">
        <meta name="sailthru.tags" content="ferry, island">
        <meta name="DC.creator" content="Someone Else">
        <meta name="dc.date.issued" content="2020-01-01">
        """
    )
    assert meta.authors[0].value == ["Tom Reyes"]
    assert meta.published[0].value == "2024-05-02 10:00:00"
    assert meta.tags[0].value == ["ferry", "island"]


def test_parsely_page_json() -> None:
    meta = _page(
        """<meta name="parsely-page" content='{"title": "From JSON",
        "pub_date": "2024-03-01T00:00:00Z", "author": "Grace Whitfield",
        "section": "Gardening", "tags": ["soil"]}'>"""
    )
    assert meta.title is not None and meta.title.value == "From JSON"
    assert meta.published[0].value == "2024-03-01T00:00:00Z"
    assert meta.authors[0].value == ["Grace Whitfield"]


def test_microdata_and_single_h1() -> None:
    meta = _page(
        "<title>x</title>",
        body="""<article itemscope itemtype="https://schema.org/NewsArticle">
        <h1>Harbour wall repaired</h1>
        <span itemprop="author" itemscope><span itemprop="name">Kofi Mensah</span></span>
        <time itemprop="datePublished" datetime="2024-02-11T07:30:00Z">11 Feb</time>
        <p>Text.</p></article>""",
    )
    assert (meta.titles[-1].value, meta.titles[-1].signal) == ("Harbour wall repaired", TEXT)
    assert meta.authors[0].value == ["Kofi Mensah"]
    assert meta.published[0].value == "2024-02-11T07:30:00Z"


def test_amp_page_is_recognised() -> None:
    meta = read_metadata(_tree((PAGES / "amp.html").read_text(encoding="utf-8")))
    assert meta.is_amp
    assert meta.canonical == (
        "https://www.northfieldpost.example/2024/04/22/library-extends-opening-hours/"
    )


def test_page_without_metadata_is_empty_not_an_error() -> None:
    meta = _page("", body="<div>Just words here.</div>")
    assert meta.title is None
    assert meta.authors == [] and meta.published == [] and meta.canonical is None
    assert not meta.declares_article


def test_twitter_card_written_by_label_names_the_author() -> None:
    meta = _page(
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="4 minutes">'
        '<meta name="twitter:label2" content="Written by">'
        '<meta name="twitter:data2" content="Nawal Idrissi">'
    )
    assert [(c.value, c.signal) for c in meta.authors] == [(["Nawal Idrissi"], META)]
    # Reading time and other card labels never become authors.
    assert not _page(
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="4 minutes">'
    ).authors


def test_every_author_tag_is_a_candidate_in_rank_order() -> None:
    meta = _page(
        '<meta name="author" content="Harbour Press">'
        '<meta name="DC.Creator" content="Ines Lachapelle">'
        '<meta name="citation_author" content="Ines Lachapelle">'
        '<meta name="citation_author" content="Oskar Vennberg">'
    )
    assert [c.value for c in meta.authors] == [
        ["Harbour Press"],
        ["Ines Lachapelle"],
        ["Ines Lachapelle", "Oskar Vennberg"],
    ]
