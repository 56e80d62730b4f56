"""Metadata candidates: every value a page offers for a field, tagged with the signal that
supplied it, and the helpers the readers (jsonld, metatags, metadata) share to collect them."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from newsmill.pipeline.extract.whitespace import normalise_space

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
    # authors the markup types as an organisation (JSON-LD Organization): credits, not people
    organization_authors: list[Sourced[list[str]]] = field(default_factory=list)
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
    # every <meta> tag's content (whitespace-normalised) by its name, property, itemprop or
    # http-equiv, lower-cased: later readers (rights: robots, tdm-*) look here, not in the tree
    meta_tags: dict[str, list[str]] = field(default_factory=dict)
    # the page's JSON-LD scripts as parsed (read, never changed, by later readers)
    jsonld_documents: list[Any] = field(default_factory=list)

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


def text_value(value: Any) -> str:
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


def label_values(value: Any) -> list[str]:
    """Keywords / sections: a comma-separated string or a list of strings -> labels."""
    items: list[Any] = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = text_value(item)
        if not text:
            continue
        out.extend(p for p in (normalise_space(x) for x in re.split(r"[,;]", text)) if p)
    return out


def add_candidate(bucket: list[Sourced[T]], value: T | None, signal: str) -> None:
    if value:
        bucket.append(Sourced(value, signal))


def load_json(raw: str) -> Any:
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
