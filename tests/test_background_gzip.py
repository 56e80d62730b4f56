"""The dump's JSONL compression on threads of their own (pipeline.publish.background_gzip)."""

from __future__ import annotations

import gzip
import io
import os

import pytest

from newsmill.pipeline.publish.background_gzip import BackgroundGzip


def _chunks() -> list[bytes]:
    # Incompressible and compressible chunks alike, so the thread has real work to lag on.
    return [os.urandom(50_000) + f"chunk {i}\n".encode() * 2000 for i in range(40)]


def test_chunks_come_back_whole_and_in_order() -> None:
    chunks = _chunks()
    raw = io.BytesIO()
    with BackgroundGzip(raw, threads=3) as gz:
        for chunk in chunks:
            gz.write(chunk)
    assert gzip.decompress(raw.getvalue()) == b"".join(chunks)
    with gzip.open(io.BytesIO(raw.getvalue())) as stream:  # as a reader streams it
        assert stream.read() == b"".join(chunks)


def test_no_chunk_still_makes_a_gzip_file() -> None:
    raw = io.BytesIO()
    with BackgroundGzip(raw):
        pass
    assert raw.getvalue().startswith(b"\x1f\x8b")
    assert gzip.decompress(raw.getvalue()) == b""


def test_the_same_chunks_give_the_same_bytes() -> None:
    chunks = _chunks()
    outputs = []
    for threads in (1, 4):  # and however many threads compress them
        raw = io.BytesIO()
        with BackgroundGzip(raw, threads=threads) as gz:
            for chunk in chunks:
                gz.write(chunk)
        outputs.append(raw.getvalue())
    assert outputs[0] == outputs[1]


class _FullDisk(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise OSError(28, "No space left on device")


def test_a_failed_write_reaches_the_caller() -> None:
    with pytest.raises(OSError, match="No space left"), BackgroundGzip(_FullDisk()) as gz:
        for chunk in _chunks():
            gz.write(chunk)
