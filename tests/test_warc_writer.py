"""The WARC writer: what a crawl's raw file holds, read back the way extraction reads it."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime
from pathlib import Path

from newsmill.pipeline.warc.reader import iter_captures
from newsmill.pipeline.warc.writer import Exchange, RollingWarcWriter


def _page(n: int) -> bytes:
    rng = random.Random(n)
    letters = "abcdefghijklmnopqrstuvwxyz"
    # made-up words: text that gzip shrinks by about half, as it does a real page
    text = " ".join("".join(rng.choices(letters, k=rng.randint(2, 9))) for _ in range(40_000))
    return f"<html><body><article><p>{text}</p></article></body></html>".encode()


def _write(tmp_path: Path, exchanges: list[Exchange]) -> Path:
    writer = RollingWarcWriter(str(tmp_path), "t-", max_responses=100)
    for ex in exchanges:
        writer.write(ex, "2026-12-01")
    writer.roll()
    (warc,) = writer.take_rolled()
    return Path(warc.path)


def _exchange(url: str, body: bytes, headers: list[tuple[str, str]]) -> Exchange:
    return Exchange(url=url, fetched_at=datetime(2026, 12, 1, tzinfo=UTC), status=200,
                    headers=[("Content-Type", "text/html"), *headers], body=body,
                    site="t", source="sitemap", kind="article")


def test_a_page_served_compressed_is_archived_as_received_and_reads_back_whole(
    tmp_path: Path,
) -> None:
    plain, encoded = _page(1), _page(2)
    wire = gzip.compress(encoded)
    alone_plain = _write(tmp_path / "a", [_exchange("http://t.test/a", plain, [])])
    alone_encoded = _write(tmp_path / "b", [
        _exchange("http://t.test/b", wire, [("Content-Encoding", "gzip")])
    ])
    # A plain page is compressed in the file; a page that came compressed is not deflated a
    # second time (it would not shrink, and it cost the crawl CPU): its bytes are in the file
    # as received, in stored blocks of at most 64 KiB.
    assert alone_plain.stat().st_size < len(plain) * 0.75
    stored = alone_encoded.read_bytes()
    assert len(wire) > 100_000
    chunks = [wire[i:i + 4096] for i in range(0, len(wire) - 4096, 4096)]
    assert sum(chunk in stored for chunk in chunks) >= 0.9 * len(chunks)
    assert len(stored) < len(wire) + 4096

    both = _write(tmp_path / "c", [
        _exchange("http://t.test/a", plain, []),
        _exchange("http://t.test/b", wire, [("Content-Encoding", "gzip")]),
    ])
    with both.open("rb") as fh:
        captures = list(iter_captures(fh, "raw/t.warc.gz"))
    assert [(c.url, c.body) for c in captures] == [
        ("http://t.test/a", plain), ("http://t.test/b", encoded)
    ]
    # every record is its own gzip member: the file is valid gzip as a whole
    assert gzip.decompress(both.read_bytes()).count(b"WARC/1.1") == 5
