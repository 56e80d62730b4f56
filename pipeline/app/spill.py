"""Extraction outcomes per raw file in local scratch files, handed from the thread that
extracts (in whatever order files arrive) to the single writer (which decides in key order).

On disk, not in memory: the writer may lag extraction by a whole crawl of the sites that sort
after the first, and memory must not grow with the crawl. The files are scratch: a crash loses
them, and the raw files they came from are still waiting for the next run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from newsmill.pipeline.app.extraction import Batch, Job, Outcome


class Spills:
    def __init__(self, parent: str | None = None):
        self.dir = tempfile.mkdtemp(prefix="newsmill-spill-", dir=parent)
        self._cond = threading.Condition()
        self._ready: set[str] = set()
        self._closed = False
        self._writing: tuple[str, IO[bytes]] | None = None

    def _path(self, name: str) -> str:
        return os.path.join(self.dir, hashlib.sha256(name.encode()).hexdigest() + ".pickle")

    def add(self, job: Job, outcome: Outcome) -> None:
        """Append one page's outcome (extraction thread); the batch's end makes it ready."""
        name = job.batch.name
        if self._writing is None or self._writing[0] != name:
            self._drop_partial()
            self._writing = (name, open(self._path(name), "wb"))  # noqa: SIM115 - kept open
        if job.capture is not None:
            job.capture.body = b""  # extracted: the writer needs the page's facts, not its HTML
        pickle.dump((job, outcome), self._writing[1], protocol=pickle.HIGHEST_PROTOCOL)
        if job.capture is None and job.quarantine == "":  # end of batch (extraction._jobs)
            self._writing[1].close()
            self._writing = None
            with self._cond:
                self._ready.add(name)
                self._cond.notify_all()

    def close(self) -> None:
        """No more outcomes will come (extraction ended, or failed)."""
        self._drop_partial()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_ready(self, name: str) -> bool:
        """Block until the batch's outcomes are all spilled (True) or none will come (False)."""
        with self._cond:
            while name not in self._ready and not self._closed:
                self._cond.wait()
            return name in self._ready

    def wait_change(self, timeout: float) -> None:
        with self._cond:
            self._cond.wait(timeout)

    def wake(self) -> None:
        """Something the writer waits on besides the spills changed (the feed's raw files)."""
        with self._cond:
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def read(self, batch: Batch) -> Iterator[tuple[Job, Outcome]]:
        """The batch's (job, outcome) pairs in extraction order; the file goes once read."""
        path = self._path(batch.name)
        try:
            with open(path, "rb") as fh:
                while True:
                    try:
                        job, outcome = pickle.load(fh)
                    except EOFError:
                        break
                    job.batch = batch
                    yield job, outcome
        finally:
            os.unlink(path)
            with self._cond:
                self._ready.discard(batch.name)

    def remove(self) -> None:
        self._drop_partial()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _drop_partial(self) -> None:
        # A batch whose end never came (extraction stopped mid-way) is not ready, and its
        # half-written file is of no use to anyone.
        if self._writing is not None:
            name, fh = self._writing
            fh.close()
            self._writing = None
            os.unlink(self._path(name))
