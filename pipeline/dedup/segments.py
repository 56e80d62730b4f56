"""The dedup index's rows on the store: immutable segments of numpy columns, and the rows of the
current run held in memory until they are frozen into one.

A segment holds rows [start, start + n): the rows' columns, their 8-bit MinHash signatures and
one sorted key -> row table with each row's URL identity key, content-hash key and LSH band keys
(`row_keys`), so one lookup per segment answers every question a decision asks.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from newsmill.pipeline.dedup import neardup
from newsmill.pipeline.dedup.neardup import BandRun, Memtable
from newsmill.storage import Store

SEGMENT_PREFIX = "state/dedup/segments/"
ID_BYTES = 12  # article ids are 24 hex digits
# segments/<first row>-<rows>[-g<token>].npz: the token of the lease it was written under, so
# that a writer which lost its lease never overwrites, nor deletes, a newer writer's segment.
_SEGMENT_NAME = re.compile(r"/\d{12}-\d{12}(?:-g(?P<token>\d+))?\.npz$")

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


# Salts that keep the kinds of key in one table apart (band keys are used as they are).
SALT_URL = 0x5A17_0000_0000_0001
SALT_HASH = 0x5A17_0000_0000_0002
# The URL identity of an article a row names as its original (a cross-site rel=canonical)
# while that article is not held: found again when the original itself arrives.
SALT_NAMED = 0x5A17_0000_0000_0003


def row_keys(row: Row, bands: npt.NDArray[np.uint64] | None,
             named: int | None = None) -> npt.NDArray[np.uint64]:
    """Every key a row is found under: its URL identity, its content hash, the URL identity it
    names as its original (if any), its LSH bands."""
    head = [row.ukey ^ SALT_URL, row.chash ^ SALT_HASH]
    if named is not None:
        head.append(named ^ SALT_NAMED)
    keys = np.array(head, dtype=np.uint64)
    return keys if bands is None else np.concatenate((keys, bands))


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

    def store_key(self, token: int = 0) -> str:
        suffix = f"-g{token}" if token else ""
        return f"{SEGMENT_PREFIX}{self.start:012d}-{self.n:012d}{suffix}.npz"

    def write(self, store: Store, token: int = 0) -> None:
        key = self.store_key(token)
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


class MemRows:
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


def segment_token(key: str) -> int:
    """The lease token a segment was written under (0: none, or written before tokens)."""
    m = _SEGMENT_NAME.search(key)
    return int(m["token"]) if m and m["token"] else 0
