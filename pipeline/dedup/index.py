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
4. A page that declares a canonical URL on another site copies that article: DUPLICATE of it.
5. The exact text is known: DUPLICATE of the article that first had it.
6. A near-duplicate within the publication window (LSH candidates verified on signatures):
   DUPLICATE of the most similar one. Otherwise NEW.

`duplicate_of` always names an original (a row that is no one's copy, or a declared canonical),
resolved when the copy is decided; since the first-seen record stays the original forever, the
link never needs revisiting.

On the store (state/dedup/): immutable segments of numpy arrays (`segments/<first>-<n>.npz`:
the rows' columns, 8-bit signatures, and one sorted key -> row table holding each row's URL
identity key, content-hash key and LSH band keys) and `manifest.json`, written last, naming the
live segments. Each save writes the rows decided since the last one as a new segment, merging
segments of similar size (an LSM tree), so there are O(log n) segments and every row is
rewritten O(log n) times. One lookup per segment answers all three questions at once.
Segments are fetched on the first decision, not at load: a run with nothing new never reads
them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from newsmill.pipeline.dedup import neardup
from newsmill.pipeline.dedup.neardup import BandRun, Memtable
from newsmill.pipeline.dedup.urls import identity_key
from newsmill.pipeline.publish.article import Article, article_id
from newsmill.storage import KeyNotFound, Store

log = logging.getLogger(__name__)

PREFIX = "state/dedup/"
MANIFEST_KEY = PREFIX + "manifest.json"
SEGMENT_PREFIX = PREFIX + "segments/"
LEGACY_KEY = PREFIX + "index.json"  # the first cut's single JSON file, migrated on load
FORMAT = 2
# Rows kept in Python dicts before being frozen into sorted arrays: bounds both the dicts'
# memory (34 keys per row) and the number of tiny in-memory runs.
MEMTABLE_ROWS = 16_384
# Checkpoint saves make small segments of uneven sizes; past this many, merge anyway.
MAX_SEGMENTS = 12
ID_BYTES = 12  # article ids are 24 hex digits

COLUMNS: dict[str, Any] = {
    "id": f"S{ID_BYTES}",
    "ukey": np.uint64,  # URL identity key hash
    "chash": np.uint64,  # content hash, first 64 bits
    "ref": np.uint64,  # raw_ref hash
    "rev": np.int32,
    "orig": f"S{ID_BYTES}",  # id of the original this row copies; empty for originals
    "day": np.int32,  # publication day (proleptic ordinal); 0 when unknown
    "has_sig": np.bool_,
}


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
class Row:
    id: bytes
    ukey: int
    chash: int
    ref: int
    rev: int
    orig: bytes
    day: int
    sig: neardup.ShortSig | None


# Salts that keep the three kinds of key in one table apart (band keys are used as they are).
SALT_URL = 0x5A17_0000_0000_0001
SALT_HASH = 0x5A17_0000_0000_0002


def row_keys(row: Row, bands: npt.NDArray[np.uint64] | None) -> npt.NDArray[np.uint64]:
    """Every key a row is found under: its URL identity, its content hash, its LSH bands."""
    head = np.array([row.ukey ^ SALT_URL, row.chash ^ SALT_HASH], dtype=np.uint64)
    return head if bands is None else np.concatenate((head, bands))


@dataclass
class Segment:
    """Rows [start, start + n) as columns, and one sorted key -> row table. Immutable."""

    start: int
    cols: dict[str, np.ndarray]
    sigs: neardup.ShortSig  # (n, K)
    table: BandRun
    key: str | None = None  # store key once written

    @property
    def n(self) -> int:
        return int(self.cols["id"].shape[0])

    def row(self, r: int) -> Row:
        i = r - self.start
        c = self.cols
        # numpy's fixed-width bytes drop trailing NULs; ids are padded back to their width
        # (an empty `orig` stays empty: no id is twelve NUL bytes).
        orig = bytes(c["orig"][i])
        return Row(bytes(c["id"][i]).ljust(ID_BYTES, b"\0"), int(c["ukey"][i]),
                   int(c["chash"][i]), int(c["ref"][i]), int(c["rev"][i]),
                   orig.ljust(ID_BYTES, b"\0") if orig else b"", int(c["day"][i]),
                   self.sigs[i] if c["has_sig"][i] else None)

    @classmethod
    def from_rows(cls, start: int, rows: list[Row], table: BandRun) -> Segment:
        n = len(rows)
        cols = {name: np.zeros(n, dtype=dt) for name, dt in COLUMNS.items()}
        sigs = np.zeros((n, neardup.K), dtype=np.uint8)
        for i, r in enumerate(rows):
            cols["id"][i], cols["ukey"][i], cols["chash"][i] = r.id, r.ukey, r.chash
            cols["ref"][i], cols["rev"][i], cols["orig"][i], cols["day"][i] = (
                r.ref, r.rev, r.orig, r.day)
            if r.sig is not None:
                cols["has_sig"][i] = True
                sigs[i] = r.sig
        return cls(start, cols, sigs, table)

    @classmethod
    def merge(cls, a: Segment, b: Segment) -> Segment:
        cols = {name: np.concatenate((a.cols[name], b.cols[name])) for name in COLUMNS}
        sigs = np.concatenate((a.sigs, b.sigs))
        return cls(a.start, cols, sigs, BandRun.merge(a.table, b.table))

    def store_key(self) -> str:
        return f"{SEGMENT_PREFIX}{self.start:012d}-{self.n:012d}.npz"

    def write(self, store: Store) -> None:
        key = self.store_key()
        arrays = {f"col_{k}": v for k, v in self.cols.items()}
        arrays.update(sigs=self.sigs, table_keys=self.table.keys, table_rows=self.table.rows,
                      start=np.array([self.start], dtype=np.int64))
        # Through a temporary file: a large segment is never held twice in memory.
        fd, tmp = tempfile.mkstemp(suffix=".npz")
        os.close(fd)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            store.put_file(key, tmp)
        finally:
            os.unlink(tmp)
        self.key = key

    @classmethod
    def read(cls, store: Store, key: str) -> Segment:
        fd, tmp = tempfile.mkstemp(suffix=".npz")
        os.close(fd)
        try:
            store.get_file(key, tmp)
            with np.load(tmp, allow_pickle=False) as data:
                cols = {k: data[f"col_{k}"] for k in COLUMNS}
                table = BandRun(data["table_keys"], data["table_rows"])
                return cls(int(data["start"][0]), cols, data["sigs"], table, key)
        finally:
            os.unlink(tmp)


class _Memtable:
    """Rows decided since the last freeze, found through a dict."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.rows: list[Row] = []
        self.table = Memtable()

    def add(self, row: Row, keys: npt.NDArray[np.uint64]) -> int:
        r = self.start + len(self.rows)
        self.rows.append(row)
        self.table.add(keys, r)
        return r


@dataclass
class DedupIndex:
    store: Store | None = None
    manifest: list[str] = field(default_factory=list)  # segment keys, in row order
    segments: list[Segment] = field(default_factory=list)
    loaded: bool = True
    dirty: bool = False
    _mem: _Memtable = field(default_factory=lambda: _Memtable(0))
    _starts: list[int] = field(default_factory=list)

    # ---- loading and saving -------------------------------------------------------------

    @classmethod
    def load(cls, store: Store) -> DedupIndex:
        """The index as last saved. Reads only the manifest; segments come on first use."""
        try:
            manifest = json.loads(store.get(MANIFEST_KEY))
        except KeyNotFound:
            index = cls(store=store)
            index._migrate_legacy(store)
            return index
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{MANIFEST_KEY}: unknown format {manifest.get('format')!r}")
        return cls(store=store, manifest=list(manifest["segments"]), loaded=False)

    def _ensure_loaded(self) -> None:
        if self.loaded:
            return
        assert self.store is not None
        self.segments = [Segment.read(self.store, k) for k in self.manifest]
        self._reset_memtable()
        self.loaded = True

    @property
    def rows(self) -> int:
        self._ensure_loaded()
        return self._mem.start + len(self._mem.rows)

    def _reset_memtable(self) -> None:
        self._starts = [s.start for s in self.segments]
        end = self.segments[-1].start + self.segments[-1].n if self.segments else 0
        self._mem = _Memtable(end)

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
        """Write the rows decided since the last save; then the manifest; then drop the rest."""
        if not self.dirty:
            return
        self._ensure_loaded()
        self.freeze()
        for seg in self.segments:
            if seg.key is None:
                seg.write(store)
        live = [s.key for s in self.segments if s.key]
        body = {"format": FORMAT, "rows": self._mem.start, "segments": live}
        store.put(MANIFEST_KEY, json.dumps(body, indent=1).encode())
        # Only after the manifest no longer names them: a crash before this line leaves orphans
        # that the next save removes, never a manifest naming a missing segment.
        for key in store.list(SEGMENT_PREFIX):
            if key not in live:
                store.delete(key)
        if store.exists(LEGACY_KEY):  # migrated into the segments just written
            store.delete(LEGACY_KEY)
        self.manifest = live
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

    def _resolve_url(self, url: str) -> bytes:
        """The original behind a URL: what its known rows link to, else the URL's own id."""
        rows = self._rows_with_ukey(_h64(identity_key(url)))
        return self._original_of(rows[0]) if rows else _id_bytes(article_id(url))

    # ---- deciding -----------------------------------------------------------------------

    def _add(self, row: Row, bands: npt.NDArray[np.uint64] | None = None) -> int:
        r = self._mem.add(row, row_keys(row, bands))
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
        # One lookup for everything: URL identity, exact text, LSH bands.
        found_at, found = self._lookup(row_keys(Row(aid, ukey, chash, 0, 0, b"", 0, None), bands))
        same_key = sorted(found[found_at == 0].tolist())
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

        orig = b""
        if same_key:  # the same URL identity under another spelling
            orig = self._original_of(same_key[0])
        elif article.copy_of and _id_bytes(article_id(article.copy_of)) != aid:
            # Recorded even when that article was never crawled: the publisher says so, and its
            # id is the one it will get if it ever is.
            orig = self._resolve_url(article.copy_of)
        elif (same_text := found[found_at == 1]).size:
            orig = self._original_of(int(same_text.min()))
        elif sig is not None:
            near = self._near(found[found_at >= 2], sig, day, aid)
            if near is not None:
                orig = self._original_of(near)
        article.revision = 1
        article.duplicate_of = _id_hex(orig) if orig else None
        self._add(Row(aid, ukey, chash, ref, 1, orig, day, sig), bands)
        return Verdict.DUPLICATE if orig else Verdict.NEW
