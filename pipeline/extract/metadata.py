"""Page metadata from the markup publishers add for search engines and social networks.

`read_metadata(tree)` walks an already-parsed lxml tree once per signal family and returns every
candidate value it found, in priority order, each tagged with the signal that supplied it:

- `json-ld`: schema.org JSON-LD (NewsArticle, Article, BlogPosting, ReportageNewsArticle and the
  other Article subtypes; inside `@graph`, `mainEntity`, lists; `@id` references resolved)
- `og`:      OpenGraph and its `article:*` namespace
- `meta`:    other `<meta>` tags (author, description, keywords, news_keywords, date, dc.*,
             parsely-*, sailthru.*, twitter:*), microdata `itemprop` attributes, `<title>`
- `text`:    the page's visible headline (a single `<h1>`)

Values are raw (whitespace-normalised strings, dates unparsed); choosing and cleaning them is the
job of `pipeline.extract.page` and the modules it calls. Nothing here mutates the tree.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from newsmill.pipeline.extract.candidates import (
    META,
    TEXT,
    PageMetadata,
    Sourced,
    add_candidate,
)
from newsmill.pipeline.extract.headline import headline_text
from newsmill.pipeline.extract.jsonld import read_json_ld
from newsmill.pipeline.extract.metatags import read_meta_tags
from newsmill.pipeline.extract.whitespace import normalise_space

# One pass over the document for both kinds (two string XPaths, compiled on every call, were
# 1% of extraction's CPU).
_MICRODATA = etree.XPath(
    "//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='author']"
    "[not(self::meta)]"
)


def _read_microdata(tree: HtmlElement, meta: PageMetadata) -> None:
    # Only elements that carry the value in an attribute or as short text; a body marked
    # itemprop=articleBody is not a date.
    author_found = False
    for el in _MICRODATA(tree):
        prop = el.get("itemprop")
        if prop != "author":
            value = normalise_space(el.get("datetime") or el.get("content") or el.text_content())
            if value and len(value) < 64:
                bucket = meta.published if prop == "datePublished" else meta.modified
                add_candidate(bucket, value, META)
            continue
        if author_found:
            continue
        name_el = el.xpath(".//*[@itemprop='name']")
        target = name_el[0] if name_el else el
        value = normalise_space(target.get("content") or target.text_content())
        if value and len(value) < 120:
            add_candidate(meta.authors, [value], META)
            author_found = True
    title_el = tree.find(".//head/title")
    if title_el is None:
        title_el = tree.find(".//title")
    if title_el is not None:
        add_candidate(meta.titles, normalise_space(title_el.text_content()), META)


def _read_headline(tree: HtmlElement, meta: PageMetadata) -> None:
    h1s = tree.xpath("//h1")
    for h1 in h1s[:8]:
        text = headline_text(h1)
        if 0 < len(text) <= 300:
            meta.headlines.append(text)
    if len(h1s) != 1:
        # Several h1s: the one inside <article> is the headline when there is exactly one.
        h1s = tree.xpath("//article//h1")
    if len(h1s) == 1:
        text = headline_text(h1s[0])
        if 0 < len(text) <= 300:
            add_candidate(meta.titles, text, TEXT)


def _read_language(tree: HtmlElement, meta: PageMetadata) -> None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        # The html element goes first: it is what the page declares for its whole content.
        meta.languages.insert(0, Sourced(normalise_space(lang), META))


def read_metadata(tree: HtmlElement) -> PageMetadata:
    """All metadata candidates of a parsed page (see the module docstring)."""
    meta = PageMetadata()
    root = tree.getroottree().getroot()
    meta.is_amp = "amp" in root.attrib or "\u26a1" in root.attrib
    read_json_ld(root, meta)
    read_meta_tags(root, meta)
    _read_microdata(root, meta)
    _read_headline(root, meta)
    _read_language(root, meta)
    return meta
