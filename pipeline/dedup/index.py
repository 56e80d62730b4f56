"""Deduplication: URL identity, exact copies, near-duplicates and revisions, across every run.

Every record decided so far is one row of the index, in decision order (the row number is its
age: a lower row was seen first). A row holds the article id, a hash of its URL identity key
(`pipeline.dedup.urls.identity_key`), the content hash, the raw capture it came from, its revision,
the id of the original it copies (if any), its publication day and its MinHash signature
(`pipeline.dedup.neardup`). A new record is decided against all rows:

1. The same capture (raw_ref) of the same id was decided before: REPLAY, the same record again
   (a retried or re-extracted batch keeps its revision and its link).
2. Its id is known: same text as the latest version is UNCHANGED (no record), different text is
   REVISION n+1, which stays linked to whatever the first version was linked to.
3. A new id whose URL identity is known under another id (`http` vs `https`, `www.`, trailing
   slash, without a canonical link to tell them apart): DUPLICATE of that article.
4. A page that declares a canonical URL on another site (`syndicated_from`) copies that
   article: DUPLICATE of it if we hold it. If we do not, the page is decided on its text
   (rules 6-7) and its row is also filed under the URL it named.
5. A record we hold named this article's URL as its original (rule 4, before this one
   arrived): DUPLICATE of that record's original.
6. The exact text is known: DUPLICATE of the article that first had it.
7. A near-duplicate within the publication window (LSH candidates verified on signatures):
   DUPLICATE of the most similar one. Otherwise NEW.

`duplicate_of` always names an original we hold (a row that is no one's copy), never an id we
have no record of; it is resolved when the copy is decided. The first record held of a story
stays its original forever, even when the publisher's own page arrives later (rule 5), so
published links never need revisiting and every story keeps exactly one row with
`duplicate_of` null in whichever partition first published it.

On the store (state/dedup/): immutable segments of numpy arrays (`pipeline.dedup.segments`)
and `manifest.json`, written last, naming the live segments (`pipeline.dedup.manifest`, which
also fences the index against a run that lost the processing lease). Each save writes the rows
decided since the last one as a new segment, merging segments of similar size (an LSM tree), so
there are O(log n) segments and every row is rewritten O(log n) times. One lookup per segment
answers all the questions at once. Segments are fetched on the first decision, not at load: a
run with nothing new never reads them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from newsmill.pipeline.dedup import neardup
from newsmill.pipeline.dedup.manifest import LEGACY_KEY, MANIFEST_KEY, Manifest
from newsmill.pipeline.dedup.segments import (
    SALT_URL,
    SEGMENT_PREFIX,
    MemRows,
    Row,
    Segment,
    row_keys,
)
from newsmill.pipeline.dedup.urls import identity_key
from newsmill.pipeline.publish.article import Article, article_id
from newsmill.storage import KeyNotFound, Store
from newsmill.storage.base import Fence, current_fence

__all__ = ["LEGACY_KEY", "MANIFEST_KEY", "SEGMENT_PREFIX", "DedupIndex", "Verdict", "pub_day"]

log = logging.getLogger(__name__)

# Rows kept in Python dicts before being frozen into sorted arrays: bounds both the dicts'
# memory (34 keys per row) and the number of tiny in-memory runs.
MEMTABLE_ROWS = 16_384
# Checkpoint saves make small segments of uneven sizes; past this many, merge anyway.
MAX_SEGMENTS = 12
# Positions of the query keys of a decision (segments.row_keys with named=its own URL identity).
_AT_URL, _AT_TEXT, _AT_NAMED_BY, _AT_BANDS = 0, 1, 2, 3


class Verdict(StrEnum):
    NEW = "new"  # first time this canonical URL is seen
    REVISION = "revision"  # known URL, different text
    UNCHANGED = "unchanged"  # known URL, same text: no new record
    DUPLICATE = "duplicate"  # new URL copying a known article (URL variant, exact or near copy)
    REPLAY = "replay"  # this exact capture was decided before: same record again


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _id_bytes(article_id_hex: str) -> bytes:
    return bytes.fromhex(article_id_hex)


def _id_hex(raw: bytes) -> str:
    return raw.hex()


def pub_day(article: Article) -> int:
    """Publication day for the near-duplicate window; the fetch day when it is unknown."""
    for value in (article.published_at, article.fetched_at):
        if value:
            try:
                return date.fromisoformat(value[:10]).toordinal()
            except ValueError:
                continue
    return 0


@dataclass
class DedupIndex:
    store: Store | None = None
    manifest: Manifest = field(default_factory=lambda: Manifest([]))
    segments: list[Segment] = field(default_factory=list)
    loaded: bool = True
    dirty: bool = False
    # The lease the index was loaded under (None: no lease, a private or test store).
    fence: Fence | None = None
    _mem: MemRows = field(default_factory=lambda: MemRows(0))
    _starts: list[int] = field(default_factory=list)

    # ---- loading and saving -------------------------------------------------------------

    @classmethod
    def load(cls, store: Store) -> DedupIndex:
        """The index as last saved. Reads only the manifest; segments come on first use.

        Under a lease, LeaseLost if a newer lease has already written it (see
        pipeline.dedup.manifest).
        """
        manifest = Manifest.read(store)
        fence = current_fence()
        if fence is not None:
            manifest.refuse_older(fence)
        index = cls(store=store, manifest=manifest, loaded=not manifest.segments, fence=fence)
        if not manifest.segments:
            index._migrate_legacy(store)
        return index

    def _ensure_loaded(self) -> None:
        if self.loaded:
            return
        assert self.store is not None
        self.segments = [Segment.read(self.store, k) for k in self.manifest.segments]
        self._reset_memtable()
        self.loaded = True

    @property
    def rows(self) -> int:
        self._ensure_loaded()
        return self._mem.start + len(self._mem.rows)

    def _reset_memtable(self) -> None:
        self._starts = [s.start for s in self.segments]
        end = self.segments[-1].start + self.segments[-1].n if self.segments else 0
        self._mem = MemRows(end)

    def freeze(self) -> None:
        """Turn the memtable into an in-memory segment and merge segments of similar size."""
        mem = self._mem
        if mem.rows:
            self.segments.append(Segment.from_rows(mem.start, mem.rows, mem.table.freeze()))
        # Binary-counter merging: a segment is merged into the one before it once it is as large,
        # so sizes halve down the list: about log2(rows / MEMTABLE_ROWS) segments to search, and
        # each row rewritten that many times in all. (Small checkpoint segments are uneven, so
        # the count is capped too.)
        while len(self.segments) >= 2 and (self.segments[-2].n <= self.segments[-1].n
                                           or len(self.segments) > MAX_SEGMENTS):
            last = self.segments.pop()
            self.segments[-1] = Segment.merge(self.segments[-1], last)
        self._reset_memtable()

    def save(self, store: Store) -> None:
        """Write the rows decided since the last save; then the manifest; then drop the rest.

        Under a lease: LeaseLost, and nothing named in the manifest, if the lease is no longer
        this run's or another run has written the manifest since this one read it.
        """
        if not self.dirty:
            return
        self._ensure_loaded()
        self.freeze()
        token = self.fence.token if self.fence is not None else 0
        if self.fence is not None:
            self.fence.check()
        for seg in self.segments:
            if seg.key is None:
                seg.write(store, token)
        live = [s.key for s in self.segments if s.key]
        self.manifest.write(store, live, self._mem.start, self.fence)
        # Only after the manifest no longer names them: a crash before this line leaves orphans
        # that the next save removes, never a manifest naming a missing segment.
        self.manifest.remove_orphans(store, self.fence)
        self.dirty = False

    def _migrate_legacy(self, store: Store) -> None:
        """Carry the first cut's JSON index over (no signatures or dates: exact matching only)."""
        try:
            data = json.loads(store.get(LEGACY_KEY))
        except KeyNotFound:
            return
        for url, versions in data.get("urls", {}).items():
            aid = _id_bytes(article_id(url))
            for v in versions:
                orig = _id_bytes(v["duplicate_of"]) if v.get("duplicate_of") else b""
                self._add(Row(aid, _h64(identity_key(url)), int(v["content_hash"][:16], 16),
                              _h64(v["raw_ref"]), int(v["revision"]), orig, 0, None))
        self.dirty = True

    # ---- lookups ------------------------------------------------------------------------

    def _row(self, r: int) -> Row:
        if r >= self._mem.start:
            return self._mem.rows[r - self._mem.start]
        seg = self.segments[bisect.bisect_right(self._starts, r) - 1]
        return seg.row(r)

    def _lookup(self, query: npt.NDArray[np.uint64]) -> tuple[np.ndarray, np.ndarray]:
        """(index into query, row) for every row found under one of the query keys."""
        at: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for seg in self.segments:
            a, r = seg.table.lookup(query)
            at.append(a)
            rows.append(r)
        a2, r2 = self._mem.table.lookup(query)
        at.append(np.asarray(a2, dtype=np.int64))
        rows.append(np.asarray(r2, dtype=np.int64))
        return np.concatenate(at), np.concatenate(rows).astype(np.int64)

    def _rows_with_ukey(self, ukey: int) -> list[int]:
        _, rows = self._lookup(np.array([ukey ^ SALT_URL], dtype=np.uint64))
        return sorted(rows.tolist())

    def _near(self, rows: np.ndarray, sig: neardup.ShortSig, day: int,
              exclude: bytes) -> int | None:
        """The candidate row most similar to `sig` within the window, if similar enough."""
        best: tuple[float, int] | None = None
        # Candidates are few (band collisions of unrelated texts are rare); per-row is fine.
        for r in sorted(set(rows.tolist())):
            row = self._row(r)
            if row.sig is None or row.id == exclude:
                continue
            if day and row.day and abs(row.day - day) > neardup.WINDOW_DAYS:
                continue
            score = float(neardup.similarity(row.sig, sig))
            if score >= neardup.THRESHOLD and (best is None or score > best[0]):
                best = (score, r)
        return best[1] if best else None

    def _original_of(self, r: int) -> bytes:
        row = self._row(r)
        return row.orig or row.id

    def _held_original(self, ukey: int) -> bytes | None:
        """The original behind a URL identity if we hold a record of it, else None."""
        rows = self._rows_with_ukey(ukey)
        return self._original_of(rows[0]) if rows else None

    # ---- deciding -----------------------------------------------------------------------

    def _add(self, row: Row, bands: npt.NDArray[np.uint64] | None = None,
             named: int | None = None) -> int:
        r = self._mem.add(row, row_keys(row, bands, named))
        self.dirty = True
        if len(self._mem.rows) >= MEMTABLE_ROWS:
            self.freeze()
        return r

    def decide(self, article: Article) -> Verdict:
        """Set `revision` and `duplicate_of` on the article and say what it is."""
        self._ensure_loaded()
        aid = _id_bytes(article.id)
        ukey = _h64(identity_key(article.canonical_url))
        chash = int(article.content_hash[:16], 16)
        ref = _h64(article.raw_ref)
        day = pub_day(article)
        full = neardup.signature(article.text)
        bands = neardup.band_keys(full) if full is not None else None
        sig = neardup.short_sig(full) if full is not None else None
        # One lookup for everything: URL identity, exact text, rows naming this URL, LSH bands.
        found_at, found = self._lookup(
            row_keys(Row(aid, ukey, chash, 0, 0, b"", 0, None), bands, named=ukey))
        same_key = sorted(found[found_at == _AT_URL].tolist())
        versions = [(r, row) for r in same_key if (row := self._row(r)).id == aid]

        if versions:
            rows = [row for _, row in versions]
            replays = [row for row in rows if row.ref == ref]
            if replays:
                seen = replays[-1]
                if seen.chash != chash:
                    # Re-extracted with different text: remember the new text under the same
                    # revision, so the next refetch compares against what was published.
                    self._add(Row(aid, ukey, chash, ref, seen.rev, seen.orig, day, sig), bands)
                article.revision = seen.rev
                article.duplicate_of = _id_hex(seen.orig) if seen.orig else None
                return Verdict.REPLAY
            top = max(row.rev for row in rows)
            latest = [row for row in rows if row.rev == top][-1]
            if latest.chash == chash:
                return Verdict.UNCHANGED
            # A revision of a copy is still a copy of the same original.
            orig = rows[0].orig
            article.revision = top + 1
            article.duplicate_of = _id_hex(orig) if orig else None
            self._add(Row(aid, ukey, chash, ref, article.revision, orig, day, sig), bands)
            return Verdict.REVISION

        declared = article.syndicated_from
        named = _h64(identity_key(declared)) if declared else None
        if named == ukey:
            named = None  # a canonical naming this very article (another spelling of it)
        held = self._held_original(named) if named is not None else None
        orig = b""
        if same_key:  # the same URL identity under another spelling
            orig = self._original_of(same_key[0])
        elif held is not None:  # declares a copy of an article we hold
            orig = held
        elif (named_by := found[found_at == _AT_NAMED_BY]).size:
            # An original arriving after a copy that named it: the copy came first and is
            # already published as the story's row, so this one joins it (docs/dedup.md).
            orig = self._original_of(int(named_by.min()))
            log.info("original arrived after a copy that named it: linked to the story's row "
                     "%s url=%s site=%s", _id_hex(orig), article.url, article.site)
        elif (same_text := found[found_at == _AT_TEXT]).size:
            orig = self._original_of(int(same_text.min()))
        elif sig is not None:
            near = self._near(found[found_at >= _AT_BANDS], sig, day, aid)
            if near is not None:
                orig = self._original_of(near)
        if orig == aid:
            # Only in an index from before 2.0, which linked copies to ids it did not hold: this
            # is that id arriving, so it is the original.
            orig = b""
        article.revision = 1
        article.duplicate_of = _id_hex(orig) if orig else None
        # Only while the named article is not held: once it is, its own rows answer for it.
        self._add(Row(aid, ukey, chash, ref, 1, orig, day, sig), bands,
                  named if held is None else None)
        return Verdict.DUPLICATE if orig else Verdict.NEW
