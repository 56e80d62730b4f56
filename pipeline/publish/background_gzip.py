"""A gzip file compressed on threads of their own while the caller goes on producing.

zlib lets go of the GIL while it deflates, so the dump's JSONL compression runs beside the JSON
encoding and the Parquet writing of the next rows instead of after them. A dump is the last
step of `newsmill run`, when the extraction workers are done and both cores are free. On the
1,652 rows of the benchmark pages deflating took 0.73 s of the dump's 1.28 s on one thread.

Each chunk becomes a gzip member of its own (RFC 1952: a gzip file is a series of members), so
chunks are compressed side by side and written in order. Every gzip reader reads all members:
Python's gzip module, zcat, pyarrow and DuckDB were checked. A member starts with an empty
dictionary, which costs little on chunks of a hundred rows (a megabyte of JSON each).
"""

from __future__ import annotations

import os
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import IO

# zlib's own default: on the benchmark dump's 18.9 MB of JSONL, 0.65 s and 6.16 MB, against
# 0.76 s and 6.15 MB at 9 (the gzip module's default) and 0.41 s and 6.23 MB at 5.
LEVEL = 6
# Threads: the machine's cores, up to four (a dump's chunks come no faster than that).
THREADS = min(os.cpu_count() or 1, 4)


def gzip_member(chunk: bytes, level: int = LEVEL) -> bytes:
    """`chunk` as one whole gzip member. zlib's header has no name and a zero time, so the same
    chunk gives the same bytes."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(chunk) + compressor.flush()


class BackgroundGzip:
    """Writes the chunks given to `write`, in order, into `raw` as a gzip file.

    At most `threads` + 1 chunks wait to be compressed: the caller waits rather than queue a
    whole day. An error of a compressing thread or of `raw` is raised by `write` or `close`.
    """

    def __init__(self, raw: IO[bytes], level: int = LEVEL, threads: int = THREADS):
        self._raw = raw
        self._level = level
        self._pool = ThreadPoolExecutor(max(threads, 1), thread_name_prefix="newsmill-gzip")
        self._pending: deque[Future[bytes]] = deque()
        self._max_pending = max(threads, 1) + 1
        self._wrote = False

    def write(self, chunk: bytes) -> None:
        while len(self._pending) >= self._max_pending:
            self._write_next()
        self._pending.append(self._pool.submit(gzip_member, chunk, self._level))

    def _write_next(self) -> None:
        self._raw.write(self._pending.popleft().result())
        self._wrote = True

    def close(self) -> None:
        try:
            while self._pending:
                self._write_next()
            if not self._wrote:
                # No chunk at all: still a gzip file (of nothing), as gzip.open would write.
                self._raw.write(gzip_member(b"", self._level))
                self._wrote = True
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BackgroundGzip:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
