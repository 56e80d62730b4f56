"""Site-level template learning: text blocks that repeat across a site's articles.

A crawl sees many pages of one site, and a site's template puts the same blocks around or
inside every story: an author bio, a house promo ("Our award-winning newsletter ..."), a
disclaimer, a "This article first appeared in ..." line. The generic filters in
`pipeline.extract.page` cannot know a site's own wording; counting does. For every site the store
keeps `state/templates/site=<site>.json`: a hash per paragraph of extracted text and the number
of distinct articles it has appeared in. A block seen in at least `MIN_ARTICLES` distinct
articles of the site is boilerplate, and extraction drops it from later records.

Story text is unique to its story, so it never reaches the threshold; a quote or a sentence a
follow-up story repeats verbatim would have to recur in `MIN_ARTICLES` different articles. The
extractor also never lets the template empty a record (see `pipeline.extract.page`).

The file is small and bounded: when it holds more than `MAX_BLOCKS` hashes, the blocks seen
only once (almost all of them story paragraphs) are forgotten. An article is counted once, even
when it is processed again (a re-extraction, a revision of the same URL): the ids of recently
counted articles are kept too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsmill.storage import Store, StoreError

log = logging.getLogger(__name__)

PREFIX = "state/templates/"
MIN_ARTICLES = 4
MAX_BLOCKS = 20_000
MAX_SEEN = 5_000
# Blocks shorter than this are left to the generic rules: "Advertisement" repeats everywhere,
# and so do short story lines ("Read on.", a section label) that are not a site's template.
MIN_BLOCK_CHARS = 20


def template_key(site: str) -> str:
    return f"{PREFIX}site={site}.json"


def block_hash(paragraph: str) -> str:
    """A paragraph's identity across pages: case and whitespace do not matter."""
    folded = " ".join(paragraph.casefold().split())
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()


@dataclass
class SiteTemplate:
    """Block counts of one site (see the module docstring)."""

    site: str
    counts: dict[str, int] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)  # ids of the articles counted, oldest first
    changed: bool = False

    @classmethod
    def load(cls, store: Store, site: str) -> SiteTemplate:
        try:
            doc = json.loads(store.get(template_key(site)))
        except (StoreError, KeyError, ValueError) as exc:
            if not isinstance(exc, KeyError):
                log.warning("template of site=%s unreadable, starting afresh: %s", site, exc)
            return cls(site)
        counts = doc.get("blocks") if isinstance(doc, dict) else None
        seen = doc.get("seen") if isinstance(doc, dict) else None
        return cls(
            site,
            {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
            [str(s) for s in seen] if isinstance(seen, list) else [],
        )

    def save(self, store: Store) -> None:
        if not self.changed:
            return
        doc = {
            "site": self.site,
            "min_articles": MIN_ARTICLES,
            "blocks": self.counts,
            "seen": self.seen,
        }
        store.put(template_key(self.site), json.dumps(doc, sort_keys=True).encode())
        self.changed = False

    def boilerplate(self) -> frozenset[str]:
        """Hashes of the blocks that are the site's template."""
        return frozenset(h for h, n in self.counts.items() if n >= MIN_ARTICLES)

    def observe(self, article_id: str, paragraphs: Iterable[str]) -> None:
        """Count the distinct blocks of one article (once per article id)."""
        if article_id in self.seen:
            return
        self.seen.append(article_id)
        del self.seen[:-MAX_SEEN]
        for h in {block_hash(p) for p in paragraphs if len(p) >= MIN_BLOCK_CHARS}:
            self.counts[h] = self.counts.get(h, 0) + 1
        if len(self.counts) > MAX_BLOCKS:
            self.counts = {h: n for h, n in self.counts.items() if n > 1}
        self.changed = True


class Templates:
    """The templates of the sites one processing run touches, loaded when first needed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sites: dict[str, SiteTemplate] = {}

    def site(self, name: str) -> SiteTemplate:
        if name not in self.sites:
            self.sites[name] = SiteTemplate.load(self.store, name)
        return self.sites[name]

    def save(self) -> None:
        for template in self.sites.values():
            template.save(self.store)


def drop_template_blocks(paragraphs: list[str], boilerplate: frozenset[str]) -> list[str]:
    """`paragraphs` without the site's template blocks."""
    if not boilerplate:
        return paragraphs
    return [p for p in paragraphs if block_hash(p) not in boilerplate]
