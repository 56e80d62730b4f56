"""One WARC file of a backfill, read once from its resume point, as consecutive slices.

A file is cut into slices of SLICE_RECORDS records or SLICE_BYTES bytes, whichever comes first,
each slice a processing Batch with deterministic outputs, and its extent and completion kept in
the store (see pipeline.backfill.warc for the keys), so a rerun seeks straight to the first
slice not done for its range.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from newsmill.pipeline.app.process import Batch
from newsmill.pipeline.backfill.coverage import PageTracker, SiteCoverage, day_of
from newsmill.pipeline.backfill.http import MAX_BODY, Refused
from newsmill.pipeline.backfill.sources import ResumableStream, SourceError, Sources
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc.reader import WarcReader, WarcRecord
from newsmill.pipeline.warc.records import KIND_ARTICLE, Capture
from newsmill.storage import Store

log = logging.getLogger(__name__)

SOURCE = "backfill-warc"
SLICE_RECORDS = 2000
SLICE_BYTES = 64 * 1024 * 1024
STATE = "state/backfill-warc"


def file_digest(uri: str) -> str:
    return hashlib.sha1(uri.encode("utf-8")).hexdigest()



@dataclass
class FileState:
    """What the store says about one (site, file): its ingestion date, slices, what is done."""

    prefix: str
    day: str
    slices: dict[int, tuple[int, int]] = field(default_factory=dict)  # n -> (start, end)
    done: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # n -> ranges done

    @classmethod
    def load(cls, store: Store, site: str, uri: str, today: str) -> FileState:
        prefix = f"{STATE}/site={site}/{file_digest(uri)}/"
        store.put_if_absent(prefix + "date", today.encode())
        day = store.get(prefix + "date").decode().strip() or today
        state = cls(prefix=prefix, day=day)
        for key in store.list(prefix):
            rest = key[len(prefix):]
            if rest.startswith("slice-") and rest.endswith(".json"):
                info = json.loads(store.get(key))
                state.slices[int(rest[6:-5])] = (int(info["start"]), int(info["end"]))
            elif rest.startswith("done/"):
                _, span, n = rest.split("/")
                first, _, last = span.partition("_")
                state.done.setdefault(int(n), set()).add((first, last))
        return state

    def slice_key(self, n: int) -> str:
        return f"{self.prefix}slice-{n:06d}.json"

    def done_key(self, n: int, date_from: str, date_to: str) -> str:
        return f"{self.prefix}done/{date_from}_{date_to}/{n:06d}"

    def resume_point(self, span: tuple[str, str]) -> tuple[int, int]:
        """(first slice not done for `span`, its start offset), jumping over the done prefix."""
        n, offset = 0, 0
        while span in self.done.get(n, set()) and n in self.slices:
            offset = self.slices[n][1]
            n += 1
        return n, offset


@dataclass
class WarcContext:
    store: Store
    site: Site
    date_from: date
    date_to: date
    sources: Sources
    coverage: SiteCoverage
    # Read when the context is made (not at import), so tests can make slices small.
    slice_records: int = field(default_factory=lambda: SLICE_RECORDS)
    slice_bytes: int = field(default_factory=lambda: SLICE_BYTES)


class WarcFileReader:
    """One file, read once from its resume point, handed out as consecutive slice Batches."""

    def __init__(self, ctx: WarcContext, uri: str, state: FileState, tracker: PageTracker):
        self.ctx, self.uri, self.state, self.tracker = ctx, uri, state, tracker
        self.span = (ctx.date_from.isoformat(), ctx.date_to.isoformat())
        self.n, self.offset = state.resume_point(self.span)
        self.skipped_slices = self.n
        self.stream: ResumableStream | None = None
        self.reader: WarcReader | None = None
        self.exhausted = False
        self.error: str | None = None  # the file could not be read to its end (retry later)
        self.articles_keys: list[str] = []
        self.slices_read = 0

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    def batches(self, deadline: float) -> Iterator[Batch]:
        """Slices from the current position until the file ends or `deadline` passes."""
        first = True  # at least one slice per call, however short the time given
        while not self.exhausted and self.error is None and (
            first or time.monotonic() < deadline
        ):
            first = False
            n = self.n
            if self.span in self.state.done.get(n, set()):
                # Done, but not in the prefix a seek could jump over: read through it. No Batch:
                # an empty batch would delete the records the slice already published.
                for _ in self._captures(n, skip=True):
                    pass
                self.skipped_slices += 1
            else:
                yield self._batch(n)
            self.n += 1

    def _batch(self, n: int) -> Batch:
        tag = f"bf-{file_digest(self.uri)[:12]}-{n:05d}"
        site, day = self.ctx.site.name, self.state.day
        # Ranges done earlier for this slice: their records are rewritten with the slice.
        earlier = tuple(r for r in self.state.done.get(n, set()) if r != self.span)
        tracker = self.tracker

        def keep(cap: Capture, article: Any) -> bool:
            return tracker.keep(cap, article, earlier)

        batch = Batch(
            name=f"{self.uri} slice {n}",
            site=site,
            date=day,
            articles_key=f"articles/site={site}/date={day}/{tag}.parquet",
            quarantine_key=f"quarantine/date={day}/{site}-{tag}.jsonl",
            captures=lambda: self._captures(n, skip=False),
            done_key=self.state.done_key(n, *self.span),
            keep=keep,
        )
        self.articles_keys.append(batch.articles_key)
        return batch

    def _next_record(self) -> WarcRecord | None:
        if self.reader is None:
            self.stream = self.ctx.sources.open(self.uri, self.offset)
            self.reader = WarcReader(self.stream, arc=True)
        return self.reader.next()

    def _captures(self, n: int, skip: bool) -> Iterator[Capture]:
        """The candidate pages of slice `n`; the slice ends at the size limits."""
        ctx, cov = self.ctx, self.ctx.coverage
        start = self.offset
        count = 0
        while True:
            try:
                rec = self._next_record()
            except (SourceError, Refused) as exc:
                # Could not reach or keep reading the file: stop here, mark nothing, so a
                # rerun starts again from this slice.
                self._fail(str(exc))
                return
            except Exception as exc:
                # Not a WARC past this point: what was read stays, the rest is reported (and
                # quarantined as corrupt input by process_batches).
                self.exhausted = True
                self._save_slice(n, start, self.offset, count)
                cov.errors.append(f"{self.uri}: unreadable at byte {self.offset}: {exc}")
                raise SourceError(f"unreadable at byte {self.offset}: {exc}") from exc
            if rec is None:
                self.exhausted = True
                break
            assert self.reader is not None
            count += 1
            capture = None if skip else self._candidate(rec)
            try:
                self.reader.finish(rec)
            except (SourceError, Refused) as exc:
                self._fail(str(exc))
                return
            assert rec.end is not None
            self.offset = rec.end  # where the next record starts
            if rec.truncated:
                # The file ended inside this record (an interrupted download or copy).
                self.exhausted = True
                self._save_slice(n, start, self.offset, count)
                msg = f"truncated record at byte {rec.offset} ({rec.target or rec.type})"
                log.warning("%s: %s site=%s", self.uri, msg, ctx.site.name)
                cov.errors.append(f"{self.uri}: {msg}")
                if capture is not None:
                    day = day_of(capture.fetched_at)
                    if day is not None and cov.in_range(day):
                        cov.count(day, "quarantined")
                    raise SourceError(msg)  # quarantined by process_batches; the rest is kept
                return
            if capture is not None:
                yield capture
            if count >= ctx.slice_records or self.offset - start >= ctx.slice_bytes:
                break
        self._save_slice(n, start, self.offset, count)

    def _fail(self, message: str) -> None:
        self.error = message
        log.error("backfill-warc: %s site=%s", message, self.ctx.site.name)

    def _save_slice(self, n: int, start: int, end: int, count: int) -> None:
        self.state.slices[n] = (start, end)
        self.slices_read += 1
        info = {"file": self.uri, "start": start, "end": end, "records": count}
        self.ctx.store.put(self.state.slice_key(n), json.dumps(info).encode())

    def _candidate(self, rec: WarcRecord) -> Capture | None:
        cov, site, offset = self.ctx.coverage, self.ctx.site, rec.offset
        if rec.type != "response":
            if rec.type == "revisit":
                cov.skip("revisit records")
            return None
        url = rec.target
        host = (urlsplit(url).hostname or "").lower()
        if not site.owns_host(host):
            cov.skip("other sites")
            return None
        if not site.is_article_url(url):
            cov.skip("not article URLs")
            return None
        status, content_type, headers = rec.http()
        if not 200 <= status < 300:
            cov.skip(f"HTTP {status}")
            return None
        fetched_at = rec.fetched_at
        try:
            body = rec.body(MAX_BODY + 1)
        except Exception as exc:  # a body that will not decode (bad gzip, bad chunking)
            day = day_of(fetched_at)
            if day is not None and cov.in_range(day):
                cov.count(day, "quarantined")
            cov.errors.append(f"{url}: body unreadable at {self.uri}#{offset}: {exc}")
            log.warning("unreadable body url=%s site=%s at %s#%d: %s", url, site.name,
                        self.uri, offset, exc)
            return None
        return Capture(
            url=url,
            status=status,
            content_type=content_type,
            body=body,
            fetched_at=fetched_at,
            site=site.name,
            source=SOURCE,
            kind=KIND_ARTICLE,
            raw_ref=f"{self.uri}#{offset}",
            headers=headers,
        )

