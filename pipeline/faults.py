"""Fault injection for tests of moments too short to hit from outside: NEWSMILL_FAULT names one
point, and the process dies or stops itself there. Never set in production."""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)


def _named(name: str) -> bool:
    return os.environ.get("NEWSMILL_FAULT") == name


def crash_point(name: str) -> None:
    """Die here, at once and without cleanup (as a SIGKILL would)."""
    if _named(name):
        log.error("NEWSMILL_FAULT=%s: dying here", name)
        os._exit(137)


def pause_point(name: str) -> None:
    """Stop here (SIGSTOP, as a frozen VM or a long GC pause would), the first time only: a
    test stopping the process from outside could catch it halfway through a write."""
    if _named(name):
        os.environ.pop("NEWSMILL_FAULT")
        log.error("NEWSMILL_FAULT=%s: stopping here", name)
        os.kill(os.getpid(), signal.SIGSTOP)
