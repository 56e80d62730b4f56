"""Extraction of saved pages for `newsmill extract FILE... [--url URL]`: no store, no network.

Inputs are `.html` / `.htm` files, gzipped or not, and WARC files (`.warc`, `.warc.gz`; one
output per response record). Whether a file is gzipped or a WARC is decided by its content, so a
misnamed file still works. Every input produces output, in input order: a record
`{"input": FILE, **article.to_record()}` or `{"input": FILE, "error": reason}`; an unreadable or
corrupt file is an error object, never an exception.

For a plain HTML file the URL is `--url` when given, else the page's own canonical link or
og:url, else the file's `file://` URI; `fetched_at` is the file's modification time (the nearest
thing to a fetch time a saved file has), and the site is the URL's host. WARC records carry
their own URL, fetch time, site, source and hints, and `--url` does not apply to them.

More than a handful of pages are extracted in a process pool, with a bounded number of pages
in flight so memory does not grow with the number of inputs.
"""

from __future__ import annotations

import gzip
import itertools
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsmill.pipeline.app.pool import default_workers, ordered_map
from newsmill.pipeline.dedup.urls import host_of
from newsmill.pipeline.extract.load import MAX_BYTES, NoArticle, load_page
from newsmill.pipeline.extract.page import article_from_page
from newsmill.pipeline.warc.reader import ArchiveLoadFailed, iter_captures

# Saved pages were not found by the crawler; "link" is the closest of the record's sources.
SAVED_SOURCE = "link"
PROVENANCE_KEYS = ("title", "authors", "published_at")
# Up to this many pages run in this process: a pool costs more than it saves on a few pages.
HANDFUL = 4
IN_FLIGHT_PER_WORKER = 4

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class SavedPage:
    """One unit of work: a saved page's bytes and what is known about it, or a read error."""

    input: str
    body: bytes = b""
    url: str | None = None
    content_type: str | None = None
    fetched_at: str = ""
    site: str | None = None
    source: str = SAVED_SOURCE
    raw_ref: str = ""
    hints: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # HTTP response headers (WARC input)
    status: int = 200
    error: str | None = None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _open_bytes(path: Path) -> tuple[bytes, bool]:
    """(first bytes of the decompressed content, whether the file is gzipped)."""
    with path.open("rb") as fh:
        head = fh.read(2)
    if head == _GZIP_MAGIC:
        with gzip.open(path, "rb") as gz:
            return gz.read(16), True
    with path.open("rb") as fh:
        return fh.read(16), False


def _read_html(path: Path, gzipped: bool) -> bytes:
    if gzipped:
        with gzip.open(path, "rb") as gz:
            # Read one byte past the limit, never the whole of a decompression bomb.
            data = gz.read(MAX_BYTES + 1)
    else:
        if path.stat().st_size > MAX_BYTES:
            raise NoArticle(f"page too large: {path.stat().st_size} bytes (limit {MAX_BYTES})")
        data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise NoArticle(f"page too large: more than {MAX_BYTES} bytes")
    return data


def _warc_pages(path: Path, label: str) -> Iterator[SavedPage]:
    with path.open("rb") as stream:
        for cap in iter_captures(stream, label):
            yield SavedPage(
                input=label,
                body=cap.body,
                url=cap.url,
                content_type=cap.content_type,
                fetched_at=cap.fetched_at,
                site=cap.site,
                source=cap.source or SAVED_SOURCE,
                raw_ref=cap.raw_ref,
                hints=cap.hints,
                headers=cap.headers,
                status=cap.status,
            )


def _pages_of(path_like: str | os.PathLike[str], url: str | None) -> Iterator[SavedPage]:
    label = os.fspath(path_like)
    path = Path(label)
    try:
        head, gzipped = _open_bytes(path)
        if head.startswith(b"WARC/"):
            count = 0
            for page in _warc_pages(path, label):
                count += 1
                yield page
            if count == 0:
                yield SavedPage(input=label, error="no response records in WARC file")
            return
        body = _read_html(path, gzipped)
        yield SavedPage(
            input=label,
            body=body,
            url=url,
            fetched_at=_iso(path.stat().st_mtime),
            raw_ref=label,
        )
    except NoArticle as err:
        yield SavedPage(input=label, error=err.reason)
    except IsADirectoryError:
        yield SavedPage(input=label, error="is a directory")
    except FileNotFoundError:
        yield SavedPage(input=label, error="no such file")
    except PermissionError:
        yield SavedPage(input=label, error="permission denied")
    except (OSError, EOFError, zlib.error, ArchiveLoadFailed, ValueError) as err:
        yield SavedPage(input=label, error=f"unreadable file: {err}".strip())
    except Exception as err:  # noqa: BLE001 - warcio fails on garbage with arbitrary errors
        yield SavedPage(input=label, error=f"unreadable file: {type(err).__name__}: {err}")


def _page_url(page: SavedPage, declared: list[str | None]) -> str:
    if page.url:
        return page.url
    for candidate in declared:
        if candidate and candidate.strip().lower().startswith(("http://", "https://")):
            return candidate.strip()
    return Path(page.input).resolve().as_uri()


def extract_saved(page: SavedPage) -> dict[str, Any]:
    """One saved page -> its output object (runs in pool workers, so module-level)."""
    if page.error is not None:
        return {"input": page.input, "error": page.error}
    if not 200 <= page.status < 300:
        return {"input": page.input, "error": f"HTTP {page.status}"}
    try:
        loaded = load_page(page.body, page.content_type)
        url = _page_url(page, [loaded.meta.canonical, loaded.meta.og_url])
        article = article_from_page(
            loaded,
            url=url,
            site=page.site or host_of(url) or "local",
            fetched_at=page.fetched_at,
            source=page.source,
            raw_ref=page.raw_ref or page.input,
            hints=page.hints,
            headers=page.headers,
        )
    except NoArticle as err:
        return {"input": page.input, "error": err.reason}
    except Exception as err:  # noqa: BLE001 - one bad page must not end a batch of thousands
        return {"input": page.input, "error": f"extraction failed: {type(err).__name__}: {err}"}
    record = article.to_record()
    # Same shape as the published rows: every provenance key present, null when unknown.
    record["provenance"] = {k: article.provenance.get(k) for k in PROVENANCE_KEYS}
    return {"input": page.input, **record}


def iter_saved_pages(
    paths: Iterable[str | os.PathLike[str]],
    url: str | None = None,
    *,
    workers: int | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(input, output object) for every page in `paths`, in input order (see module docstring).

    `url` overrides the URL of plain HTML inputs. `workers` caps the process pool (default: the
    CPUs this process may use; 1 disables the pool).
    """
    pages = (page for path in paths for page in _pages_of(path, url))
    head: list[SavedPage] = []
    for page in pages:
        head.append(page)
        if len(head) > HANDFUL:
            break
    n_workers = default_workers() if workers is None else max(1, workers)
    if len(head) <= HANDFUL or n_workers == 1:
        for page in itertools.chain(head, pages):
            yield page.input, extract_saved(page)
        return

    # In worker processes with a time limit per page; a hung or killed worker fails its page.
    every_page = itertools.chain(head, pages)
    for page, output in ordered_map(extract_saved, every_page, on_failure=_failed,
                                    workers=n_workers, window=n_workers * IN_FLIGHT_PER_WORKER):
        yield page.input, output


def _failed(page: SavedPage, reason: str) -> dict[str, Any]:
    """A page whose worker ran out of time or died fails alone, not the run."""
    return {"input": page.input, "error": reason}
