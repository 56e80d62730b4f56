"""The coverage report after a sitemap backfill: the same per-month accounting as the archive
sources (tests/test_backfill_warc.py, tests/test_wayback.py)."""

from __future__ import annotations

import json
from pathlib import Path

import helpers_backfill
from conftest import run_cli
from helpers_backfill import article_rows, in_range_archive

from newsmill.pipeline.demo.server import DemoServer

# Shared fixtures (pytest finds them by name in this module).
_one_worker = helpers_backfill._one_worker


def test_sitemap_backfill_processes_the_range_and_reports_coverage(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    first, last = "2019-02-01", "2019-08-31"
    store = str(tmp_path / "store")
    proc = run_cli("backfill", "--sites", str(sites_file), "--store", store, "--site", "gazette",
                   "--from", first, "--to", last, "--json", env={"NEWSMILL_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    wanted = in_range_archive(demo_server, first, last)
    # Processed by the backfill itself: the records are there without `newsmill process`.
    assert {r["canonical_url"] for r in article_rows(store)} == wanted
    cov = json.loads(proc.stdout)["coverage"]["gazette"]
    assert cov["source"] == "backfill-sitemap"
    assert cov["totals"]["ingested"] == len(wanted)
    assert cov["months"]["2019-03"]["ingested"] == 1
    assert cov["months"]["2019-07"]["ingested"] == 1
    assert cov["months"]["2019-05"]["found"] == 0
