"""trafilatura's author finder is skipped only on pages where it cannot find an author
(pipeline.extract.markup_author): same answer as asking it, on every page shape it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from newsmill.pipeline.extract.markup_author import markup_author, may_name_author

FIXTURES = Path(__file__).parent / "fixtures"


def _tree(body: str) -> HtmlElement:
    tree = load_html(f"<!DOCTYPE html><html><head></head><body><h1>T</h1>{body}"
                     "<p>The harbour budget passed on Tuesday.</p></body></html>")
    assert tree is not None
    return tree


# One page per way trafilatura's author searches match, in the case the markup uses.
@pytest.mark.parametrize(
    "body",
    [
        "<a rel='author' href='/m'>Mireille Ostrander</a>",
        "<span id='author'>Mireille Ostrander</span>",
        "<p itemprop='author name'>Mireille Ostrander</p>",
        "<div data-testid='AuthorCard'>Mireille Ostrander</div>",
        "<span class='c-AuthorName'>Mireille Ostrander</span>",
        "<author>Mireille Ostrander</author>",
        "<div class='BBL'>Mireille Ostrander</div>",
        "<span class='username'>Mireille Ostrander</span>",
        "<h4 id='zuozhe'>Mireille Ostrander</h4>",
        "<span class='submitted-by'>Mireille Ostrander</span>",
        "<em data-component='Byline-block'>Mireille Ostrander</em>",
        "<em class='screenname'>Mireille Ostrander</em>",
        "<em class='staff-writer'>Mireille Ostrander</em>",
        "<em id='postAuthor'>Mireille Ostrander</em>",
    ],
)
def test_a_page_with_author_markup_is_asked_and_gets_the_same_author(body: str) -> None:
    tree = _tree(body)
    assert may_name_author(tree)
    assert extract_author(tree) == "Mireille Ostrander"
    assert markup_author(tree) == "Mireille Ostrander"


def test_a_page_without_author_markup_is_not_asked() -> None:
    tree = _tree("<div class='story'><p class='lede'>Mireille Ostrander reports.</p></div>")
    assert not may_name_author(tree)
    assert markup_author(tree) is None
    assert extract_author(tree) is None


def test_same_answer_as_trafilatura_on_every_fixture_page() -> None:
    pages = sorted(p for p in FIXTURES.rglob("*.html") if p.is_file())
    assert len(pages) > 20
    skipped = 0
    for page in pages:
        tree = load_html(page.read_bytes())
        if tree is None:
            continue
        skipped += not may_name_author(tree)
        assert markup_author(tree) == extract_author(tree), page
    # the check is worth having only if some real pages are spared the search
    assert skipped > 0
