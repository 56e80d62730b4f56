"""The crawl subprocess's lifetime, tied to its caller's: output copied through as it comes,
a graceful stop then a kill past the deadline, and no orphan when the caller dies."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

# After the crawl's own timeout (CLOSESPIDER_TIMEOUT, a graceful close that still uploads the
# archive), how long the parent waits before interrupting, then killing, the subprocess.
CLOSE_GRACE = 120.0
KILL_GRACE = 30.0

# Set by the parent for the child: the PID whose death the child watches for.
PARENT_PID_ENV = "NEWSMILL_PARENT_PID"


def run_child(cmd: list[str], timeout: float | None) -> tuple[int, collections.deque[str]]:
    """Run the crawl process, copying its output to our stderr line by line; its exit status
    and its last 50 lines."""
    tail: collections.deque[str] = collections.deque(maxlen=50)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", PARENT_PID_ENV: str(os.getpid())}
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        errors="replace",
        preexec_fn=_pdeathsig(),  # noqa: PLW1509 - only a prctl call, no locks taken
    )

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line)
            # sys.stderr, not fd 2: callers (Airflow, pytest) may have replaced it.
            sys.stderr.write(line)
            sys.stderr.flush()

    reader = threading.Thread(target=pump, name="newsmill-crawl-output", daemon=True)
    reader.start()
    deadline = None if not timeout else timeout + CLOSE_GRACE
    try:
        proc.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        _stop(proc)
    except BaseException:
        _stop(proc)
        raise
    finally:
        reader.join(timeout=5)
    return proc.returncode, tail


def _stop(proc: subprocess.Popen[str]) -> None:
    # Scrapy closes gracefully on the first SIGINT (spiders close, archives upload).
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pdeathsig() -> Callable[[], None] | None:
    """A preexec function making the crawl child die when its parent dies, however it dies.

    A SIGKILLed `newsmill run` cannot stop its crawl; an orphaned crawl would go on fetching
    and uploading while the rerun crawls the same site. Linux delivers PR_SET_PDEATHSIG when
    the parent exits; elsewhere (or if the parent died before the child set it) the child's own
    watchdog (`watch_parent`) notices. libc and prctl are looked up here, in the parent: the
    forked child only makes the call, taking no lock another thread might have held.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    kill = int(signal.SIGKILL)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, kill, 0, 0, 0)

    return preexec


def watch_parent() -> None:
    """In the crawl process: exit at once when the parent that started it is gone (where
    PR_SET_PDEATHSIG is unavailable, or the parent died before it was set)."""
    parent = os.environ.get(PARENT_PID_ENV, "")
    if not parent.isdigit():
        return
    pid = int(parent)

    def watch() -> None:
        while True:
            if os.getppid() != pid:
                os._exit(137)
            time.sleep(0.5)

    threading.Thread(target=watch, name="newsmill-parent-watch", daemon=True).start()
