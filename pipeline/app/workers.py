"""Set-up of each extraction worker process: it dies with its parent, and its memory is bounded.

A worker blocked on its task pipe outlives a parent killed with SIGKILL (the OOM killer, an
Airflow task timeout, a lost pod) for ever, because it holds the pipe's other end itself. On
Linux the kernel is asked to kill the worker when its parent goes (PR_SET_PDEATHSIG); elsewhere
a watchdog thread polls the parent pid. PR_SET_PDEATHSIG fires when the *thread* that forked the
worker ends, so pools must be started from the main thread or one that lives as long as the
pool (see pipeline.app.pool).
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCHDOG_SECONDS = 1.0


def init_worker(parent_pid: int, memory_mb: int | None) -> None:
    """Pool initializer (runs in the worker before its first task)."""
    if not (sys.platform.startswith("linux") and _ask_kernel_to_kill_us()):
        _start_watchdog(parent_pid)
    # The parent may have died before the request above took effect: then no signal comes.
    if os.getppid() != parent_pid:
        os._exit(1)
    if memory_mb:
        _limit_memory(memory_mb)


def _ask_kernel_to_kill_us() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _start_watchdog(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="newsmill-parent-watchdog", daemon=True).start()


def _address_space_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(memory_mb: int) -> None:
    """Let the worker grow by at most `memory_mb` beyond the address space it starts with.

    A forked worker inherits its parent's mappings (the libraries alone take hundreds of MB of
    address space), so the limit is set relative to that, not as an absolute size. A page past
    it gets MemoryError in its worker instead of the machine's OOM killer picking a victim.
    """
    current = _address_space_bytes()
    if current is None:
        return  # no way to know the baseline (not Linux): RLIMIT_AS is not enforced there anyway
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError) as exc:
        log.warning("cannot limit extraction worker memory to %d MB: %s", memory_mb, exc)


def poison_for_tests(body: bytes) -> None:
    """Fault injection for tests, never set in production: NEWSMILL_TEST_POISON=ACTION:MARKER
    makes the page whose bytes hold MARKER hang, kill its worker, or exhaust its memory."""
    action, _, marker = os.environ.get("NEWSMILL_TEST_POISON", "").partition(":")
    if not marker or marker.encode() not in body:
        return
    if action == "hang":
        time.sleep(3600)
    elif action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "memory":
        bytearray(4 << 30)  # fine without a limit (never touched), refused under one
