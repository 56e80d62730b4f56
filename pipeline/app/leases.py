"""A lease in the store, so that two processing runs (a crawl and a backfill, say) never decide
duplicates against the same index at once, even on different machines."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from newsmill.storage import KeyNotFound, Store

# Across machines we cannot see the holder; a lease this old is taken to be abandoned.
STALE_SECONDS = 7200.0


class LockBusy(RuntimeError):
    pass


def _alive_here(holder: dict[str, object]) -> bool | None:
    """True/False for a holder on this host (we can check its pid), None elsewhere."""
    if holder.get("host") != socket.gethostname():
        return None
    pid = holder.get("pid")
    return isinstance(pid, int) and pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (one we may not signal still exists).

    A zombie counts as dead: a killed process whose parent died too may wait a long time to be
    reaped (in a container, PID 1 often never reaps), yet it will never write again.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(") ", 1)[1][:1]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal check is all we have
    return state not in ("Z", "X")


def _stale(holder: dict[str, object]) -> bool:
    alive = _alive_here(holder)
    if alive is not None:
        return not alive
    at = holder.get("at")
    return not isinstance(at, (int, float)) or time.time() - at > STALE_SECONDS


@contextmanager
def store_lock(store: Store, name: str, owner: str, wait: float = 900.0) -> Iterator[None]:
    key = f"state/locks/{name}.lock"
    me = {"owner": owner, "host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}
    deadline = time.monotonic() + wait
    while not store.put_if_absent(key, json.dumps(me).encode()):
        try:
            holder = json.loads(store.get(key))
        except (KeyNotFound, ValueError):
            holder = {}
        if _stale(holder):
            # A holder that died (SIGKILL, lost machine) must not block the run that mends it.
            store.delete(key)
            continue
        if time.monotonic() > deadline:
            raise LockBusy(f"{name} is held by run {holder.get('owner')} on {holder.get('host')}")
        time.sleep(1.0)
    try:
        yield
    finally:
        store.delete(key)
