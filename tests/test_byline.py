"""The visible byline of a page whose markup names no author (pipeline.extract.byline)."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from newsmill.pipeline.extract.authors import clean_authors
from newsmill.pipeline.extract.byline import find_byline


def _byline(body: str) -> list[str]:
    tree = load_html(f"<!DOCTYPE html><html><head></head><body>{body}</body></html>")
    assert tree is not None
    return find_byline(tree, ["Quayside Notes", "quaysidenotes.example"])


@pytest.mark.parametrize(
    "body",
    [
        "<h1>T</h1><div><strong>Contributors:</strong> Mireille Ostrander</div>",
        "<h2>Article by</h2><div>Mireille Ostrander</div>",
        "<p>By <a href='/contributor/m-o'>Mireille Ostrander</a> | View in print edition</p>",
        "<ul class='entry-meta'><li><i class='bi bi-person'></i> Mireille Ostrander</li></ul>",
        "<main><aside class='facts'><h3>Author</h3><p>Mireille Ostrander</p></aside></main>",
        "<div class='dateAndAuthor'><span>Dec 17, 2025</span><span>Mireille Ostrander</span></div>",
        "<div class='blog_author-box'><img alt=''><div><h4>About the author</h4>"
        "<div>Mireille Ostrander</div><div>Mireille grows leeks and writes about soil, compost "
        "and the allotment committee's long meetings.</div></div></div>",
    ],
)
def test_labelled_and_icon_bylines(body: str) -> None:
    assert _byline(body) == ["Mireille Ostrander"]


@pytest.mark.parametrize(
    "body",
    [
        # a sidebar outside the article, a log-in control, a form's small print
        "<aside class='sidebar'><h3>Author</h3><p>Mireille Ostrander</p></aside>",
        "<header><a href='/login'><i class='icon-person'></i> Log In</a></header>",
        "<p>By submitting this form, you agree to our terms.</p>",
        # a teaser card of another post, with that post's author
        "<div class='post_author-wrapper'><h3>Leeks that survived the snow this winter</h3>"
        "<div>Tobiah Greenhalgh</div><div>December 4, 2025</div></div>",
    ],
)
def test_furniture_is_not_a_byline(body: str) -> None:
    assert _byline(body) == []


def test_a_lower_case_profile_name_that_is_also_the_site_name_is_kept() -> None:
    # A personal site: og:site_name "Annette Thurmon", meta author "annette thurmon".
    assert clean_authors(["annette thurmon"], ["Annette Thurmon"]) == ["annette thurmon"]
    assert clean_authors(["thurmon media"], ["Thurmon Media"]) == []


def test_an_unclosed_banner_aside_around_the_article_is_not_furniture() -> None:
    # The parser recovers "<aside class=banner>...<main>" (no </aside>) by nesting the whole
    # page in the aside; the byline inside <main> is still the article's.
    body = (
        "<aside class='announcement-banner'><p>We are hiring</p>"
        "<main><article><h1>T</h1><span class='blog-meta-author'>Mireille Ostrander</span>"
        "</article></main>"
    )
    assert _byline(body) == ["Mireille Ostrander"]
