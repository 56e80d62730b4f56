"""Ordered, bounded parallel map: every core busy, memory flat however long the stream."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    from newsmill.pipeline.settings import settings

    configured = settings().workers
    if configured:
        return configured
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    window: int | None = None,
) -> Iterator[tuple[T, R]]:
    """Yield (item, fn(item)) in input order.

    At most `window` items are in flight, so a stream of a million pages holds a few dozen in
    memory. With one worker the work runs inline: no process start-up for small jobs.
    """
    workers = workers or default_workers()
    if workers <= 1:
        for item in items:
            yield item, fn(item)
        return
    window = window or workers * 4
    pending: deque[tuple[T, Future[R]]] = deque()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        executor: Executor = pool
        for item in items:
            pending.append((item, executor.submit(fn, item)))
            if len(pending) >= window:
                head, fut = pending.popleft()
                yield head, fut.result()
        while pending:
            head, fut = pending.popleft()
            yield head, fut.result()
