"""Embedded posts and media: listed in `embeds` at the paragraph they followed, kept out of `text`.

The fixture pages carry the markup the platforms' embed codes produce before any script runs
(tweet blockquote + widgets.js, Instagram's captioned blockquote, YouTube and Vimeo iframes,
Bluesky's and Mastodon's blockquotes, Mastodon's older iframe); the content is invented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsmill.pipeline.extract.embeds import reposition
from newsmill.pipeline.extract.page import extract_article

PAGES = Path(__file__).parent / "fixtures" / "beyond"
URL = "https://fenwickcourier.example/2025/03/18/lighthouse-cottages-saved/"


def _record(name: str, url: str = URL) -> Any:
    return extract_article(
        (PAGES / name).read_bytes(), url=url, site="courier", fetched_at="2025-03-18T10:00:00Z",
        source="feed", raw_ref="test", content_type="text/html; charset=utf-8",
    )


def test_every_platform_is_listed_in_order_with_its_post_url() -> None:
    article = _record("embeds-wordpress.html")
    assert [(e["kind"], e["url"]) for e in article.embeds] == [
        ("twitter", "https://twitter.com/rhonapetrie/status/1768001234567890123"),
        ("instagram", "https://www.instagram.com/p/C4xYz12AbCd/"),
        ("youtube", "https://www.youtube.com/watch?v=Qx7fT2bLm0c"),
        ("vimeo", "https://vimeo.com/912345678"),
        ("bluesky", "https://bsky.app/profile/did:plc:4k2x7qv3mzp5yb6wq1r8t0ns/post/3lkq2v7xw4c2s"),
        ("mastodon", "https://mastodon.scot/@gannetlight/114171234567890123"),
        ("mastodon", "https://mastodon.scot/@fenwickcouncil/114172000000000001"),
    ]


def test_post_text_and_author_come_from_the_fallback_markup() -> None:
    embeds = {e["url"]: e for e in _record("embeds-wordpress.html").embeds}
    tweet = embeds["https://twitter.com/rhonapetrie/status/1768001234567890123"]
    assert tweet["text"].startswith("My grandfather kept the Gannet Head light for 31 years.")
    assert tweet["author"] == "Rhona Petrie (@rhonapetrie)"
    post = embeds["https://bsky.app/profile/did:plc:4k2x7qv3mzp5yb6wq1r8t0ns/post/3lkq2v7xw4c2s"]
    assert post["text"] == ("Good news from Gannet Head: the cottages stay public. Thank you to "
                            "everyone who signed.")
    assert post["author"] == "Fenwick Local History Society (@fenwickhistory.bsky.social)"
    insta = embeds["https://www.instagram.com/p/C4xYz12AbCd/"]
    assert insta["author"] == "Gannet Head Light (@gannetheadlight)" and insta["text"] is None
    toot = embeds["https://mastodon.scot/@gannetlight/114171234567890123"]
    assert toot["author"] == "@gannetlight@mastodon.scot"
    video = embeds["https://www.youtube.com/watch?v=Qx7fT2bLm0c"]
    assert video["text"] == "Gannet Head lighthouse: the keepers remember"


def test_position_is_the_paragraph_the_embed_followed() -> None:
    article = _record("embeds-wordpress.html")
    paragraphs = article.text.split("\n\n")
    followed = {e["kind"] + str(i): paragraphs[e["position"]]
                for i, e in enumerate(article.embeds)}
    # The seed story's shape: a sentence announcing the post, then the post.
    assert followed["twitter0"].endswith("shared thousands of times within a day:")
    assert followed["youtube2"].startswith("The council's leader, Struan Maclean")
    assert followed["bluesky4"].startswith("Repairs to the sea wall")
    assert [e["position"] for e in article.embeds] == sorted(e["position"] for e in
                                                               article.embeds)


def test_text_stays_free_of_the_embeds() -> None:
    text = _record("embeds-wordpress.html").text
    for leaked in ("My grandfather kept", "A post shared by", "View this post on Instagram",
                   "Good news from Gannet Head", "Post by @", "View on Mastodon",
                   "#SaveGannetHead"):
        assert leaked not in text
    assert "The lease is expected to be signed" in text


def test_an_avatar_or_a_page_without_embeds_gives_none() -> None:
    article = _record("figures-wpclassic.html", "https://marshweekly.example/2025/05/peal/")
    assert article.embeds == []


def test_positions_follow_paragraphs_removed_after_extraction() -> None:
    embeds: list[dict[str, Any]] = [{"kind": "twitter", "position": 2},
                                    {"kind": "youtube", "position": 0},
                                    {"kind": "vimeo", "position": None}]
    before = "Share this story\n\nFirst real paragraph:\n\nSecond one.\n\nThird one."
    after = "First real paragraph:\n\nSecond one.\n\nThird one."
    moved = reposition(embeds, before, after)
    # After "Second one." it stays; after the dropped template line it stood before the text.
    assert [e["position"] for e in moved] == [1, None, None]
