"""The article's images: lead first, then body order, caption and credit split, no furniture.

Fixtures in the shapes of three CMSs (written for these tests, invented content): Arc-style
figures with caption and credit spans and a JSON-LD ImageObject lead, Brightspot's
`Figure-caption` / `Figure-credit` around a `<picture>`, classic WordPress `wp-caption` with the
credit at the end of the caption text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsmill.pipeline.extract.page import extract_article

PAGES = Path(__file__).parent / "fixtures" / "beyond"


def _images(name: str, url: str) -> list[dict[str, Any]]:
    article = extract_article(
        (PAGES / name).read_bytes(), url=url, site="test", fetched_at="2025-06-02T10:00:00Z",
        source="feed", raw_ref="test", content_type="text/html; charset=utf-8",
    )
    assert article.images[0]["url"] == article.image  # the lead is `image`, first
    return article.images


def test_arc_figures_and_the_json_ld_lead() -> None:
    images = _images("figures-arc.html", "https://harbourpost.example/coast/tidal-pool/")
    assert [i["url"].split("/")[-1].split("?")[0] for i in images] == [
        "TIDALPOOL.jpg", "WALLREPAIR.jpg"]
    lead, body = images
    # ImageObject: the lead's own size and caption; the figure of the same picture credits it.
    assert (lead["width"], lead["height"]) == (1200, 630)
    assert lead["caption"] == "Swimmers return to the Skelling tidal pool on Sunday morning."
    assert lead["credit"] == "Mina Oduya"
    assert body == {
        "url": "https://cloudfront.harbourpost.example/resizer/v2/WALLREPAIR.jpg"
               "?auth=11aa&width=800&height=533",
        "caption": "Contractors set the last granite block in the seaward wall in April.",
        "credit": "Courtesy of Skelling Pool Friends", "width": 800, "height": 533,
    }


def test_brightspot_figure_credit_outside_the_caption() -> None:
    images = _images("figures-brightspot.html", "https://valleychronicle.example/news/orchard")
    assert len(images) == 2  # og:image lead, then the one figure; not the author's head shot
    figure = images[1]
    assert figure["url"].endswith("planting.jpg")
    assert figure["caption"] == "Pupils from Weir Lane primary school plant a pear tree."
    assert figure["credit"] == "Teodor Lisk / Valley Chronicle"


def test_wordpress_caption_tail_is_the_credit_and_sizes_are_one_image() -> None:
    images = _images("figures-wpclassic.html", "https://marshweekly.example/2025/05/peal/")
    # bells.jpg (og:image) and bells-1024x683.jpg are one picture: listed once, as the lead.
    assert [i["url"].rsplit("/", 1)[-1] for i in images] == ["bells.jpg",
                                                            "peal-board-1024x576.jpg"]
    assert images[0]["caption"] == "The St Bride band before Saturday's anniversary peal."
    assert images[0]["credit"] == "Photo: Jem Harrow"
    assert images[1]["credit"] == "Photograph: Marsh Weekly"
    assert images[1]["caption"] == "The 1725 peal board, restored for the anniversary."


def test_logos_avatars_pixels_and_emoji_are_left_out() -> None:
    urls = [i["url"] for name, url in (
        ("figures-arc.html", "https://harbourpost.example/coast/tidal-pool/"),
        ("figures-brightspot.html", "https://valleychronicle.example/news/orchard"),
        ("figures-wpclassic.html", "https://marshweekly.example/2025/05/peal/"),
        ("embeds-wordpress.html", "https://fenwickcourier.example/2025/03/18/x/"),
    ) for i in _images(name, url)]
    for furniture in ("logo", "pixel.", "gravatar", "emoji", "/authors/", "FERRY"):
        assert not any(furniture in u for u in urls), furniture
