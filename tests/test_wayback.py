"""`newsmill backfill --source wayback` against a local CDX + replay server (tests/fake_wayback)
that answers like the Wayback Machine, with some lost (404) and failing (5xx) captures."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import helpers_backfill
import pytest
from conftest import run_cli
from fake_wayback import Capture, FakeWayback
from helpers_backfill import article_rows, fetch, in_range_archive
from warcio.archiveiterator import ArchiveIterator

from newsmill.pipeline.app import jobs
from newsmill.pipeline.backfill.cdx import parse_cdx_json
from newsmill.pipeline.backfill.http import HTTPClient, NetworkGuard, Refused
from newsmill.pipeline.demo.server import DemoServer
from newsmill.storage import open_store

FROM, TO = "2019-02-01", "2019-08-31"

# Shared fixtures (pytest finds them by name in this module).
_one_worker = helpers_backfill._one_worker


def wayback_captures(demo: DemoServer) -> list[Capture]:
    """The gazette's archive stories as the archive holds them, plus what a real CDX index has
    around them: repeat captures, non-HTML, non-200, non-article pages, lost captures."""
    arch = {a.published_at[:10]: a for a in demo.catalogue() if a.archive}
    g = demo.base_url("gazette")

    def page(day: str) -> tuple[str, bytes]:
        url = arch[day].canonical_url
        return url, fetch(url)

    u314, b314 = page("2019-03-14")
    u720, b720 = page("2019-07-20")
    u128, b128 = page("2019-01-28")
    u1102, b1102 = page("2019-11-02")
    return [
        Capture("20190315080000", u314, b314),
        Capture("20190601080000", u314, b314),  # collapsed away
        Capture("20190721090000", u720, b720, replay="flaky"),  # 503 once, then served
        Capture("20190205100000", u128, b128),  # captured in range, published before it
        Capture("20191103100000", u1102, b1102),  # captured after the range: not listed
        Capture("20190501000000", g + "/", b"<html>home</html>"),  # not an article URL
        Capture("20190502000000", g + "/2019/05/01/image.jpg", b"x", mimetype="image/jpeg"),
        Capture("20190503000000", g + "/2019/05/02/moved/", b"", statuscode="301"),
        Capture("20190403000000", g + "/2019/04/02/lost-story/", b"", replay="404"),
        Capture("20190506000000", g + "/2019/05/05/broken-story/", b"", replay="503"),
        # Another site on the same archive: never asked for.
        Capture("20190310000000", demo.catalogue()[1].canonical_url, b"<html>l</html>"),
    ]


@pytest.fixture
def fake(demo_server: DemoServer) -> Iterator[FakeWayback]:
    server = FakeWayback(wayback_captures(demo_server)).start()
    try:
        yield server
    finally:
        server.stop()


def expected(demo: DemoServer) -> set[str]:
    return in_range_archive(demo, FROM, TO)


def backfill(sites: Path, store: str, fake: FakeWayback) -> jobs.RunReport:
    return jobs.backfill(str(sites), store, site="gazette", date_from=date.fromisoformat(FROM),
                         date_to=date.fromisoformat(TO), source="wayback",
                         cdx_url=fake.cdx_url, replay_url=fake.replay_url)


def test_wayback_backfill_ingests_the_range_reports_failures_and_coverage(
    demo_server: DemoServer, sites_file: Path, fake: FakeWayback, tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    report = backfill(sites_file, store, fake)
    assert report.ok, report.failures

    rows = article_rows(store)
    assert {r["canonical_url"] for r in rows} == expected(demo_server)
    assert len(rows) == len(expected(demo_server))
    assert {r["source"] for r in rows} == {"backfill-wayback"}
    assert all(r["raw_ref"].startswith("raw/site=gazette/") for r in rows)

    # The CDX was paged with resume keys and asked for exactly what the issue lists.
    cdx = fake.cdx_requests()
    assert len(cdx) >= 2 and any("resumeKey=" in r for r in cdx)
    for needle in ("output=json", "from=20190201", "to=20190831", "filter=statuscode%3A200",
                   "filter=mimetype%3Atext%2Fhtml", "collapse=urlkey", "showResumeKey=true"):
        assert needle in cdx[0], (needle, cdx[0])
    # Only article captures were replayed, in the id_ form; the flaky one twice.
    replays = fake.replay_requests()
    assert all("id_/" in r for r in replays)
    assert not any(r.endswith(demo_server.base_url("gazette") + "/") for r in replays)

    # Archived to raw/ as request + response pairs with the original URL as the target.
    store_ = open_store(store)
    raw = list(store_.list("raw/"))
    assert len(raw) == 1 and f"{report.run_id}-wb-" in raw[0]
    records = list(ArchiveIterator(io.BytesIO(store_.get(raw[0]))))
    responses = [r for r in records if r.rec_type == "response"]
    assert len([r for r in records if r.rec_type == "request"]) == len(responses) == 3
    for r in responses:
        assert r.rec_headers.get_header("Newsmill-Source") == "backfill-wayback"
        assert r.rec_headers.get_header("Newsmill-Kind") == "article"
        assert r.rec_headers.get_header("WARC-Target-URI").startswith(
            demo_server.base_url("gazette"))
        assert "id_/" in r.rec_headers.get_header("Newsmill-Replay-URL")

    cov = report.coverage["gazette"]
    months = cov["months"]
    assert months["2019-03"]["ingested"] == 1 and months["2019-07"]["ingested"] == 1
    assert months["2019-04"]["failed"] == 1 and months["2019-05"]["failed"] == 1
    assert months["2019-02"]["found"] == 0  # its one capture was published in January
    assert cov["out_of_range"] == 1
    assert cov["totals"] == {"found": 4, "ingested": 2, "duplicates": 0, "unchanged": 0,
                             "quarantined": 0, "failed": 2}
    assert cov["skipped"] == {"not article URLs": 1}
    errors = " ".join(cov["errors"])
    assert "lost-story" in errors and "HTTP 404" in errors
    assert "broken-story" in errors and "HTTP 503" in errors
    assert report.sites["gazette"].errors  # the failures are in the run report too
    # Only the 503 may pass; the 404 will be the same next time.
    assert report.sites["gazette"].retryable == 1
    saved = json.loads(store_.get(f"runs/{report.run_id}.json"))
    assert saved["coverage"]["gazette"]["totals"]["failed"] == 2

    # Again: nothing is fetched that was archived before; only the failures are retried.
    before = len(fake.replay_requests())
    again = backfill(sites_file, store, fake)
    assert again.ok
    retried = fake.replay_requests()[before:]
    assert retried and all("lost-story" in r or "broken-story" in r for r in retried)
    assert again.coverage["gazette"]["totals"]["ingested"] == 0
    assert len(article_rows(store)) == len(rows)


def test_cli_prints_coverage_and_uses_the_env_urls(
    demo_server: DemoServer, sites_file: Path, fake: FakeWayback, tmp_path: Path
) -> None:
    proc = run_cli("backfill", "--sites", str(sites_file), "--store", str(tmp_path / "s"),
                   "--site", "gazette", "--from", FROM, "--to", TO, "--source", "wayback",
                   env={"NEWSMILL_CDX_URL": fake.cdx_url, "NEWSMILL_REPLAY_URL": fake.replay_url,
                        "NEWSMILL_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "coverage gazette 2019-02-01..2019-08-31 (backfill-wayback)" in out
    assert "lost-story" in out and "broken-story" in out
    total = next(line for line in out.splitlines() if line.strip().startswith("total"))
    assert total.split()[1:] == ["4", "2", "0", "0", "0", "2"]


def test_network_guard_refuses_the_archive_on_a_private_address(
    demo_server: DemoServer, fake: FakeWayback, tmp_path: Path
) -> None:
    sites = tmp_path / "sites.yaml"
    text = demo_server.write_sites_file(tmp_path / "in.yaml").read_text()
    # Only the demo hosts' addresses allowed: the fake archive on 127.0.0.1 is not.
    sites.write_text(text.replace("['127.0.0.0/8']", "['127.0.0.2/32']"))
    report = backfill(sites, str(tmp_path / "store"), fake)
    assert not report.ok
    assert "loopback" in report.failures["gazette"]
    assert not fake.requests
    with pytest.raises(Refused):
        NetworkGuard([]).create_connection(("127.0.0.1", 9))


def test_cdx_json_parsing() -> None:
    body = json.dumps([["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest"],
                       ["a)/", "20190101000000", "http://a/", "text/html", "200", "D"],
                       [], ["KEY"]]).encode()
    rows, resume = parse_cdx_json(body)
    assert resume == "KEY" and [r.original for r in rows] == ["http://a/"]
    assert parse_cdx_json(b"") == ([], None)


def test_the_sites_delay_spaces_requests_to_the_archive(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    # No 5xx answers: a retry's backoff would stretch the run whatever the delay.
    served = [dataclasses.replace(c, replay="ok") if c.replay in ("503", "flaky") else c
              for c in wayback_captures(demo_server)]
    text = demo_server.write_sites_file(tmp_path / "in.yaml").read_text()
    sites = tmp_path / "sites.yaml"
    delay = 0.4
    sites.write_text(text.replace("delay: 0.0", f"delay: {delay}"))
    server = FakeWayback(served).start()
    try:
        began = time.monotonic()
        report = backfill(sites, str(tmp_path / "store"), server)
    finally:
        server.stop()
    assert report.ok, report.failures
    # n requests, each sent at least one delay after the one before, cannot all have arrived
    # before (n - 1) delays have passed; a loaded machine only makes them later. Processing
    # comes after the last fetch, so without the delay the last arrives within a fraction.
    asked = len(server.started)
    assert asked >= 6, server.requests
    assert server.started[-1] - began >= (asked - 1) * delay, (server.started, began)


class _Redirecting(BaseHTTPRequestHandler):
    """/go redirects to the private listener `target`; /busy is a 503 asking to retry now."""

    target = ""
    hits: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.hits.append((str(self.server.server_address[0]), self.path))
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", self.target)
        elif self.path == "/busy":
            self.send_response(503)
            self.send_header("Retry-After", "0")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def test_the_client_refuses_a_redirect_into_a_private_address_and_retries_a_busy_archive(
) -> None:
    servers = [ThreadingHTTPServer((host, 0), _Redirecting) for host in ("127.0.0.2", "127.0.0.1")]
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    _Redirecting.hits = []
    _Redirecting.target = f"http://127.0.0.1:{servers[1].server_address[1]}/secret"
    base = f"http://127.0.0.2:{servers[0].server_address[1]}"
    try:
        client = HTTPClient(NetworkGuard(["127.0.0.2/32"]), user_agent="t", backoff=0)
        with pytest.raises(Refused, match="127.0.0.1"):
            client.get(base + "/go")
        status, _, _, _ = client.get(base + "/busy")
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()
    assert not [h for h in _Redirecting.hits if h[0] == "127.0.0.1"]
    # Three retries, then the archive's last answer is what the caller sees.
    assert status == 503
    assert [p for _, p in _Redirecting.hits].count("/busy") == 4
