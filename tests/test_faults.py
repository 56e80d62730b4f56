"""Crash safety: `newsmill run` SIGKILLed during the fetch, the processing and the dump, then
run again, publishes exactly the dump of an uninterrupted run: same ids, no duplicates,
nothing missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_faults import (
    baseline,
    descendants,
    dump_rows,
    run,
    run_until,
    today,
    wait_gone,
    wait_no_crawl_children,
)

from newsmill.storage import open_store

pytestmark = pytest.mark.timeout(240)


def _any(root: Path, pattern: str) -> bool:
    return any(root.glob(pattern))


@pytest.mark.parametrize("point", ["fetch", "process"])
def test_kill_and_rerun_gives_the_uninterrupted_dump(point: str, tmp_path: Path) -> None:
    expected = baseline()
    root = tmp_path / "store"
    # fetch: the first WARC file is in the store, the crawl is still going;
    # process: the first articles partition is written, the rest is not.
    pattern = "raw/**/*.warc.gz" if point == "fetch" else "articles/**/*.parquet"

    # The crawl's local WARC files in a known folder, to see what the kill leaves behind.
    warcs = tmp_path / "warc"
    env = {"NEWSMILL_CRAWL_SETTINGS": json.dumps(
        {"NEWSMILL_ARCHIVE_ROLL_RECORDS": 3, "NEWSMILL_ARCHIVE_TMPDIR": str(warcs)})}

    children: set[tuple[int, str]] = set()
    code, killed, err = run_until(str(root), lambda: _any(root, pattern), env=env,
                                  before_kill=lambda pid: children.update(descendants(pid)))

    assert killed, f"the run finished before the {point} kill point: {err[-2000:]}"
    assert code == -9
    if point == "process":
        assert children, "no extraction worker was running at the kill"
    # Its extraction workers (and anything else it started) died with it.
    assert wait_gone(children) == set()
    # The crawl subprocess died with its parent: nothing goes on fetching behind the rerun.
    assert wait_no_crawl_children(str(root)) == []
    assert not _any(root, "dumps/**/manifest.json")
    if point == "process":
        # The dead run still holds the processing lease; its pid is gone, so the lease is
        # stale and the rerun takes it over instead of waiting.
        assert (root / "state/locks/process.lock").exists()

    proc = run(str(root), env=env)

    assert proc.returncode == 0, proc.stderr[-3000:]
    # Whatever the killed crawl had fetched but not uploaded was recovered (or held nothing
    # whole): no local WARC file is left.
    assert not list(warcs.glob("newsmill-*")), proc.stderr[-2000:]
    rows = dump_rows(open_store(str(root)))
    assert len(rows) == len({r[0] for r in rows}), "duplicate records"
    assert set(rows) == expected


def test_kill_during_dump_then_rerun(tmp_path: Path) -> None:
    """Killed between the dump's files and its manifest: readers see no partition (files
    without a manifest are not published), and the next run publishes it, complete."""
    expected = baseline()
    root = tmp_path / "store"

    code, killed, err = run_until(str(root), lambda: False,
                                  env={"NEWSMILL_FAULT": "dump-before-manifest"})

    assert not killed and code == 137, err[-2000:]
    part = root / f"dumps/date={today()}"
    assert (part / "articles.parquet").exists() and not (part / "manifest.json").exists()
    proc = run(str(root))

    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = dump_rows(open_store(str(root)))
    assert len(rows) == len({r[0] for r in rows})
    assert set(rows) == expected


def test_a_killed_crawls_local_warc_is_recovered(tmp_path: Path) -> None:
    """What a killed crawl fetched but had not uploaded yet is on local disk: the next crawl
    of the site into the same store uploads its complete records under the killed run's id
    and tells the ledger, so those pages are neither lost nor fetched again."""
    import io
    import subprocess

    from helpers_faults import demo, sites_file
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from newsmill.spiders.archive.ledger import Ledger
    from newsmill.spiders.runner.crawl import run_crawl

    url = demo().base_url("ledger") + "/news/999-recovered-story.html"
    dead = subprocess.Popen(["true"])
    dead.wait()
    warcs = tmp_path / "warc"
    warcs.mkdir()
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    for target in (url, url + "?cut"):
        body = b"<html><body><p>Recovered.</p></body></html>"
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            target, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"Newsmill-Site": "ledger", "Newsmill-Kind": "article",
                               "Newsmill-Source": "feed"}))
    data = buf.getvalue()
    orphan = warcs / f"newsmill-ledger--killedrun--p{dead.pid}-x1.warc.gz"
    orphan.write_bytes(data[: len(data) - 40])  # the second record cut off by the kill

    store = open_store(str(tmp_path / "store"))
    run_crawl(str(sites_file()), ["ledger"], store.uri, "next-run",
              settings={"NEWSMILL_ARCHIVE_TMPDIR": str(warcs)})

    assert not orphan.exists()
    keys = [k for k in store.list("raw/site=ledger/") if "/killedrun-" in k]
    assert len(keys) == 1
    assert url in Ledger.load(store, "ledger") and url + "?cut" not in Ledger.load(store, "ledger")
