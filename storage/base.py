"""The Store protocol: the few operations every step needs from a local folder or a bucket."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable


class StoreError(RuntimeError):
    """The store cannot do what was asked (unreachable, denied, misconfigured)."""


class KeyNotFound(StoreError, KeyError):
    def __str__(self) -> str:
        return f"no such key: {self.args[0]}"


@runtime_checkable
class Store(Protocol):
    uri: str

    def put(self, key: str, data: bytes) -> None:
        """Write atomically: readers see the old object or the new one, never a partial one."""

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Write only if nothing is at `key`; False if something already was."""

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
