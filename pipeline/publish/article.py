"""The article record: the one typed shape that flows through every pipeline step."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

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
    title: str
    text: str
    fetched_at: str
    source: str
    raw_ref: str
    extractor: str
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    revision: int = 1
    duplicate_of: str | None = None
    schema_version: str = SCHEMA_VERSION
    # Not a published field: the page's rel=canonical when it names another site, i.e. the
    # article this one declares it copies. Deduplication turns it into `duplicate_of`.
    copy_of: str | None = None

    @property
    def id(self) -> str:
        return article_id(self.canonical_url)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

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
        kwargs["categories"] = list(kwargs.get("categories") or [])
        kwargs["tags"] = list(kwargs.get("tags") or [])
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
    "published_at",
    "modified_at",
    "language",
    "text",
    "word_count",
    "categories",
    "tags",
    "image",
    "fetched_at",
    "source",
    "content_hash",
    "revision",
    "duplicate_of",
    "raw_ref",
    "extractor",
    "provenance",
    "schema_version",
)
