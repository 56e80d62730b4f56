"""Processing split over machines: raw files extracted anywhere, then one single writer.

Extraction is most of processing's time and needs nothing but the raw file, so on a cluster it
runs as many tasks (Airflow mapped tasks on Celery workers), each over a batch of raw files:
`extract_files` writes each file's outcomes to `state/extracted/<raw key>.pickle.gz`. The
writer (`stored_outcomes` as the OutcomeSource of pipeline.app.process, under the processing
lease) then learns templates, decides duplicates and writes articles/ and quarantine/ in sorted
raw-key order, exactly as `newsmill process` on one machine does: which worker extracted a file,
or when, does not change a row. A file whose stored outcomes are missing (its task failed for
good) or unreadable is extracted by the writer itself.

The stored outcomes are the pipeline's own state, written and read by the same code version, so
they are pickled (the records and captures as they are, with the page bodies dropped).
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from newsmill.pipeline.app import process as proc
from newsmill.pipeline.app.extraction import Batch, Job, Outcome, OutcomeSource, extract_outcomes
from newsmill.pipeline.sites import Site
from newsmill.pipeline.warc import pending
from newsmill.storage import KeyNotFound, Store

log = logging.getLogger(__name__)

PREFIX = "state/extracted/"
DEFAULT_FILES_PER_BATCH = 2
# Airflow refuses to map a task over more than [core] max_map_length (1024) items; bigger
# backlogs get bigger batches instead.
MAX_BATCHES = 512


def extracted_key(raw_key: str) -> str:
    return f"{PREFIX}{raw_key}.pickle.gz"


def files_per_batch() -> int:
    """NEWSMILL_PROCESS_BATCH_FILES: raw files per extraction task (default 2)."""
    raw = os.environ.get("NEWSMILL_PROCESS_BATCH_FILES", "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_FILES_PER_BATCH
    except ValueError:
        raise ValueError(
            f"NEWSMILL_PROCESS_BATCH_FILES must be a whole number, got {raw!r}") from None


def plan(keys: Iterable[str], per_batch: int | None = None) -> list[list[str]]:
    """Sorted raw keys cut into batches of `per_batch` (more when there would be too many)."""
    ordered = sorted(set(keys))
    size = max(per_batch or files_per_batch(), math.ceil(len(ordered) / MAX_BATCHES))
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def extract_files(
    store: Store,
    keys: list[str],
    *,
    sites: dict[str, Site],
    again: bool = False,
    workers: int | None = None,
) -> dict[str, int]:
    """Extract the raw files `keys` and store each one's outcomes for the writer.

    A file already processed since it was planned is skipped, unless `again` (re-extraction).
    Rerunning it (a retried task) overwrites the same keys: nothing is decided here.
    """
    todo = [k for k in keys if again or not store.exists(pending.done_key(k))]
    counts = {"files": 0, "pages": 0, "skipped": len(keys) - len(todo)}
    if not todo:
        return counts
    pairs: list[tuple[Job, Outcome]] = []
    for job, outcome in extract_outcomes((proc.raw_batch(store, k) for k in todo), sites=sites,
                                         workers=workers):
        if job.capture is None and job.quarantine == "":  # end of one raw file
            store.put(extracted_key(job.batch.name), _dump(pairs))
            log.info("extracted %d page(s) of %s site=%s", len(pairs), job.batch.name,
                     job.batch.site)
            counts["files"] += 1
            counts["pages"] += len(pairs)
            pairs = []
            continue
        if job.capture is not None:
            job.capture.body = b""  # the writer needs the page's facts, not its bytes
        pairs.append((job, outcome))
    return counts


def stored_outcomes(store: Store, *, sites: dict[str, Site],
                    workers: int | None = None) -> OutcomeSource:
    """An OutcomeSource reading what `extract_files` stored, extracting here what is missing."""

    def source(batches: Iterable[Batch]) -> Iterator[tuple[Job, Outcome]]:
        for batch in batches:
            pairs = _load(store, batch.name)
            if pairs is None:
                log.info("no stored extraction of %s site=%s: extracting it here", batch.name,
                         batch.site)
                yield from extract_outcomes([batch], sites=sites, workers=workers)
                continue
            for job, outcome in pairs:
                job.batch = batch
                yield job, outcome
            yield Job(batch, None, quarantine=""), Outcome(None, "")

    return source


def discard(store: Store, keys: Iterable[str]) -> None:
    """Delete the stored outcomes of raw files the writer has processed."""
    for key in keys:
        store.delete(extracted_key(key))


def _dump(pairs: list[tuple[Job, Outcome]]) -> bytes:
    return gzip.compress(pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL), compresslevel=3)


def _load(store: Store, raw_key: str) -> list[tuple[Job, Outcome]] | None:
    try:
        data = store.get(extracted_key(raw_key))
    except KeyNotFound:
        return None
    try:
        pairs: Any = pickle.loads(gzip.decompress(data))
    except Exception as exc:  # written by another code version, or cut short
        log.warning("unreadable stored extraction of %s (%s): extracting it again", raw_key, exc)
        return None
    return pairs if isinstance(pairs, list) else None
