"""Crash safety: `newsmill run` SIGKILLed during the fetch, the processing and the dump, then
run again, publishes exactly the dump of an uninterrupted run: same ids, no duplicates,
nothing missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_faults import (
    baseline,
    dump_rows,
    run,
    run_until,
    today,
    wait_no_crawl_children,
)

from storage import open_store

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

    code, killed, err = run_until(str(root), lambda: _any(root, pattern))

    assert killed, f"the run finished before the {point} kill point: {err[-2000:]}"
    assert code == -9
    # The crawl subprocess died with its parent: nothing goes on fetching behind the rerun.
    assert wait_no_crawl_children(str(root)) == []
    assert not _any(root, "dumps/**/manifest.json")
    if point == "process":
        # The dead run still holds the processing lease; its pid is gone, so the lease is
        # stale and the rerun takes it over instead of waiting.
        assert (root / "state/locks/process.lock").exists()

    proc = run(str(root))

    assert proc.returncode == 0, proc.stderr[-3000:]
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
