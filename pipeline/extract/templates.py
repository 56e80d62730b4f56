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
when it is processed again (a re-extraction, a revision of a live story): the ids of recently
counted articles are kept too. Were each revision counted, the
paragraphs a story keeps through its updates would soon look like the site's template.

The file also remembers, per article, a hash of its text *before* template removal and the
capture it came from. A refetch whose text is the same is unchanged, even when the template
learnt since then would cut the record differently: the template moving is not a revision.
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
# Stub guard: the template is not cut from a record it would leave shorter than this (the
# extractor's own minimum for an article; a page that is nearly all template stays whole).
MIN_WORDS_LEFT = 40
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
    # article id -> "<hash of its text before template removal>:<hash of its capture ref>"
    sources: dict[str, str] = field(default_factory=dict)
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
        sources = doc.get("sources") if isinstance(doc, dict) else None
        return cls(
            site,
            {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
            [str(s) for s in seen] if isinstance(seen, list) else [],
            {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {},
        )

    def save(self, store: Store) -> None:
        if not self.changed:
            return
        doc = {
            "site": self.site,
            "min_articles": MIN_ARTICLES,
            "blocks": self.counts,
            "seen": self.seen,
            "sources": self.sources,
        }
        store.put(template_key(self.site), json.dumps(doc, sort_keys=True).encode())
        self.changed = False

    def boilerplate(self) -> frozenset[str]:
        """Hashes of the blocks that are the site's template."""
        return frozenset(h for h, n in self.counts.items() if n >= MIN_ARTICLES)

    def observe(self, article_id: str, blocks: Iterable[str]) -> None:
        """Count the distinct blocks of one article (the hashes `cut_template` returns), once per
        article id: its revisions and re-extractions are not new sightings."""
        if article_id in self.seen:
            return
        self.seen.append(article_id)
        del self.seen[:-MAX_SEEN]
        for h in set(blocks):
            self.counts[h] = self.counts.get(h, 0) + 1
        if len(self.counts) > MAX_BLOCKS:
            self.counts = {h: n for h, n in self.counts.items() if n > 1}
        self.changed = True


    def unchanged_source(self, article_id: str, text_hash: str, raw_ref: str) -> bool:
        """True when a capture other than the one recorded has the same text before template
        removal (a re-extraction of the same capture is not a refetch: dedup decides it)."""
        known = self.sources.get(article_id)
        if known is None:
            return False
        known_text, _, known_ref = known.partition(":")
        return known_text == text_hash[:16] and known_ref != _ref_hash(raw_ref)

    def remember_source(self, article_id: str, text_hash: str, raw_ref: str) -> None:
        entry = _source(text_hash, raw_ref)
        if self.sources.get(article_id) == entry:
            return
        self.sources.pop(article_id, None)  # re-inserted last: the newest are kept
        self.sources[article_id] = entry
        if len(self.sources) > MAX_SEEN:
            for old in list(self.sources)[: len(self.sources) - MAX_SEEN]:
                del self.sources[old]
        self.changed = True


def _ref_hash(raw_ref: str) -> str:
    return hashlib.blake2b(raw_ref.encode("utf-8"), digest_size=4).hexdigest()


def _source(text_hash: str, raw_ref: str) -> str:
    return f"{text_hash[:16]}:{_ref_hash(raw_ref)}"


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


def cut_template(text: str, boilerplate: frozenset[str]) -> tuple[str, list[str]]:
    """A record's text less the site's template blocks, unless that would leave a stub, and the
    hashes of the paragraphs of that text long enough to count towards a template: the writer
    hashes each paragraph once for both."""
    hashed = [(p, block_hash(p)) for p in text.split("\n\n")]
    kept = [(p, h) for p, h in hashed if h not in boilerplate]
    if len(kept) == len(hashed) or len(" ".join(p for p, _ in kept).split()) < MIN_WORDS_LEFT:
        kept = hashed
    else:
        text = "\n\n".join(p for p, _ in kept)
    return text, [h for p, h in kept if len(p) >= MIN_BLOCK_CHARS]


def drop_template_blocks(paragraphs: list[str], boilerplate: frozenset[str]) -> list[str]:
    """`paragraphs` without the site's template blocks."""
    if not boilerplate:
        return paragraphs
    return [p for p in paragraphs if block_hash(p) not in boilerplate]
