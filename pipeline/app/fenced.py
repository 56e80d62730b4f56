"""A store whose every write first checks that the lease it is made under is still held.

Processing writes articles, quarantine files, done-markers and the dedup index under the
processing lease. A run that was stopped (SIGSTOP, a frozen VM) past the lease's stale time and
then resumed has lost the lease to another run; it must not write what it decided meanwhile.
The check is cheap while the lease was renewed lately and otherwise renews it first, so the
stale-holder case is caught on the first write after a resume. (A pause between the check and
the write itself is not caught here; the dedup index, where two writers would do lasting harm,
is fenced by its own conditional manifest write.)
"""

from __future__ import annotations

from collections.abc import Iterator

from newsmill.storage import Store
from newsmill.storage.base import Fence


class FencedStore:
    def __init__(self, store: Store, fence: Fence):
        self.inner = store
        self.fence = fence
        self.uri = store.uri

    # ---- writes: only while the lease is ours ----------------------------------------------

    def put(self, key: str, data: bytes) -> None:
        self.fence.check()
        self.inner.put(key, data)

    def put_if_absent(self, key: str, data: bytes) -> bool:
        self.fence.check()
        return self.inner.put_if_absent(key, data)

    def put_if_match(self, key: str, data: bytes, version: str | None) -> str | None:
        self.fence.check()
        return self.inner.put_if_match(key, data, version)

    def put_file(self, key: str, path: str) -> None:
        self.fence.check()
        self.inner.put_file(key, path)

    def delete(self, key: str) -> None:
        self.fence.check()
        self.inner.delete(key)

    # ---- reads -------------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def get_versioned(self, key: str) -> tuple[bytes, str]:
        return self.inner.get_versioned(key)

    def get_file(self, key: str, path: str) -> None:
        self.inner.get_file(key, path)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def list(self, prefix: str = "") -> Iterator[str]:
        return self.inner.list(prefix)

    def check(self) -> None:
        self.inner.check()
