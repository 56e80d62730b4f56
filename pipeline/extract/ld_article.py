"""The page's JSON-LD Article node as data, for the fields read beyond the text.

pipeline.extract.jsonld turns the node into metadata candidates (strings); images, rights and
paywall need its structure: `ImageObject` captions and credits, `license`,
`isAccessibleForFree` and the `hasPart` sections it marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsmill.pipeline.extract.candidates import ARTICLE_TYPES
from newsmill.pipeline.extract.jsonld import NESTING, schema_types, walk

# `hasPart` is left out: its nodes are the page sections a paywall marks, not articles.
_NESTING = tuple(key for key in NESTING if key != "hasPart")


@dataclass
class LdArticle:
    """The first Article-typed node (None if the page has none) and every node by `@id`."""

    node: dict[str, Any] | None = None
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    def deref(self, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) == 1:
            return self.by_id.get(value["@id"], value)
        return value

    def get(self, key: str) -> Any:
        return None if self.node is None else self.deref(self.node.get(key))


def read_ld_article(documents: list[Any]) -> LdArticle:
    """`documents` are the page's JSON-LD scripts as parsed at load
    (PageMetadata.jsonld_documents)."""
    found = LdArticle()
    for document in documents:
        for node in walk(document, _NESTING):
            ident = node.get("@id")
            if isinstance(ident, str) and len(node) > 1:
                found.by_id.setdefault(ident, node)
            if found.node is None and schema_types(node) & ARTICLE_TYPES:
                found.node = node
    return found
