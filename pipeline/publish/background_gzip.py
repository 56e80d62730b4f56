"""A gzip file compressed on a thread of its own while the caller goes on producing.

zlib lets go of the GIL while it deflates, so the dump's JSONL compression runs beside the JSON
encoding and the Parquet writing of the next rows instead of after them. A dump is the last
step of `newsmill run`, when the extraction workers are done and a core is free. On the 1,652
rows of the benchmark pages deflating took 0.73 s of the dump's 1.28 s.
"""

from __future__ import annotations

import gzip
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import IO

# zlib's own default: on the benchmark dump's 18.9 MB of JSONL, 0.65 s and 6.16 MB, against
# 0.76 s and 6.15 MB at 9 (the gzip module's default) and 0.41 s and 6.23 MB at 5.
LEVEL = 6
# Chunks handed over and not yet compressed: the caller waits rather than queue a whole day.
MAX_PENDING = 2


class BackgroundGzip:
    """Writes a gzip stream of the chunks given to `write`, in order, into `raw`.

    `filename=""` and `mtime=0` keep names and times out of the header, so the same chunks give
    the same bytes. An error of the compressing thread is raised by the next `write` or `close`.
    """

    def __init__(self, raw: IO[bytes], level: int = LEVEL, max_pending: int = MAX_PENDING):
        self._gz = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0,
                                 compresslevel=level)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="newsmill-gzip")
        self._pending: deque[Future[int]] = deque()
        self._max_pending = max_pending

    def write(self, chunk: bytes) -> None:
        while len(self._pending) >= self._max_pending:
            self._pending.popleft().result()
        # One thread takes the chunks first come, first served: the stream keeps their order.
        self._pending.append(self._thread.submit(self._gz.write, chunk))

    def close(self) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)
            self._gz.close()

    def __enter__(self) -> BackgroundGzip:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
