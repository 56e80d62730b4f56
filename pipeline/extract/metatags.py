"""Metadata candidates from `<meta>` tags (OpenGraph and its `article:*` namespace, then
author, description, keywords, date, dc.*, parsely-*, sailthru.*, twitter:*) and from
`<link rel=canonical|amphtml>`."""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from newsmill.pipeline.extract.candidates import (
    META,
    OG,
    PageMetadata,
    add_candidate,
    label_values,
    load_json,
    text_value,
)
from newsmill.pipeline.extract.whitespace import normalise_space


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
    parsed = load_json(raw)
    return parsed if isinstance(parsed, dict) else {}


def read_meta_tags(tree: HtmlElement, meta: PageMetadata) -> None:
    tags = _meta_tags(tree)
    meta.meta_tags = tags
    parsely = _parsely_page(tags)

    # OpenGraph
    add_candidate(meta.titles, _first(tags, "og:title"), OG)
    add_candidate(meta.descriptions, _first(tags, "og:description"), OG)
    add_candidate(meta.images, _first(tags, "og:image", "og:image:url", "og:image:secure_url"), OG)
    og_authors = [a for a in _all(tags, "article:author") if "://" not in a]
    add_candidate(meta.authors, og_authors, OG)
    add_candidate(meta.published, _first(tags, "article:published_time", "og:published_time"), OG)
    add_candidate(
        meta.modified,
        _first(tags, "article:modified_time", "og:updated_time", "og:modified_time"),
        OG,
    )
    add_candidate(meta.categories, label_values(_all(tags, "article:section")), OG)
    add_candidate(meta.tags, label_values(_all(tags, "article:tag")), OG)
    add_candidate(meta.languages, _first(tags, "og:locale"), OG)
    add_candidate(meta.site_names, _first(tags, "og:site_name"), OG)
    meta.og_url = _first(tags, "og:url") or None
    meta.og_type = _first(tags, "og:type").lower() or None

    # everything else in <meta>
    add_candidate(
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
        or text_value(parsely.get("title")),
        META,
    )
    add_candidate(
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
    # of `citation_author`s (pipeline.extract.fusion widens to a list that contains the chosen one).
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
        add_candidate(meta.authors, [a for a in tags.get(key, []) if "://" not in a], META)
    if parsely.get("author"):
        add_candidate(meta.authors, label_values(parsely.get("author")), META)
    add_candidate(meta.authors, _twitter_labelled(tags, ("written by", "author", "by")), META)
    add_candidate(
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
        or text_value(parsely.get("pub_date")),
        META,
    )
    add_candidate(
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
    add_candidate(
        meta.images, _first(tags, "twitter:image", "twitter:image:src", "sailthru.image.full"), META
    )
    add_candidate(
        meta.categories,
        label_values(_all(tags, "parsely-section", "section", "category", "article.section"))
        or label_values(parsely.get("section")),
        META,
    )
    add_candidate(
        meta.tags,
        label_values(
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
        or label_values(parsely.get("tags")),
        META,
    )
    add_candidate(meta.languages, _first(tags, "content-language", "dc.language", "language"), META)
    add_candidate(
        meta.site_names, _first(tags, "application-name", "apple-mobile-web-app-title"), META
    )

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
