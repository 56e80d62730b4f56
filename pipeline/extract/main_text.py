"""The article's main text: trafilatura on the pruned tree, with a second look at a wider
extraction when the first one may have missed the story."""

from __future__ import annotations

import trafilatura
from lxml.html import HtmlElement

from newsmill.pipeline.extract.load import NoArticle
from newsmill.pipeline.extract.whitespace import text_paragraphs
from newsmill.pipeline.extract.words import count_paragraph_words, count_words

# Third-party embeds: their text is someone else's post, not the article.
_EMBED_XPATH = [
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'twitter-video')"
    " or contains(@class, 'instagram-media') or contains(@class, 'tiktok-embed')"
    " or contains(@class, 'reddit-embed') or contains(@class, 'bluesky-embed')"
    " or contains(@class, 'mastodon-embed') or contains(@class, 'threads-embed')]",
    "//div[contains(@class, 'fb-post')]",
]


def _trafilatura_text(tree: HtmlElement, url: str, precision: bool, recall: bool) -> list[str]:
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url or None,
            favor_precision=precision,
            favor_recall=recall,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=False,
            prune_xpath=_EMBED_XPATH,
        )
    except RecursionError as err:
        raise NoArticle("extraction failed: page nested too deeply") from err
    if doc is None or isinstance(doc, dict):
        return []
    return text_paragraphs(doc.text or "")


# A balanced extraction shorter than this, or holding less than RECALL_SHARE of the page's
# text, may have missed the story (trafilatura picked one box of a page laid out in many);
# the recall setting then gets a second look.
RECALL_WORDS = 250
RECALL_SHARE = 0.15
RECALL_GAIN = 1.5


def _words(paragraphs: list[str]) -> int:
    return count_paragraph_words(paragraphs)


def main_text(tree: HtmlElement, url: str, profile: str = "balanced") -> list[str]:
    paragraphs = _trafilatura_text(tree, url, profile == "precision", profile == "recall")
    if profile != "balanced":
        return paragraphs
    words = _words(paragraphs)
    if words >= RECALL_WORDS:
        body = tree.find(".//body")
        page_words = count_words((body if body is not None else tree).text_content())
        if words >= RECALL_SHARE * page_words:
            return paragraphs
    wider = _trafilatura_text(tree, url, False, True)
    # Taken only when it finds clearly more: on a page whose story is short, recall mostly
    # adds furniture.
    return wider if _words(wider) >= RECALL_GAIN * max(words, 1) else paragraphs

