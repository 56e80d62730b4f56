"""The dedup index's manifest, `state/dedup/manifest.json`: the live segments, written last.

Under a lease (storage.base.current_fence) the manifest also records the lease's fencing token,
and every write of it is a compare-and-swap on the version this run read or last wrote:

- a run that lost the lease while it was stopped finds, on resuming, the manifest rewritten by
  the run that took over, and its save is refused: no lost update either way, since whichever
  of the two saves second had decided against a manifest that is no longer current;
- a manifest already written under a newer token refuses an older one outright, at load too;
- segments carry the token in their names, and the orphans a save removes are only those of
  its own token or older, so a late writer never deletes a newer writer's segments.

The token is written with the first save, not on load, so that a run with nothing new writes
nothing to the index.

Without a lease (tests, tools working on a private copy) the manifest is written plainly and
keeps the token it had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from newsmill.pipeline.dedup.segments import SEGMENT_PREFIX, segment_token
from newsmill.storage import KeyNotFound, Store
from newsmill.storage.base import Fence, LeaseLost

PREFIX = "state/dedup/"
MANIFEST_KEY = PREFIX + "manifest.json"
LEGACY_KEY = PREFIX + "index.json"  # the first cut's single JSON file, migrated on load
FORMAT = 2


@dataclass
class Manifest:
    segments: list[str]  # segment keys, in row order
    rows: int = 0
    token: int = 0  # fencing token of the lease it was last written under; 0: none
    version: str | None = None  # the store's version as read or last written; None: absent

    @classmethod
    def read(cls, store: Store) -> Manifest:
        try:
            data, version = store.get_versioned(MANIFEST_KEY)
        except KeyNotFound:
            return cls([])
        body = json.loads(data)
        if body.get("format") != FORMAT:
            raise ValueError(f"{MANIFEST_KEY}: unknown format {body.get('format')!r}")
        return cls(list(body["segments"]), int(body.get("rows", 0)), int(body.get("token", 0)),
                   version)

    def _bytes(self, segments: list[str], rows: int, token: int) -> bytes:
        body = {"format": FORMAT, "rows": rows, "segments": segments, "token": token}
        return json.dumps(body, indent=1).encode()

    def refuse_older(self, fence: Fence) -> None:
        """LeaseLost if a newer lease than `fence` has written the manifest."""
        if self.token > fence.token:
            raise LeaseLost(f"{MANIFEST_KEY} was written under lease generation {self.token}, "
                            f"newer than this run's {fence.token}")

    def write(self, store: Store, segments: list[str], rows: int, fence: Fence | None) -> None:
        if fence is None:
            store.put(MANIFEST_KEY, self._bytes(segments, rows, self.token))
            self.segments, self.rows = segments, rows
            return
        self.refuse_older(fence)
        fence.check()
        data = self._bytes(segments, rows, fence.token)
        version = store.put_if_match(MANIFEST_KEY, data, self.version)
        if version is None:
            Manifest.read(store).refuse_older(fence)
            raise LeaseLost(f"{MANIFEST_KEY} was rewritten by another run since this one read "
                            f"it (lease generation {fence.token}): not saved")
        self.segments, self.rows, self.token, self.version = segments, rows, fence.token, version

    def remove_orphans(self, store: Store, fence: Fence | None) -> None:
        """Delete segments this manifest does not name, written under its token or older."""
        if fence is not None:
            fence.check()
        live = set(self.segments)
        for key in store.list(SEGMENT_PREFIX):
            if key not in live and segment_token(key) <= self.token:
                store.delete(key)
        if store.exists(LEGACY_KEY):  # migrated into the segments just written
            store.delete(LEGACY_KEY)
