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
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def run_child(cmd: list[str], timeout: float | None,
              on_spawn: Callable[[], None] | None = None) -> tuple[int, collections.deque[str]]:
    """Run the crawl process, copying its output to our stderr line by line; its exit status
    and its last 50 lines. `on_spawn` is called once the process has started: from then on the
    caller may fork (see pipeline.app.overlap)."""
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
    )
    if on_spawn is not None:
        on_spawn()

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


def watch_parent() -> None:
    """In the crawl process: die when the parent that started it is gone.

    A SIGKILLed `newsmill run` cannot stop its crawl; an orphaned crawl would go on fetching
    and uploading while the rerun crawls the same site. On Linux the kernel is asked to kill
    this process when its parent goes (PR_SET_PDEATHSIG); elsewhere a thread polls the parent
    pid. The request is made here, after exec, not in a `preexec_fn`: Python code between
    fork and exec is unsafe in a parent with threads, and it forces a slow plain fork where
    Popen otherwise uses vfork.
    """
    parent = os.environ.get(PARENT_PID_ENV, "")
    if not parent.isdigit():
        return
    pid = int(parent)
    if not _ask_kernel_to_kill_us():
        threading.Thread(target=_poll_parent, args=(pid,), name="newsmill-parent-watch",
                         daemon=True).start()
    # The parent may have died before the request took effect: then no signal comes.
    if os.getppid() != pid:
        os._exit(137)


def _ask_kernel_to_kill_us() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _poll_parent(pid: int) -> None:
    while os.getppid() == pid:
        time.sleep(0.5)
    os._exit(137)
