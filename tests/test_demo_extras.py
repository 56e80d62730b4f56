"""The demo's story built like the seed page (an announced tweet, a captioned and credited
figure, the donation appeal after the body): its record keeps the story, not the appeal, and
lists the post and the images."""

from __future__ import annotations

import urllib.request

from newsmill.pipeline.demo import gazette_article
from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.demo.stories import story
from newsmill.pipeline.extract.page import extract_article


def test_ferry_story_record_has_text_embed_and_images(demo_server: DemoServer) -> None:
    demo_server.set_edition(1)
    expected = next(a for a in demo_server.catalogue()
                    if a.description == story("gazette-ferry-strike").standfirst)
    with urllib.request.urlopen(expected.canonical_url, timeout=10) as reply:
        body = reply.read()
    article = extract_article(body, url=expected.canonical_url, site="gazette",
                              fetched_at="2026-01-01T00:00:00Z", source="feed", raw_ref="demo",
                              content_type="text/html; charset=utf-8")
    paragraphs = article.text.split("\n\n")
    assert paragraphs == expected.paragraphs
    assert gazette_article.APPEAL_TEXT not in article.text
    [tweet] = article.embeds
    assert tweet["kind"] == "twitter" and tweet["author"] == "MHWU North (@MHWU_North)"
    assert tweet["url"] == "https://twitter.com/MHWU_North/status/1790733310245556224"
    assert tweet["text"] == expected.embeds[0]
    assert paragraphs[tweet["position"]].endswith("a written promise on crew numbers:")
    assert [(i["caption"], i["credit"]) for i in article.images] == [
        ("The Holm Skerry ferry leaving the north slipway on a grey morning.",
         "Photo: Halvard Rusk / Aldwick Picture Agency"),
        ("Vehicles queue at the Holm Skerry slipway for the evening sailing.",
         "Photo: Maren Ostby"),
    ]
    assert article.images[0]["url"] == article.image == expected.image
    assert article.paywalled is None  # a donation appeal is not a paywall
