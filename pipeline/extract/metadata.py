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
job of `pipeline.extract.page` and `pipeline.extract.normalise`. Nothing here mutates the tree.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lxml.html import HtmlElement

from newsmill.pipeline.extract.normalise import normalise_space

JSON_LD = "json-ld"
OG = "og"
META = "meta"
TEXT = "text"
# Signals that come from outside the page's markup, or from a fallback reader.
SIGNAL_FEED = "feed"
SIGNAL_SITEMAP = "sitemap"
SIGNAL_URL = "url"
SIGNAL_TRAFILATURA = "trafilatura"
SIGNAL_BYLINE = "byline"

T = TypeVar("T")

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "asktheexpertnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "liveblogposting",
        "techarticle",
        "report",
        "scholarlyarticle",
        "socialmediaposting",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "collectionpage", "medicalwebpage"})
_PERSONLESS_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "brand"})

_TAGS = re.compile(r"<[^>]{0,500}>")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A value and the signal that supplied it."""

    value: T
    signal: str


@dataclass
class PageMetadata:
    """Every candidate per field, best first (see the module docstring for the order)."""

    titles: list[Sourced[str]] = field(default_factory=list)
    descriptions: list[Sourced[str]] = field(default_factory=list)
    authors: list[Sourced[list[str]]] = field(default_factory=list)
    published: list[Sourced[str]] = field(default_factory=list)
    modified: list[Sourced[str]] = field(default_factory=list)
    images: list[Sourced[str]] = field(default_factory=list)
    categories: list[Sourced[list[str]]] = field(default_factory=list)
    tags: list[Sourced[list[str]]] = field(default_factory=list)
    languages: list[Sourced[str]] = field(default_factory=list)
    site_names: list[Sourced[str]] = field(default_factory=list)
    # every visible <h1>, in document order (logos and section labels included: the caller
    # decides which one is the story's headline by comparing them with the metadata titles)
    headlines: list[str] = field(default_factory=list)
    canonical: str | None = None
    og_url: str | None = None
    amphtml: str | None = None
    is_amp: bool = False
    og_type: str | None = None
    # schema.org types of the JSON-LD node the article fields came from, lowercased
    jsonld_types: frozenset[str] = frozenset()

    @property
    def title(self) -> Sourced[str] | None:
        return self.titles[0] if self.titles else None

    @property
    def author(self) -> Sourced[list[str]] | None:
        return self.authors[0] if self.authors else None

    @property
    def published_at(self) -> Sourced[str] | None:
        return self.published[0] if self.published else None

    @property
    def declares_article(self) -> bool:
        """The page says it is an article (JSON-LD Article type or og:type article)."""
        return bool(self.jsonld_types & ARTICLE_TYPES) or (self.og_type or "") == "article"


def _text(value: Any) -> str:
    """A JSON-LD or attribute value as clean single-line text ("" when not text)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int | float)), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value)
    if "<" in text:
        text = _TAGS.sub(" ", text)
    if "&" in text:
        # Publishers often double-escape entities inside JSON-LD.
        text = html.unescape(html.unescape(text))
    return normalise_space(text)


def _labels(value: Any) -> list[str]:
    """Keywords / sections: a comma-separated string or a list of strings -> labels."""
    items: list[Any] = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _text(item)
        if not text:
            continue
        out.extend(p for p in (normalise_space(x) for x in re.split(r"[,;]", text)) if p)
    return out


def _add(bucket: list[Sourced[T]], value: T | None, signal: str) -> None:
    if value:
        bucket.append(Sourced(value, signal))


# ---------------------------------------------------------------------------------------------
# JSON-LD


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    for junk in ("<!--", "-->", "/*<![CDATA[*/", "/*]]>*/", "<![CDATA[", "]]>"):
        raw = raw.replace(junk, "")
    raw = raw.strip().rstrip(";")
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", raw), strict=False)
    except ValueError:
        return None


def _types(node: dict[str, Any]) -> frozenset[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    out: set[str] = set()
    for item in items:
        if isinstance(item, str):
            # "http://schema.org/NewsArticle" and "schema:NewsArticle" both occur
            out.add(re.split(r"[/:#]", item)[-1].lower())
    return frozenset(out)


def _walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement"):
            child = value.get(key)
            if isinstance(child, list | dict):
                yield from _walk(child, depth + 1)


class _JsonLd:
    def __init__(self, documents: list[Any]) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        for doc in documents:
            for node in _walk(doc):
                self.nodes.append(node)
                ident = node.get("@id")
                if isinstance(ident, str) and len(node) > 1:
                    self.by_id.setdefault(ident, node)

    def deref(self, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("@id"), str):
            target = self.by_id.get(value["@id"])
            if target is not None and target is not value:
                return {**target, **{k: v for k, v in value.items() if k != "@id"}}
        return value

    def article(self) -> dict[str, Any] | None:
        candidates = [n for n in self.nodes if _types(n) & ARTICLE_TYPES]
        if not candidates:
            return None
        # Pages that also describe related stories list them after the main one; the main one
        # is the first with a headline.
        return next((n for n in candidates if n.get("headline")), candidates[0])

    def page(self) -> dict[str, Any] | None:
        return next((n for n in self.nodes if _types(n) & PAGE_TYPES), None)

    def authors(self, value: Any) -> list[str]:
        """Author names. Organisation-typed authors are left out: the record wants people, and
        an organisation author is almost always the publisher itself. (Person-typed ones are
        not trusted blindly either: publishers type their own brand as a Person.)"""
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for item in items:
            item = self.deref(item)
            if isinstance(item, str):
                names.append(_text(item))
            elif isinstance(item, dict):
                types = _types(item)
                if types and types <= _PERSONLESS_TYPES:
                    continue
                name = _text(item.get("name"))
                if not name:
                    given, family = _text(item.get("givenName")), _text(item.get("familyName"))
                    name = normalise_space(f"{given} {family}")
                if name:
                    names.append(name)
        return [n for n in names if n]

    def publisher_name(self, value: Any) -> str:
        """The publisher's name, unless the publisher is a person (personal sites): then it is
        the author, not a site name to strip from bylines."""
        value = self.deref(value)
        if isinstance(value, list):
            value = self.deref(value[0]) if value else None
        if isinstance(value, dict):
            if "person" in _types(value):
                return ""
            return _text(value.get("name"))
        return _text(value)

    def image(self, value: Any) -> str:
        value = self.deref(value)
        if isinstance(value, list):
            for item in value:
                found = self.image(item)
                if found:
                    return found
            return ""
        if isinstance(value, dict):
            return _text(value.get("url") or value.get("contentUrl"))
        return _text(value)

    def name_of(self, value: Any) -> str:
        value = self.deref(value)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            return _text(value.get("name"))
        return _text(value)


def _read_json_ld(tree: HtmlElement, meta: PageMetadata) -> None:
    documents = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        parsed = _load_json(script.text or "")
        if parsed is not None:
            documents.append(parsed)
    if not documents:
        return
    ld = _JsonLd(documents)
    node = ld.article()
    if node is not None:
        meta.jsonld_types = _types(node)
        _add(meta.titles, _text(node.get("headline")) or _text(node.get("name")), JSON_LD)
        _add(meta.descriptions, _text(node.get("description")), JSON_LD)
        _add(meta.authors, ld.authors(node.get("author") or node.get("creator")), JSON_LD)
        _add(meta.published, _text(node.get("datePublished") or node.get("dateCreated")), JSON_LD)
        _add(meta.modified, _text(node.get("dateModified")), JSON_LD)
        _add(meta.images, ld.image(node.get("image") or node.get("thumbnailUrl")), JSON_LD)
        _add(meta.categories, _labels(node.get("articleSection")), JSON_LD)
        _add(meta.tags, _labels(node.get("keywords")), JSON_LD)
        _add(meta.languages, ld.name_of(node.get("inLanguage")), JSON_LD)
        _add(meta.site_names, ld.publisher_name(node.get("publisher")), JSON_LD)
    page = ld.page()
    if page is not None:
        # WebPage dates describe the same document; weaker than the article node's own.
        _add(meta.published, _text(page.get("datePublished")), JSON_LD)
        _add(meta.modified, _text(page.get("dateModified")), JSON_LD)
        _add(meta.languages, ld.name_of(page.get("inLanguage")), JSON_LD)
    for candidate in ld.nodes:
        types = _types(candidate)
        if types & {"website", "newsmediaorganization", "organization"} and "person" not in types:
            _add(meta.site_names, _text(candidate.get("name")), JSON_LD)
            break


# ---------------------------------------------------------------------------------------------
# <meta>, <link>, microdata


def _meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        content = normalise_space(content)
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                for k in key.lower().split():
                    tags.setdefault(k, []).append(content)
    return tags


def _first(tags: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        values = tags.get(key)
        if values:
            return values[0]
    return ""


def _all(tags: dict[str, list[str]], *keys: str) -> list[str]:
    for key in keys:
        values = tags.get(key)
        if values:
            return values
    return []


def _twitter_labelled(tags: dict[str, list[str]], labels: tuple[str, ...]) -> list[str]:
    """The value of a Twitter/Slack card "label/data" pair whose label is one of `labels`:
    SEO plugins publish the byline as `twitter:label1 = "Written by"`, `twitter:data1 = name`
    on pages whose markup names the author nowhere else."""
    return [
        data[0]
        for n in range(1, 10)
        if (label := tags.get(f"twitter:label{n}"))
        and (data := tags.get(f"twitter:data{n}"))
        and label[0].casefold().rstrip(":") in labels
    ]


def _parsely_page(tags: dict[str, list[str]]) -> dict[str, Any]:
    raw = _first(tags, "parsely-page")
    if not raw:
        return {}
    parsed = _load_json(raw)
    return parsed if isinstance(parsed, dict) else {}


def _read_meta(tree: HtmlElement, meta: PageMetadata) -> None:
    tags = _meta_tags(tree)
    parsely = _parsely_page(tags)

    # OpenGraph
    _add(meta.titles, _first(tags, "og:title"), OG)
    _add(meta.descriptions, _first(tags, "og:description"), OG)
    _add(meta.images, _first(tags, "og:image", "og:image:url", "og:image:secure_url"), OG)
    og_authors = [a for a in _all(tags, "article:author") if "://" not in a]
    _add(meta.authors, og_authors, OG)
    _add(meta.published, _first(tags, "article:published_time", "og:published_time"), OG)
    _add(
        meta.modified,
        _first(tags, "article:modified_time", "og:updated_time", "og:modified_time"),
        OG,
    )
    _add(meta.categories, _labels(_all(tags, "article:section")), OG)
    _add(meta.tags, _labels(_all(tags, "article:tag")), OG)
    _add(meta.languages, _first(tags, "og:locale"), OG)
    _add(meta.site_names, _first(tags, "og:site_name"), OG)
    meta.og_url = _first(tags, "og:url") or None
    meta.og_type = _first(tags, "og:type").lower() or None

    # everything else in <meta>
    _add(
        meta.titles,
        _first(
            tags,
            "twitter:title",
            "parsely-title",
            "sailthru.title",
            "dc.title",
            "dcterms.title",
            "citation_title",
            "headline",
        )
        or _text(parsely.get("title")),
        META,
    )
    _add(
        meta.descriptions,
        _first(
            tags,
            "description",
            "twitter:description",
            "dc.description",
            "dcterms.description",
            "sailthru.description",
        ),
        META,
    )
    # Every author tag is its own candidate, in rank order: one may name the publisher while
    # the next names the people, and a one-name `dc.creator` may stand before the full list
    # of `citation_author`s (pipeline.extract.page widens to a list that contains the chosen one).
    author_keys = (
        "author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "dcterms.creator",
        "citation_author",
        "citation_authors",
        "byl",
    )
    for key in author_keys:
        _add(meta.authors, [a for a in tags.get(key, []) if "://" not in a], META)
    if parsely.get("author"):
        _add(meta.authors, _labels(parsely.get("author")), META)
    _add(meta.authors, _twitter_labelled(tags, ("written by", "author", "by")), META)
    _add(
        meta.published,
        _first(
            tags,
            "datepublished",
            "date",
            "pubdate",
            "publishdate",
            "publish-date",
            "publish_date",
            "publication_date",
            "article.published",
            "article_date_original",
            "parsely-pub-date",
            "sailthru.date",
            "dc.date.issued",
            "dcterms.issued",
            "dc.date",
            "dcterms.date",
            "dcterms.created",
            "citation_publication_date",
            "citation_date",
            "original-publish-date",
            "cxenseparse:recs:publishtime",
        )
        or _text(parsely.get("pub_date")),
        META,
    )
    _add(
        meta.modified,
        _first(
            tags,
            "datemodified",
            "last-modified",
            "lastmod",
            "dc.date.modified",
            "dcterms.modified",
            "article.updated",
        ),
        META,
    )
    _add(
        meta.images, _first(tags, "twitter:image", "twitter:image:src", "sailthru.image.full"), META
    )
    _add(
        meta.categories,
        _labels(_all(tags, "parsely-section", "section", "category", "article.section"))
        or _labels(parsely.get("section")),
        META,
    )
    _add(
        meta.tags,
        _labels(
            _all(
                tags,
                "news_keywords",
                "keywords",
                "parsely-tags",
                "sailthru.tags",
                "dc.subject",
                "article.tags",
            )
        )
        or _labels(parsely.get("tags")),
        META,
    )
    _add(meta.languages, _first(tags, "content-language", "dc.language", "language"), META)
    _add(meta.site_names, _first(tags, "application-name", "apple-mobile-web-app-title"), META)

    # links
    for el in tree.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()
        if not href:
            continue
        if "canonical" in rel and meta.canonical is None:
            meta.canonical = href
        elif "amphtml" in rel and meta.amphtml is None:
            meta.amphtml = href


def _read_microdata(tree: HtmlElement, meta: PageMetadata) -> None:
    # Only elements that carry the value in an attribute or as short text; a body marked
    # itemprop=articleBody is not a date.
    for el in tree.xpath(
        "//*[@itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)]"
    ):
        value = normalise_space(el.get("datetime") or el.get("content") or el.text_content())
        if value and len(value) < 64:
            bucket = meta.published if el.get("itemprop") == "datePublished" else meta.modified
            _add(bucket, value, META)
    for el in tree.xpath("//*[@itemprop='author'][not(self::meta)]"):
        name_el = el.xpath(".//*[@itemprop='name']")
        target = name_el[0] if name_el else el
        value = normalise_space(target.get("content") or target.text_content())
        if value and len(value) < 120:
            _add(meta.authors, [value], META)
            break
    title_el = tree.find(".//head/title")
    if title_el is None:
        title_el = tree.find(".//title")
    if title_el is not None:
        _add(meta.titles, normalise_space(title_el.text_content()), META)


def _heading_text(el: HtmlElement) -> str:
    """Visible text of a heading; a <br> counts as a space ("Top MBA Programs<br>Your Guide")."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str):  # comments, processing instructions
            return
        if node.tag == "br":
            parts.append(" ")
        elif node.tag not in ("script", "style") and node.text:
            parts.append(node.text)
        if node.tag not in ("script", "style"):
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)

    walk(el)
    return normalise_space("".join(parts))


def _read_headline(tree: HtmlElement, meta: PageMetadata) -> None:
    h1s = tree.xpath("//h1")
    for h1 in h1s[:8]:
        text = _heading_text(h1)
        if 0 < len(text) <= 300:
            meta.headlines.append(text)
    if len(h1s) != 1:
        # Several h1s: the one inside <article> is the headline when there is exactly one.
        h1s = tree.xpath("//article//h1")
    if len(h1s) == 1:
        text = _heading_text(h1s[0])
        if 0 < len(text) <= 300:
            _add(meta.titles, text, TEXT)


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
    _read_json_ld(root, meta)
    _read_meta(root, meta)
    _read_microdata(root, meta)
    _read_headline(root, meta)
    _read_language(root, meta)
    return meta
