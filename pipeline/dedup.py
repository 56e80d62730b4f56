"""Deduplication, first cut: one record per canonical URL, exact copies flagged, revisions counted.

The index lives in the store under state/dedup/ and remembers, per canonical URL, every version
seen (content hash, revision, raw capture). Decisions are keyed on the raw capture too, so running
the same capture through again (a retried or re-extracted batch) gives the same decision instead
of a new revision or a lost record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.article import Article
from storage import KeyNotFound, Store

INDEX_KEY = "state/dedup/index.json"


class Verdict(StrEnum):
    NEW = "new"  # first time this canonical URL is seen
    REVISION = "revision"  # known URL, different text
    UNCHANGED = "unchanged"  # known URL, same text: no new record
    DUPLICATE = "duplicate"  # new URL whose text is already known under another id
    REPLAY = "replay"  # this exact capture was decided before: same record again


@dataclass
class Version:
    content_hash: str
    revision: int
    raw_ref: str
    duplicate_of: str | None = None


@dataclass
class DedupIndex:
    urls: dict[str, list[Version]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # content hash -> first id with it
    dirty: bool = False

    @classmethod
    def load(cls, store: Store) -> DedupIndex:
        try:
            data = json.loads(store.get(INDEX_KEY))
        except KeyNotFound:
            return cls()
        urls = {u: [Version(**v) for v in vs] for u, vs in data.get("urls", {}).items()}
        return cls(urls=urls, hashes=dict(data.get("hashes", {})))

    def save(self, store: Store) -> None:
        if not self.dirty:
            return
        data = {
            "urls": {
                u: [vars(v) for v in vs] for u, vs in sorted(self.urls.items())
            },
            "hashes": dict(sorted(self.hashes.items())),
        }
        store.put(INDEX_KEY, json.dumps(data, separators=(",", ":")).encode())
        self.dirty = False

    def decide(self, article: Article) -> Verdict:
        """Set `revision` and `duplicate_of` on the article and say what it is."""
        url = article.canonical_url
        digest = article.content_hash
        versions = self.urls.get(url)
        if versions:
            for v in versions:
                if v.raw_ref == article.raw_ref:
                    # A re-extraction may change the text; the capture keeps its revision.
                    if v.content_hash != digest:
                        v.content_hash = digest
                        self.hashes.setdefault(digest, article.id)
                        self.dirty = True
                    article.revision = v.revision
                    article.duplicate_of = v.duplicate_of
                    return Verdict.REPLAY
            latest = versions[-1]
            if latest.content_hash == digest:
                return Verdict.UNCHANGED
            article.revision = latest.revision + 1
            article.duplicate_of = None
            versions.append(Version(digest, article.revision, article.raw_ref))
            self.hashes.setdefault(digest, article.id)
            self.dirty = True
            return Verdict.REVISION
        original = self.hashes.get(digest)
        article.revision = 1
        article.duplicate_of = original if original and original != article.id else None
        self.urls[url] = [Version(digest, 1, article.raw_ref, article.duplicate_of)]
        self.hashes.setdefault(digest, article.id)
        self.dirty = True
        return Verdict.DUPLICATE if article.duplicate_of else Verdict.NEW
