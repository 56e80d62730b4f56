"""Metadata candidates from schema.org JSON-LD: the Article node (NewsArticle, BlogPosting and
the other subtypes; inside `@graph`, `mainEntity`, lists; `@id` references resolved), the
WebPage node, and the publisher."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

from newsmill.pipeline.extract.candidates import (
    ARTICLE_TYPES,
    JSON_LD,
    PAGE_TYPES,
    PageMetadata,
    add_candidate,
    label_values,
    load_json,
    text_value,
)
from newsmill.pipeline.extract.whitespace import normalise_space

_PERSONLESS_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "brand"})


def schema_types(node: dict[str, Any]) -> frozenset[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    out: set[str] = set()
    for item in items:
        if isinstance(item, str):
            # "http://schema.org/NewsArticle" and "schema:NewsArticle" both occur
            out.add(re.split(r"[/:#]", item)[-1].lower())
    return frozenset(out)


NESTING = ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement")


def walk(
    value: Any, nesting: tuple[str, ...] = NESTING, depth: int = 0
) -> Iterator[dict[str, Any]]:
    """Every JSON-LD node of a document, descending into the keys of `nesting`."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from walk(item, nesting, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in nesting:
            child = value.get(key)
            if isinstance(child, list | dict):
                yield from walk(child, nesting, depth + 1)


class _JsonLd:
    def __init__(self, documents: list[Any]) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        for doc in documents:
            for node in walk(doc):
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
        candidates = [n for n in self.nodes if schema_types(n) & ARTICLE_TYPES]
        if not candidates:
            return None
        # Pages that also describe related stories list them after the main one; the main one
        # is the first with a headline.
        return next((n for n in candidates if n.get("headline")), candidates[0])

    def page(self) -> dict[str, Any] | None:
        return next((n for n in self.nodes if schema_types(n) & PAGE_TYPES), None)

    def authors(self, value: Any) -> list[str]:
        """Author names. Organisation-typed authors are left out: the record wants people, and
        an organisation author is almost always the publisher itself. (Person-typed ones are
        not trusted blindly either: publishers type their own brand as a Person.)"""
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for item in items:
            item = self.deref(item)
            if isinstance(item, str):
                names.append(text_value(item))
            elif isinstance(item, dict):
                types = schema_types(item)
                if types and types <= _PERSONLESS_TYPES:
                    continue
                name = text_value(item.get("name"))
                if not name:
                    given, family = (
                        text_value(item.get("givenName")),
                        text_value(item.get("familyName")),
                    )
                    name = normalise_space(f"{given} {family}")
                if name:
                    names.append(name)
        return [n for n in names if n]

    def organization_authors(self, value: Any) -> list[str]:
        """The names of the authors typed as an organisation (an agency, a desk, the publisher)."""
        items = value if isinstance(value, list) else [value]
        found = (self.deref(item) for item in items)
        return [
            name
            for item in found
            if isinstance(item, dict)
            and (types := schema_types(item))
            and types <= _PERSONLESS_TYPES
            and (name := text_value(item.get("name")))
        ]

    def publisher_name(self, value: Any) -> str:
        """The publisher's name, unless the publisher is a person (personal sites): then it is
        the author, not a site name to strip from bylines."""
        value = self.deref(value)
        if isinstance(value, list):
            value = self.deref(value[0]) if value else None
        if isinstance(value, dict):
            if "person" in schema_types(value):
                return ""
            return text_value(value.get("name"))
        return text_value(value)

    def image(self, value: Any) -> str:
        value = self.deref(value)
        if isinstance(value, list):
            for item in value:
                found = self.image(item)
                if found:
                    return found
            return ""
        if isinstance(value, dict):
            return text_value(value.get("url") or value.get("contentUrl"))
        return text_value(value)

    def name_of(self, value: Any) -> str:
        value = self.deref(value)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            return text_value(value.get("name"))
        return text_value(value)


def read_json_ld(tree: HtmlElement, meta: PageMetadata) -> None:
    documents = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        parsed = load_json(script.text or "")
        if parsed is not None:
            documents.append(parsed)
    meta.jsonld_documents = documents
    if not documents:
        return
    ld = _JsonLd(documents)
    node = ld.article()
    if node is not None:
        meta.jsonld_types = schema_types(node)
        add_candidate(
            meta.titles, text_value(node.get("headline")) or text_value(node.get("name")), JSON_LD
        )
        add_candidate(meta.descriptions, text_value(node.get("description")), JSON_LD)
        add_candidate(meta.authors, ld.authors(node.get("author") or node.get("creator")), JSON_LD)
        add_candidate(
            meta.organization_authors,
            ld.organization_authors(node.get("author") or node.get("creator")),
            JSON_LD,
        )
        add_candidate(
            meta.published,
            text_value(node.get("datePublished") or node.get("dateCreated")),
            JSON_LD,
        )
        add_candidate(meta.modified, text_value(node.get("dateModified")), JSON_LD)
        add_candidate(meta.images, ld.image(node.get("image") or node.get("thumbnailUrl")), JSON_LD)
        add_candidate(meta.categories, label_values(node.get("articleSection")), JSON_LD)
        add_candidate(meta.tags, label_values(node.get("keywords")), JSON_LD)
        add_candidate(meta.languages, ld.name_of(node.get("inLanguage")), JSON_LD)
        add_candidate(meta.site_names, ld.publisher_name(node.get("publisher")), JSON_LD)
    page = ld.page()
    if page is not None:
        # WebPage dates describe the same document; weaker than the article node's own.
        add_candidate(meta.published, text_value(page.get("datePublished")), JSON_LD)
        add_candidate(meta.modified, text_value(page.get("dateModified")), JSON_LD)
        add_candidate(meta.languages, ld.name_of(page.get("inLanguage")), JSON_LD)
    for candidate in ld.nodes:
        types = schema_types(candidate)
        if types & {"website", "newsmediaorganization", "organization"} and "person" not in types:
            add_candidate(meta.site_names, text_value(candidate.get("name")), JSON_LD)
            break
