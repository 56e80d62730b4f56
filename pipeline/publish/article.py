"""The article record: the one typed shape that flows through every pipeline step."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any

from newsmill.pipeline.extract.words import count_words

SCHEMA_VERSION = "2.0"

# `rights` when the page says nothing about them.
NO_RIGHTS: dict[str, Any] = {"license": None, "tdm_reserved": None, "tdm_policy": None,
                             "noai": None}

SOURCES = ("feed", "sitemap", "link", "backfill-sitemap", "backfill-warc", "backfill-wayback")


def article_id(canonical_url: str) -> str:
    """Stable id: the same canonical URL always gives the same id, across runs and machines."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:24]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Article:
    url: str
    canonical_url: str
    site: str
    domain: str
    # None only when the page offers no headline anywhere (the story is still published).
    title: str | None
    text: str
    fetched_at: str
    source: str
    raw_ref: str
    extractor: str
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    # Organisations credited as author: news agencies, a desk, the publication itself.
    organizations: list[str] = field(default_factory=list)
    published_at: str | None = None
    # The same instant in the offset the page states (ISO 8601); None when it states none.
    published_local: str | None = None
    modified_at: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    # Beyond the text (pipeline.extract.extras): {url, caption, credit, width, height} per
    # image, lead first; {kind, url, text, author, position} per embedded post or media;
    # {license, tdm_reserved, tdm_policy, noai}; whether only a paywalled teaser was served.
    images: list[dict[str, Any]] = field(default_factory=list)
    embeds: list[dict[str, Any]] = field(default_factory=list)
    rights: dict[str, Any] = field(default_factory=lambda: dict(NO_RIGHTS))
    paywalled: bool | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    revision: int = 1
    duplicate_of: str | None = None
    # The page's rel=canonical when it names another site: the article it declares it copies,
    # which we may never crawl. `duplicate_of` names it only once we hold it (docs/dedup.md).
    syndicated_from: str | None = None
    schema_version: str = SCHEMA_VERSION

    @property
    def id(self) -> str:
        return article_id(self.canonical_url)

    @property
    def word_count(self) -> int:
        # Asked twice a record by the writer (the row, the health counters), and each count is
        # a pass over the text: kept with the text it counted, so a changed text is recounted.
        cached: tuple[str, int] | None = self.__dict__.get("_word_count")
        if cached is None or cached[0] is not self.text:
            cached = (self.text, count_words(self.text))
            self.__dict__["_word_count"] = cached
        return cached[1]

    def counted_words(self, words: int) -> None:
        """Keeps the extractor's count of the record's text. It travels with the record to the
        writer (pickling keeps the text and the count's key one object), which then need not
        count again: 0.5 s of the writer's CPU on the 1,656 benchmark pages."""
        self.__dict__["_word_count"] = (self.text, words)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def to_record(self) -> dict[str, Any]:
        """The published row, in the column order of the schema."""
        data = dataclasses.asdict(self)
        row: dict[str, Any] = {}
        for name in RECORD_FIELDS:
            if name == "id":
                row[name] = self.id
            elif name == "word_count":
                row[name] = self.word_count
            elif name == "content_hash":
                row[name] = self.content_hash
            else:
                row[name] = data[name]
        return row

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> Article:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in row.items() if k in names}
        kwargs["authors"] = list(kwargs.get("authors") or [])
        kwargs["organizations"] = list(kwargs.get("organizations") or [])
        kwargs["categories"] = list(kwargs.get("categories") or [])
        kwargs["tags"] = list(kwargs.get("tags") or [])
        # Rows written before schema 2.0 have none of these columns (read back as nulls).
        kwargs["images"] = [dict(i) for i in kwargs.get("images") or []]
        kwargs["embeds"] = [dict(e) for e in kwargs.get("embeds") or []]
        kwargs["rights"] = {**NO_RIGHTS, **(kwargs.get("rights") or {})}
        prov = kwargs.get("provenance") or {}
        # Parquet round-trips a map column as a list of (key, value) pairs.
        kwargs["provenance"] = dict(prov)
        return cls(**kwargs)


RECORD_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "site",
    "domain",
    "title",
    "description",
    "authors",
    "organizations",
    "published_at",
    "published_local",
    "modified_at",
    "language",
    "text",
    "word_count",
    "categories",
    "tags",
    "image",
    "images",
    "embeds",
    "rights",
    "paywalled",
    "fetched_at",
    "source",
    "content_hash",
    "revision",
    "duplicate_of",
    "syndicated_from",
    "raw_ref",
    "extractor",
    "provenance",
    "schema_version",
)
