"""Operator health, end to end: real crawls of the demo sites, real processing on several
ingestion days, then one site's markup loses its bylines.

Simulating days: the crawler dates a raw file by its fetch time, so each day's input is a real
crawl into a scratch store whose raw files (and the crawl's politeness figures) are then put
into that day's date partition of the shared store, named as that day's run; `newsmill process`
then processes them as it would any raw file, and the figures land under the partition's day.
Days one to five reuse one crawl of the unchanged sites; the last day (today) is a new crawl
after the Northern Ledger dropped its bylines. Nothing in the library knows it is being tested.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from newsmill.pipeline.app import jobs
from newsmill.pipeline.demo.model import Response
from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.health import keeping
from newsmill.pipeline.health.stats import SiteDayStats
from newsmill.pipeline.warc import pending
from newsmill.storage import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DAYS = 6
TODAY = datetime.now(UTC).date()
_RAW = re.compile(r"^raw/site=(?P<site>[^/]+)/date=[^/]+/(?P<stem>.+)\.warc\.gz$")
_BYLINE = (re.compile(rb'<meta name="author"[^>]*>\s*'), re.compile(rb'<p class="byline">.*?</p>'),
           re.compile(rb"<author>.*?</author>"))


class Redesign(DemoServer):
    """The demo sites, where a publisher named in `bylines_gone` has dropped its bylines (the
    visible one, the author meta tag and the feed's author) in a redesign."""

    bylines_gone: set[str] = set()

    def answer(self, publisher: str, path: str, query: str) -> Response:
        response = super().answer(publisher, path, query)
        if publisher not in self.bylines_gone:
            return response
        body = response.body
        for pattern in _BYLINE:
            body = pattern.sub(b"", body)
        return replace(response, body=body)


def day_run_id(day: str) -> str:
    return f"{day.replace('-', '')}T040000Z-{day[-2:]}0000"


def move_day(scratch: Store, store: Store, day: str, run_id: str | None) -> list[str]:
    """Put the scratch store's crawl into `day` of `store`, as the run `run_id` (None: keep)."""
    keys = []
    for key in scratch.list("raw/"):
        m = _RAW.match(key)
        assert m, key
        stem = m["stem"] if run_id is None else run_id + "-" + m["stem"].rsplit("-", 1)[1]
        new = f"raw/site={m['site']}/date={day}/{stem}.warc.gz"
        store.put(new, scratch.get(key))
        keys.append(new)
    for key in scratch.list(keeping.PREFIX):
        stats = SiteDayStats.from_json(json.loads(scratch.get(key)))
        stats.day, stats.runs = day, [run_id or stats.runs[0]]
        keeping.save(store, keeping.run_key(day, stats.site, stats.runs[0]), stats)
    pending.mark(store, keys)
    return keys


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Six days of the demo sites in one store; on the last, the ledger lost its bylines."""
    tmp = tmp_path_factory.mktemp("health")
    store_dir = tmp / "store"
    store = open_store(str(store_dir))
    days = [(TODAY - timedelta(days=DAYS - 1 - i)).isoformat() for i in range(DAYS)]
    with Redesign() as server:
        sites = server.write_sites_file(tmp / "sites.yaml")
        usual = open_store(str(tmp / "crawl-usual"))
        jobs.crawl(str(sites), usual.uri)
        Redesign.bylines_gone = {"ledger"}
        try:
            redesigned = open_store(str(tmp / "crawl-redesigned"))
            crawl = jobs.crawl(str(sites), redesigned.uri)
        finally:
            Redesign.bylines_gone = set()
    reports = []
    for day in days[:-1]:
        move_day(usual, store, day, day_run_id(day))
        reports.append(jobs.process(store.uri, sites_path=str(sites)))
    move_day(redesigned, store, days[-1], None)
    reports.append(jobs.process(store.uri, sites_path=str(sites)))
    return {"store": store, "dir": store_dir, "days": days, "crawl": crawl,
            "reports": reports, "sites": sites, "tmp": tmp}


def test_only_the_redesigned_site_is_flagged_with_the_field_and_the_day(history) -> None:
    today, run = history["days"][-1], history["crawl"].run_id
    last = history["reports"][-1]
    assert last.drift == [f"ledger: authors filled 100% -> 0% since {today} run {run}"]
    # The days before were processed without a flag: history builds up, nothing drifts.
    assert all(r.drift == [] for r in history["reports"][:-1])
    # The figures behind it were kept per day while processing, for both sites.
    day_one = keeping.load_site_day(history["store"], history["days"][0], "gazette")
    assert day_one is not None and day_one.total.records > 0
    assert day_one.total.fill_rate("authors") == 1.0
    assert day_one.total.crawl["requests"] > 0


def test_status_shows_the_drifting_site(history) -> None:
    proc = run_cli("status", "--store", str(history["dir"]))
    assert proc.returncode == 0, proc.stderr
    run = history["crawl"].run_id
    assert f"ledger: authors filled 100% -> 0% since {history['days'][-1]} run {run}" in (
        proc.stdout)
    assert "gazette: " not in proc.stdout.split("drifting sites")[1]
    proc = run_cli("status", "--store", str(history["dir"]), "--json")
    flags = json.loads(proc.stdout)["drift"]
    assert [(f["site"], f["figure"], f["since"]) for f in flags] == [
        ("ledger", "authors filled", history["days"][-1])]


def test_report_is_one_page_and_its_json(history) -> None:
    out = history["tmp"] / "report"
    proc = run_cli("report", "--store", str(history["dir"]), "--days", "7", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "health.json").read_text())
    assert data["summary"]["drifting"] == ["ledger"]
    assert [s["site"] for s in data["sites"]] == ["ledger", "gazette"]  # drifting first
    ledger = data["sites"][0]
    assert [d["fill"]["authors"] for d in ledger["daily"]] == [1.0] * (DAYS - 1) + [0.0]
    assert ledger["crawl"]["requests"] > 0 and ledger["crawl"]["status_2xx"] > 0
    html = (out / "index.html").read_text()
    # Self-contained: nothing for a browser to fetch from anywhere.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert html.count("<svg") == 4 * len(data["sites"])
    assert html.index("ledger: authors filled") < html.index('id="sites"')


def _chromium(args: list[str], profile: Path) -> tuple[str, str]:
    """Run headless Chromium to the end; kill its whole process group whatever happens."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
           *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == 0, err[-3000:]
    return out, err


def test_report_renders_in_headless_chromium(history, tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail("no /usr/bin/chromium: scripts/test.sh installs it (apt-get install chromium)")
    written = run_cli("report", "--store", str(history["dir"]))  # into the store, as the DAG
    assert written.returncode == 0, written.stderr
    page = history["dir"] / "reports" / f"date={history['days'][-1]}" / "index.html"
    url = page.as_uri()
    dom, err = _chromium(["--dump-dom", url], tmp_path / "profile-dom")
    assert "Uncaught" not in err, err
    assert "ledger: authors filled 100% -&gt; 0%" in dom or "ledger: authors filled 100% -> 0%" \
        in dom
    assert dom.count("<svg") == 8
    shot = tmp_path / "health-report.png"
    _, err = _chromium(["--window-size=1280,1500", f"--screenshot={shot}", url],
                       tmp_path / "profile-shot")
    assert "Uncaught" not in err, err
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("NEWSMILL_UPDATE_SCREENSHOT"):
        (ROOT / "docs" / "health-report.png").write_bytes(shot.read_bytes())

