"""The Store protocol: the few operations every step needs from a local folder or a bucket."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, runtime_checkable


class StoreError(RuntimeError):
    """The store cannot do what was asked (unreachable, denied, misconfigured)."""


class KeyNotFound(StoreError, KeyError):
    def __str__(self) -> str:
        return f"no such key: {self.args[0]}"


class LeaseLost(StoreError):
    """A write that needs the store's lease was refused: the lease is no longer this run's
    (another run took it over while this one was stopped or cut off), or a newer lease has
    already written what this write would overwrite."""


@runtime_checkable
class Store(Protocol):
    uri: str

    def put(self, key: str, data: bytes) -> None:
        """Write atomically: readers see the old object or the new one, never a partial one."""

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Write only if nothing is at `key`; False if something already was."""

    def get_versioned(self, key: str) -> tuple[bytes, str]:
        """The object and its version: a tag that changes whenever the object is rewritten
        with other bytes (S3's ETag)."""

    def put_if_match(self, key: str, data: bytes, version: str | None) -> str | None:
        """Write only if the object is still at `version` (None: only if there is no object),
        as one atomic compare-and-swap; the new version, or None when the condition failed."""

    def put_file(self, key: str, path: str) -> None:
        """Upload a local file without reading it whole into memory."""

    def get(self, key: str) -> bytes: ...

    def get_file(self, key: str, path: str) -> None:
        """Download to a local file without holding it whole in memory."""

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix`, in lexical order."""

    def delete(self, key: str) -> None: ...

    def check(self) -> None:
        """Raise StoreError with a one-line reason if the store cannot be used."""


def publish(store: Store, files: Iterable[tuple[str, bytes]], commit: tuple[str, bytes]) -> None:
    """Write `files`, then the `commit` object last.

    Readers treat the commit object (a manifest) as the sign that a partition is complete, so it
    must only appear once every file it names is in place.
    """
    for key, data in files:
        store.put(key, data)
    store.put(*commit)


class Fence(Protocol):
    """Proof that the writer still holds the lease its writes depend on."""

    @property
    def token(self) -> int:
        """The lease's generation: larger for every later holder."""

    def check(self) -> None:
        """Raise LeaseLost unless the lease is still the writer's."""


# The lease held by the code running in this context (see pipeline.app.leases). Stores shared by
# many steps consult it rather than take it as an argument, so a lease taken by a job reaches
# the dedup index through callers that know nothing of it.
_FENCE: ContextVar[Fence | None] = ContextVar("newsmill_fence", default=None)


def current_fence() -> Fence | None:
    return _FENCE.get()


@contextmanager
def fenced(fence: Fence) -> Iterator[None]:
    """Make `fence` the current one for the code run inside the block."""
    token = _FENCE.set(fence)
    try:
        yield
    finally:
        _FENCE.reset(token)
