"""The dump's JSONL compression on a thread of its own (pipeline.publish.background_gzip)."""

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
    with BackgroundGzip(raw, max_pending=2) as gz:
        for chunk in chunks:
            gz.write(chunk)
    assert gzip.decompress(raw.getvalue()) == b"".join(chunks)


def test_the_same_chunks_give_the_same_bytes() -> None:
    chunks = _chunks()
    outputs = []
    for _ in range(2):
        raw = io.BytesIO()
        with BackgroundGzip(raw) as gz:
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
