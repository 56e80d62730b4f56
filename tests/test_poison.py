"""A poison page (one whose extraction hangs, kills its worker, or eats memory) is quarantined
with the reason; the rest of the run is published, and the next run does not try it again."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run_cli
from helpers_raw import BASE, SITE, TOPICS, article_html, put_raw

from newsmill.storage.local import LocalStore

pytestmark = pytest.mark.timeout(180)

MARK = "poison-4c1d"
DAY = "2026-03-02"
RAW = f"raw/site={SITE}/date={DAY}/r1-00001.warc.gz"


def _store(root: Path) -> LocalStore:
    store = LocalStore(root)
    pages = [(BASE + slug, article_html(slug, lead)) for slug, lead in TOPICS]
    poisoned = (BASE + "poisoned", article_html("pier", TOPICS[0][1].replace("ferry", "pier"),
                                                extra=f"<!-- {MARK} -->"))
    pages.insert(1, poisoned)
    put_raw(store, RAW, pages)
    return store


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("hang", "extraction timed out after 10 s"),
        ("kill", "extraction worker died (signal SIGKILL)"),
        ("memory", "extraction ran out of memory"),
    ],
)
def test_a_poison_page_is_quarantined_and_the_run_goes_on(
    action: str, reason: str, tmp_path: Path
) -> None:
    store = _store(tmp_path / "store")
    env = {"NEWSMILL_TEST_POISON": f"{action}:{MARK}", "NEWSMILL_PAGE_TIMEOUT": "10",
           "NEWSMILL_WORKER_MEMORY_MB": "512", "NEWSMILL_WORKERS": "2"}

    t0 = time.monotonic()
    proc = run_cli("process", "--store", store.uri, "--json", env=env, timeout=120)

    assert proc.returncode == 0, proc.stderr[-3000:]
    assert time.monotonic() - t0 < 60
    quarantined = [json.loads(line) for key in store.list("quarantine/")
                   for line in store.get(key).splitlines()]
    assert [(q["url"], q["reason"]) for q in quarantined] == [(BASE + "poisoned", reason)]
    rows = pq.read_table(io.BytesIO(store.get(f"articles/site={SITE}/date={DAY}/r1-00001.parquet")))
    assert sorted(rows.column("url").to_pylist()) == sorted(BASE + slug for slug, _ in TOPICS)

    # The next run has nothing to do: the page is not retried (and would not hang it again).
    again = run_cli("process", "--store", store.uri, "--json", env=env, timeout=60)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["sites"] == {}
