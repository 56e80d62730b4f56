"""A lease in the store, so that two processing runs (a crawl and a backfill, say) never decide
duplicates against the same index at once, even on different machines.

The lease is one object, `state/locks/<name>.lock`, only ever changed by compare-and-swap
(`Store.put_if_match`: S3 `If-Match`/`If-None-Match`, a flock-guarded swap in a local folder):

- taking it creates the object, or replaces a released or stale one, conditional on the version
  that was read: of two waiters that both see a stale holder, exactly one wins;
- the holder renews it from a heartbeat thread every quarter of the stale time, conditional on
  the version it last wrote; a renewal that finds another version has lost the lease;
- it is stale when its version has not changed for the stale time by the waiter's own clock
  (no comparison of clocks across hosts), or at once when its holder is a dead process on this
  machine;
- release rewrites it as released, only if it is still the holder's; the object stays, so the
  generation keeps growing;
- the generation is the fencing token: every taking increases it, and writes that depend on the
  lease (the dedup index manifest) record it and refuse to go on under an older one.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from newsmill.storage import KeyNotFound, Store, StoreError
from newsmill.storage.base import LeaseLost, fenced

__all__ = [
    "Lease", "LeaseLost", "LockBusy", "pid_alive", "stale_seconds", "store_lock", "take_lease",
]

log = logging.getLogger(__name__)

# A lease not renewed for this long is taken to be abandoned. The heartbeat renews it four
# times as often, so only a holder that is stopped, hung or cut off from the store loses it.
DEFAULT_STALE_SECONDS = 300.0
# Writes under a lease last confirmed longer ago than this share of the stale time first renew
# it synchronously: a waiter cannot take it over before the whole stale time has passed.
CONFIRM_FRACTION = 0.5


class LockBusy(RuntimeError):
    pass


def stale_seconds() -> float:
    """NEWSMILL_LEASE_STALE_SECONDS, else five minutes."""
    raw = os.environ.get("NEWSMILL_LEASE_STALE_SECONDS", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_STALE_SECONDS
    except ValueError:
        value = DEFAULT_STALE_SECONDS
    return value if value > 0 else DEFAULT_STALE_SECONDS


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


def _read_link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


@cache
def _machine() -> dict[str, str]:
    """Where pids mean the same thing as here: host name, boot, pid namespace. Two containers
    sharing a host name (host networking) differ in the namespace, so neither judges the
    other's pids. NEWSMILL_LEASE_HOST overrides the name (a test poses as another host)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read().strip()
    except OSError:
        boot = ""
    host = os.environ.get("NEWSMILL_LEASE_HOST", "").strip() or socket.gethostname()
    return {"host": host, "boot": boot, "pidns": _read_link("/proc/self/ns/pid")}


def _dead_here(holder: dict[str, Any]) -> bool:
    here = _machine()
    if any(holder.get(k, "") != v for k, v in here.items()):
        return False
    pid = holder.get("pid")
    return isinstance(pid, int) and not pid_alive(pid)


class Lease:
    """A lease this process holds: renewed by a heartbeat thread until released."""

    def __init__(self, store: Store, key: str, owner: str, generation: int, stale: float):
        self.store = store
        self.key = key
        self.owner = owner
        self.generation = generation
        self.stale = stale
        self._version = ""
        self._beat = 0
        self._confirmed = 0.0  # monotonic time just before the write that last confirmed it
        self._lost: str | None = None
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def token(self) -> int:
        """The fencing token: the lease's generation."""
        return self.generation

    def record(self, state: str = "held", beat: int | None = None) -> bytes:
        body = {"owner": self.owner, **_machine(), "pid": os.getpid(), "state": state,
                "generation": self.generation, "beat": self._beat if beat is None else beat,
                "at": time.time()}
        return json.dumps(body).encode()

    def start(self, version: str, confirmed: float) -> None:
        self._version, self._confirmed = version, confirmed
        self._thread = threading.Thread(target=self._heartbeat, name=f"lease-{self.key}",
                                        daemon=True)
        self._thread.start()

    def check(self) -> None:
        """Raise LeaseLost unless the lease is still ours; renews first if not confirmed lately
        (a process resumed after a stop must not write on the strength of an old renewal)."""
        if self._lost:
            raise LeaseLost(self._lost)
        if time.monotonic() - self._confirmed >= self.stale * CONFIRM_FRACTION:
            self.renew()

    def renew(self) -> None:
        with self._mutex:
            if self._lost:
                raise LeaseLost(self._lost)
            t0 = time.monotonic()
            body = self.record(beat=self._beat + 1)
            try:
                version = self.store.put_if_match(self.key, body, self._version)
                if version is None:
                    version = _landed(self.store, self.key, body)
            except StoreError as exc:
                if t0 - self._confirmed < self.stale * CONFIRM_FRACTION:
                    raise
                # Unconfirmed for too long: another host may have taken it over by now.
                self._lose(f"could not renew it for {t0 - self._confirmed:.0f} s: {exc}")
                raise LeaseLost(self._lost) from exc
            if version is None:
                self._lose("another run took it over")
                raise LeaseLost(self._lost)
            self._version, self._beat, self._confirmed = version, self._beat + 1, t0

    def _lose(self, why: str) -> None:
        self._lost = f"lease {self.key} (generation {self.generation}) lost: {why}"
        log.error("%s owner=%s", self._lost, self.owner)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.stale / 4):
            try:
                self.renew()
            except LeaseLost:
                return
            except StoreError as exc:
                log.warning("lease %s owner=%s: renewal failed, will retry: %s", self.key,
                            self.owner, exc)

    def release(self) -> None:
        """Mark the lease released, only if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._mutex:
            if self._lost:
                return
            # From here on no write may count on it, whatever the store answers.
            self._lost = f"lease {self.key} (generation {self.generation}) was released"
            body = self.record(state="released")
            try:
                if (self.store.put_if_match(self.key, body, self._version) is None
                        and _landed(self.store, self.key, body) is None):
                    log.warning("lease %s owner=%s: taken over before release", self.key,
                                self.owner)
            except StoreError as exc:
                log.warning("lease %s owner=%s: not released (%s); it goes stale in %.0f s",
                            self.key, self.owner, exc, self.stale)


def _landed(store: Store, key: str, body: bytes) -> str | None:
    """The version of `body` if it is what `key` holds: a write whose reply was lost and whose
    retry then failed its own condition did land."""
    try:
        data, version = store.get_versioned(key)
    except KeyNotFound:
        return None
    return version if data == body else None


def _parse(data: bytes | None) -> dict[str, Any]:
    try:
        holder = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def take_lease(store: Store, name: str, owner: str, wait: float = 900.0) -> Lease:
    key = f"state/locks/{name}.lock"
    stale = stale_seconds()
    deadline = time.monotonic() + wait
    seen_version, seen_at = "", 0.0
    while True:
        try:
            data, version = store.get_versioned(key)
        except KeyNotFound:
            data, version = None, None
        holder = _parse(data)
        now = time.monotonic()
        if version is not None and version != seen_version:
            seen_version, seen_at = version, now
        released = holder.get("state") == "released"
        # A holder that died (SIGKILL, lost machine) must not block the run that mends it.
        if version is None or released or _dead_here(holder) or now - seen_at >= stale:
            prev = holder.get("generation")
            # Also above a wall-clock floor, so a lock object removed by hand cannot restart
            # the count below a token already recorded in the index.
            generation = max((prev if isinstance(prev, int) else 0) + 1, int(time.time() * 1000))
            lease = Lease(store, key, owner, generation, stale)
            body = lease.record()
            t0 = time.monotonic()
            won = store.put_if_match(key, body, version) or _landed(store, key, body)
            if won:
                if version is not None and not released:
                    log.warning("lease %s owner=%s: took over from run %s on %s (not renewed "
                                "for %.0f s)", key, owner, holder.get("owner"),
                                holder.get("host"), now - seen_at)
                lease.start(won, t0)
                return lease
            continue  # another waiter changed it first: look again
        if now > deadline:
            raise LockBusy(f"{name} is held by run {holder.get('owner')} on {holder.get('host')}")
        time.sleep(min(1.0, stale / 4))


@contextmanager
def store_lock(store: Store, name: str, owner: str, wait: float = 900.0) -> Iterator[Lease]:
    """Hold the lease `name` for the block; the block's stores see it as the current fence."""
    lease = take_lease(store, name, owner, wait)
    try:
        with fenced(lease):
            yield lease
    finally:
        lease.release()
