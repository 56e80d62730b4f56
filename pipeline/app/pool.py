"""Ordered, bounded parallel map: every core busy, memory flat however long the stream, and no
single item able to stop the rest.

Each item runs in a worker process with a time limit (NEWSMILL_PAGE_TIMEOUT seconds, default
60) and, where the platform enforces it, a memory limit (NEWSMILL_WORKER_MEMORY_MB of growth per
worker, default 2048; 0 for none). A worker past its time is killed and replaced, and so is one
that dies (the OOM killer, a crash in C code); the item is handed to `on_failure` with the reason
and the stream goes on. The pool (pebble's, which does the per-task timing and the replacing)
kills its workers when the parent dies (see pipeline.app.workers).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from newsmill.pipeline.app.workers import init_worker

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PAGE_TIMEOUT = 60.0
DEFAULT_WORKER_MEMORY_MB = 2048


def default_workers() -> int:
    from newsmill.pipeline.settings import settings

    configured = settings().workers
    if configured:
        return configured
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {raw!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """What one item may cost its worker; 0 or None means no limit."""

    page_timeout: float | None = DEFAULT_PAGE_TIMEOUT  # NEWSMILL_PAGE_TIMEOUT, seconds
    memory_mb: int | None = DEFAULT_WORKER_MEMORY_MB  # NEWSMILL_WORKER_MEMORY_MB

    @classmethod
    def from_env(cls) -> Limits:
        timeout = _env_number("NEWSMILL_PAGE_TIMEOUT", DEFAULT_PAGE_TIMEOUT)
        memory = int(_env_number("NEWSMILL_WORKER_MEMORY_MB", DEFAULT_WORKER_MEMORY_MB))
        return cls(timeout or None, memory or None)


def _context() -> Any:
    # fork on Linux: a replacement worker starts in milliseconds with the parser already
    # imported, and its parent is this process (which the death signal is tied to).
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _allow_children() -> None:
    """Let this process start workers even when a task runner marked it daemonic.

    Celery's default (prefork) pool runs tasks in daemonic processes, and the Airflow task
    process forked from one inherits multiprocessing's daemon flag, so starting a worker fails
    with "daemonic processes are not allowed to have children". The flag is only bookkeeping
    there (nothing terminates the task process as a daemon), and our workers die with their
    parent anyway (pipeline.app.workers), so it is cleared.
    """
    proc = multiprocessing.current_process()
    if not proc.daemon:
        return
    try:
        proc.daemon = False
    except AssertionError:  # a Process object this one was started as: its setter refuses
        proc._config["daemon"] = False  # type: ignore[attr-defined]


def death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"extraction worker died (signal {signal.Signals(-exitcode).name})"
        except ValueError:
            return f"extraction worker died (signal {-exitcode})"
    return f"extraction worker died (exit code {exitcode})"


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    on_failure: Callable[[T, str], R],
    workers: int | None = None,
    window: int | None = None,
    limits: Limits | None = None,
    forked: Callable[[], None] | None = None,
) -> Iterator[tuple[T, R]]:
    """Yield (item, fn(item)) in input order, or (item, on_failure(item, reason)) for an item
    whose worker ran out of time or died.

    At most `window` items are in flight, so a stream of a million pages holds a few dozen in
    memory. Call it from the main thread or a long-lived one: the workers are tied to the thread
    that starts them. Errors that are not one item's (the pool cannot start workers) propagate.
    `forked` is called once the workers exist (the pool forks them all at its first item).
    """
    workers = workers or default_workers()
    limits = limits or Limits.from_env()
    window = window or workers * 4
    _allow_children()
    pool = ProcessPool(
        max_workers=workers,
        initializer=init_worker,
        initargs=(os.getpid(), limits.memory_mb),
        context=_context(),
    )
    pending: deque[tuple[T, Future[R]]] = deque()

    def settle(item: T, future: Future[R]) -> tuple[T, R]:
        try:
            return item, future.result()
        except TimeoutError:
            return item, on_failure(item, f"extraction timed out after {limits.page_timeout:g} s")
        except ProcessExpired as exc:
            return item, on_failure(item, death_reason(exc.exitcode))
        except MemoryError:  # past the worker's memory limit, where `fn` did not catch it
            return item, on_failure(item, "extraction ran out of memory")

    try:
        for item in items:
            pending.append((item, pool.schedule(fn, args=(item,), timeout=limits.page_timeout)))
            if forked is not None:
                forked()
                forked = None
            if len(pending) >= window:
                yield settle(*pending.popleft())
        while pending:
            yield settle(*pending.popleft())
    finally:
        # Every result is in (or the consumer gave up): the workers can go at once.
        pool.stop()
        pool.join()
