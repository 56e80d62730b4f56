"""Recovering the WARC files a killed crawl left on disk, so nothing it fetched is lost.

The archive writes to local files named `newsmill-<site>--<run>--p<pid>-*.warc.gz` and uploads
them as they roll. A crawl killed before an upload leaves its files behind; the next crawl of
the site into the same store uploads their complete records under the dead crawl's run id (once
that process is gone) and announces them like any upload, so the ledger learns what was fetched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from newsmill.pipeline.app.leases import pid_alive
from newsmill.pipeline.warc import pending
from newsmill.pipeline.warc.reader import WarcReader
from newsmill.pipeline.warc.records import H_KIND, KIND_ARTICLE
from newsmill.pipeline.warc.writer import free_raw_key
from newsmill.spiders.archive.signals import LedgerEntry, newest
from newsmill.storage import Store, StoreError

log = logging.getLogger(__name__)

TMP_PREFIX = "newsmill-"
_ORPHAN = re.compile(r"^newsmill-(?P<site>[a-z0-9_-]+)--(?P<run>[^/]+?)--p(?P<pid>\d+)-")


def file_prefix(site: str, run_id: str) -> str:
    """The name prefix of this process's local WARC files: it says whose file it is (site,
    run, process), so that a later crawl can tell an orphan (its process is dead) from a file
    still being written."""
    return f"{TMP_PREFIX}{site}--{run_id}--p{os.getpid()}-"


def orphans(folder: str, site: str) -> list[tuple[str, str]]:
    """(path, run id) of `site`'s local WARC files in `folder` whose crawl process is gone."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        m = _ORPHAN.match(name)
        if not m or m["site"] != site or not name.endswith(".warc.gz"):
            continue
        if pid_alive(int(m["pid"])):
            continue
        out.append((os.path.join(folder, name), m["run"]))
    return out


@dataclass
class Salvage:
    """The whole records at the head of a damaged file."""

    end: int = 0  # where the last whole record ends
    day: str = ""  # UTC date of the first record
    responses: int = 0
    entries: list[LedgerEntry] = field(default_factory=list)  # its 2xx articles


def salvage(path: str) -> Salvage:
    """Read `path` up to its first damaged record. A killed writer leaves a last gzip member
    half-written; every member before it is a whole record."""
    found = Salvage()
    with open(path, "rb") as fh:
        reader = WarcReader(fh)
        try:
            for rec in reader:
                rec.body()
                if reader.finish(rec).truncated or rec.end is None:
                    break  # cut off by the kill
                date = rec.header("WARC-Date") or ""
                found.day = found.day or date[:10]
                if rec.type == "response":
                    found.responses += 1
                    status, _, _ = rec.http()
                    if rec.header(H_KIND) == KIND_ARTICLE and 200 <= status < 300:
                        found.entries.append(
                            LedgerEntry(rec.target, rec.fetched_at, newest(rec.hints)))
                found.end = rec.end
        except Exception as exc:  # warcio's errors on a damaged tail come in many types
            log.info("orphaned WARC %s: damaged after byte %d: %s", path, found.end, exc)
    return found


def _copy_head(path: str, end: int) -> str:
    fd, tmp = tempfile.mkstemp(suffix=".warc.gz", dir=os.path.dirname(path))
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        left = end
        while left > 0:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
    return tmp


def recover(store: Store, site: str, folder: str,
            announce: Callable[[str, list[LedgerEntry]], None]) -> None:
    """Upload the whole records of `site`'s orphaned files in `folder` under their crawl's run
    id, then `announce(key, entries)`; files that hold no whole response are removed."""
    for path, run_id in orphans(folder, site):
        try:
            found = salvage(path)
        except OSError as exc:
            log.error("[%s] cannot read orphaned WARC %s: %s", site, path, exc)
            continue
        if not found.responses or not found.day:
            log.info("[%s] orphaned WARC %s holds no complete response; removed", site, path)
            with contextlib.suppress(OSError):
                os.unlink(path)
            continue
        tmp = _copy_head(path, found.end)
        _, key = free_raw_key(store, site, found.day, run_id, 0)
        try:
            store.put_file(key, tmp)
            pending.mark(store, [key])
        except StoreError as exc:
            log.error("[%s] could not upload orphaned WARC %s, kept: %s", site, path, exc)
            continue
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        with contextlib.suppress(OSError):
            os.unlink(path)
        log.warning("[%s] recovered %d responses a killed crawl left in %s, to %s",
                    site, found.responses, path, key)
        announce(key, found.entries)
