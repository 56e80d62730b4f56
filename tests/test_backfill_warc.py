"""`newsmill backfill --source warc`: WARC files the tests write themselves, read from a local
path, from S3 on moto_server and over HTTP, streamed into the normal processing path."""

from __future__ import annotations

import gzip
import io
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import helpers_backfill
import pytest
from conftest import run_cli
from helpers_backfill import article_rows, fetch, in_range_archive
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.pipeline.app import jobs
from newsmill.pipeline.demo.server import DemoServer
from newsmill.storage import open_store

FROM, TO = "2019-02-01", "2019-08-31"

# Shared fixtures (pytest finds them by name in this module).
_one_worker = helpers_backfill._one_worker


def archive(demo: DemoServer) -> dict[str, Any]:
    """The demo gazette's archive stories by publication date, and other pages."""
    cat = demo.catalogue()
    by_day = {a.published_at[:10]: a for a in cat if a.archive}
    current = [a for a in cat if a.site == "gazette" and not a.archive]
    ledger = [a for a in cat if a.site == "ledger"]
    return {"archive": by_day, "current": current, "ledger": ledger}


def _response(w: WARCWriter, url: str, body: bytes, when: str, status: str = "200 OK") -> Any:
    http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8"),
                                     ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    return w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                http_headers=http, warc_headers_dict={"WARC-Date": when})


def _request(w: WARCWriter, url: str, when: str) -> Any:
    http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], protocol="HTTP/1.1",
                            is_http_request=True)
    return w.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                http_headers=http, warc_headers_dict={"WARC-Date": when})


def write_warc(path: Path, demo: DemoServer, *, gz: bool, truncate: bool = True) -> None:
    """A CC-NEWS-like file: several sites, requests, a revisit, metadata, and (optionally) a
    last record cut short, as by an interrupted download."""
    pages = archive(demo)
    arch = pages["archive"]
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz, warc_version="1.1")
    w.write_record(w.create_warcinfo_record(path.name, {"software": "newsmill tests"}))

    def pair(url: str, when: str, body: bytes | None = None, status: str = "200 OK") -> None:
        body = body if body is not None else fetch(url)
        w.write_record(_request(w, url, when))
        w.write_record(_response(w, url, body, when, status))

    def day_after(published: str) -> str:
        d = date.fromisoformat(published[:10])
        return f"{d.replace(day=min(d.day + 1, 28)).isoformat()}T10:00:00Z"

    # Gazette archive stories, each captured the day after publication, except the one of
    # 2019-01-28, captured inside the range (2019-02-05): the page's own date decides.
    for day in sorted(arch):
        when = "2019-02-05T10:00:00Z" if day == "2019-01-28" else day_after(day)
        pair(arch[day].canonical_url, when)
    # Another site's article, and a gazette page that is not an article.
    pair(pages["ledger"][0].canonical_url, "2019-05-02T10:00:00Z")
    pair(demo.base_url("gazette") + "/", "2019-05-02T10:00:00Z")
    # A gazette article of today: published outside the range.
    pair(pages["current"][0].canonical_url, pages["current"][0].published_at)
    # A revisit of an in-range story (no body): skipped.
    first = arch["2019-03-14"].canonical_url
    w.write_record(w.create_revisit_record(first, "sha1:AAAA", first, "2019-03-15T10:00:00Z",
                                           warc_headers_dict={"WARC-Date": "2019-06-01T00:00:00Z"}))
    w.write_record(w.create_warc_record(first, "metadata", payload=io.BytesIO(b"x: y\n"),
                                        warc_content_type="application/warc-fields"))
    # A 404 of an article URL: not a candidate.
    pair(demo.base_url("gazette") + "/2019/04/01/gone/", "2019-05-04T10:00:00Z",
         body=b"<html>gone</html>", status="404 Not Found")
    data = buf.getvalue()
    if truncate:
        # Last: an in-range story captured again, cut in the middle of its body.
        tail = io.BytesIO()
        tw = WARCWriter(tail, gzip=gz, warc_version="1.1")
        tw.write_record(_response(tw, arch["2019-07-20"].canonical_url,
                                  fetch(arch["2019-07-20"].canonical_url),
                                  "2019-08-01T00:00:00Z"))
        data += tail.getvalue()[: len(tail.getvalue()) // 2]
    path.write_bytes(data)


def expected_urls(demo: DemoServer) -> set[str]:
    return in_range_archive(demo, FROM, TO)


def run(sites: Path, store: str, warcs: list[str], **kw: Any) -> jobs.RunReport:
    return jobs.backfill(str(sites), store, site="gazette", date_from=date.fromisoformat(FROM),
                         date_to=date.fromisoformat(TO), source="warc", warc=warcs, **kw)


@pytest.mark.parametrize("gz", [True, False], ids=["gzip-per-record", "plain"])
def test_local_warc_ingests_exactly_the_range_and_rerun_adds_nothing(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path, gz: bool
) -> None:
    warc = tmp_path / ("cc-news.warc.gz" if gz else "cc-news.warc")
    write_warc(warc, demo_server, gz=gz)
    store = str(tmp_path / "store")
    report = run(sites_file, store, [str(warc)])
    assert report.ok, report.failures

    rows = article_rows(store)
    assert {r["canonical_url"] for r in rows} == expected_urls(demo_server)
    assert len(rows) == len(expected_urls(demo_server))
    assert {r["source"] for r in rows} == {"backfill-warc"}
    assert {r["site"] for r in rows} == {"gazette"}
    for r in rows:
        path, _, offset = r["raw_ref"].rpartition("#")
        assert path == str(warc) and offset.isdigit(), r["raw_ref"]
    # Nothing copied into raw/.
    assert not list(open_store(store).list("raw/"))

    cov = report.coverage["gazette"]
    assert cov["months"]["2019-03"]["ingested"] == 1
    assert cov["months"]["2019-07"]["ingested"] == 1
    # The truncated copy, dated by its capture (2019-08-01): quarantined, the rest kept.
    assert cov["months"]["2019-08"]["quarantined"] == 1
    assert cov["totals"]["ingested"] == 2 and cov["totals"]["quarantined"] == 1
    # Published 2019-01-28, 2019-11-02 and today: out of range, not quarantined.
    assert cov["out_of_range"] == 3
    assert cov["skipped"]["revisit records"] == 1
    assert cov["skipped"]["other sites"] == 1
    assert cov["skipped"]["HTTP 404"] == 1
    assert any("truncated record" in e for e in cov["errors"])
    quarantine = [k for k in open_store(store).list("quarantine/")]
    assert len(quarantine) == 1
    (entry,) = open_store(store).get(quarantine[0]).decode().splitlines()
    assert "truncated" in json.loads(entry)["reason"]
    # Stored in the run report.
    saved = json.loads(open_store(store).get(f"runs/{report.run_id}.json"))
    assert saved["coverage"]["gazette"]["totals"]["ingested"] == 2

    again = run(sites_file, store, [str(warc)])
    assert again.ok
    assert again.coverage["gazette"]["totals"]["found"] == 0
    assert sum(c.articles for c in again.sites.values()) == 0
    assert sorted(r["id"] for r in article_rows(store)) == sorted(r["id"] for r in rows)


def test_interrupted_backfill_resumes_from_the_first_slice_not_done(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmill.pipeline.backfill import slices
    from newsmill.pipeline.backfill import warc as backfill_warc

    warc = tmp_path / "slices.warc.gz"
    write_warc(warc, demo_server, gz=True, truncate=False)
    store = str(tmp_path / "store")
    # Slices of 3 records, one lease per slice; the run dies when taking the third lease.
    monkeypatch.setattr(slices, "SLICE_RECORDS", 3)
    monkeypatch.setattr(backfill_warc, "LOCK_HOLD_SECONDS", 0.0)
    real = jobs._lease
    calls = {"n": 0}

    def dying_lease(store_: Any, owner: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(store_, owner)

    monkeypatch.setattr(jobs, "_lease", dying_lease)
    with pytest.raises(KeyboardInterrupt):
        run(sites_file, store, [str(warc)])
    monkeypatch.setattr(jobs, "_lease", real)
    done_before = [k for k in open_store(store).list("state/backfill-warc/") if "/done/" in k]
    assert len(done_before) == 2

    report = run(sites_file, store, [str(warc)])
    assert report.ok
    (info,) = report.coverage["gazette"]["files"]
    assert info["slices_skipped"] == 2 and info["complete"]
    rows = article_rows(store)
    assert {r["canonical_url"] for r in rows} == expected_urls(demo_server)
    assert len(rows) == len({r["id"] for r in rows})


def test_warc_on_s3_via_the_cli_with_coverage(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path, s3_uri: str
) -> None:
    warc = tmp_path / "cc.warc.gz"
    write_warc(warc, demo_server, gz=True)
    bucket = s3_uri[len("s3://"):].split("/")[0]
    s3 = boto3.client("s3")
    s3.upload_file(str(warc), bucket, "cc-news/2019/05/cc.warc.gz")
    # A Common Crawl style listing next to it, entries relative to the bucket root.
    listing = gzip.compress(b"cc-news/2019/05/cc.warc.gz\n")
    s3.put_object(Bucket=bucket, Key="cc-news/2019/05/warc.paths.gz", Body=listing)

    proc = run_cli("backfill", "--sites", str(sites_file), "--store", s3_uri, "--site",
                   "gazette", "--from", FROM, "--to", TO, "--source", "warc",
                   "--warc", f"s3://{bucket}/cc-news/2019/05/warc.paths.gz",
                   env={"NEWSMILL_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "coverage gazette 2019-02-01..2019-08-31" in proc.stdout
    assert "2019-03 " in proc.stdout and "<- none found" in proc.stdout
    rows = article_rows(s3_uri)
    assert {r["canonical_url"] for r in rows} == expected_urls(demo_server)
    assert {r["raw_ref"].rpartition("#")[0] for r in rows} == {
        f"s3://{bucket}/cc-news/2019/05/cc.warc.gz"}

    proc = run_cli("backfill", "--sites", str(sites_file), "--store", s3_uri, "--site",
                   "gazette", "--from", FROM, "--to", TO, "--source", "warc",
                   "--warc", f"s3://{bucket}/cc-news/2019/05/cc.warc.gz", "--json",
                   env={"NEWSMILL_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["coverage"]["gazette"]["totals"]["found"] == 0
    assert len(article_rows(s3_uri)) == len(rows)


class _RangeHandler(BaseHTTPRequestHandler):
    """Serves one file with range requests, dropping the connection mid-body once."""

    data = b""
    dropped = False

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
        body = self.data[start:]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not type(self).dropped and len(body) > 2000:
            type(self).dropped = True
            self.wfile.write(body[:1000])
            self.wfile.flush()
            self.connection.close()  # the client sees a short read and resumes with a range
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def test_warc_over_http_resumes_a_dropped_connection(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    warc = tmp_path / "cc.warc.gz"
    write_warc(warc, demo_server, gz=True, truncate=False)
    _RangeHandler.data = warc.read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/crawl/cc.warc.gz"
        store = str(tmp_path / "store")
        report = run(sites_file, store, [url])
        assert report.ok, report.failures
        assert _RangeHandler.dropped
        assert {r["canonical_url"] for r in article_rows(store)} == expected_urls(demo_server)
    finally:
        server.shutdown()
        server.server_close()


def write_arc(path: Path, demo: DemoServer) -> None:
    """An ARC v1 file (the Internet Archive's format before WARC), gzipped per record."""
    header = b"1 0 newsmill tests\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [b"filedesc://%s 0.0.0.0 20190101000000 text/plain %d\n%s\n"
               % (path.name.encode(), len(header), header)]
    for day, story in sorted(archive(demo)["archive"].items()):
        stamp = day.replace("-", "") + "235900"  # captured the evening it was published
        block = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + fetch(story.canonical_url)
        members.append(f"{story.canonical_url} 127.0.0.2 {stamp} text/html {len(block)}\n"
                       .encode() + block + b"\n")
    path.write_bytes(b"".join(gzip.compress(m) for m in members))


def test_arc_file(demo_server: DemoServer, sites_file: Path, tmp_path: Path) -> None:
    arc = tmp_path / "old-crawl.arc.gz"
    write_arc(arc, demo_server)
    store = str(tmp_path / "store")
    report = run(sites_file, store, [str(arc)])
    assert report.ok, report.failures
    assert {r["canonical_url"] for r in article_rows(store)} == expected_urls(demo_server)
    assert report.coverage["gazette"]["out_of_range"] == 2


def test_local_listing_resolves_entries_like_common_crawl(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    # A mirror of the bucket: the listing names files from the root of the mirror.
    month = tmp_path / "mirror" / "crawl-data" / "CC-NEWS" / "2019" / "05"
    month.mkdir(parents=True)
    write_warc(month / "CC-NEWS-1.warc.gz", demo_server, gz=True, truncate=False)
    listing = month / "warc.paths.gz"
    listing.write_bytes(gzip.compress(b"crawl-data/CC-NEWS/2019/05/CC-NEWS-1.warc.gz\n"))
    store = str(tmp_path / "store")
    report = run(sites_file, store, [str(listing)])
    assert report.ok, report.failures
    assert {r["canonical_url"] for r in article_rows(store)} == expected_urls(demo_server)
    (info,) = report.coverage["gazette"]["files"]
    assert info["file"] == str(month / "CC-NEWS-1.warc.gz")


def test_a_second_range_over_the_same_file_keeps_the_first_ranges_records(
    demo_server: DemoServer, sites_file: Path, tmp_path: Path
) -> None:
    warc = tmp_path / "cc.warc.gz"
    write_warc(warc, demo_server, gz=True, truncate=False)
    store = str(tmp_path / "store")
    assert run(sites_file, store, [str(warc)]).ok  # 2019-02-01..2019-08-31
    later = jobs.backfill(str(sites_file), store, site="gazette",
                          date_from=date(2019, 1, 1), date_to=date(2019, 1, 31),
                          source="warc", warc=[str(warc)])
    assert later.ok
    # Only the January story is new for this run; the earlier range's records are still there.
    assert later.coverage["gazette"]["totals"]["ingested"] == 1
    rows = article_rows(store)
    assert {r["canonical_url"] for r in rows} == (
        expected_urls(demo_server) | in_range_archive(demo_server, "2019-01-01", "2019-01-31"))
    assert len(rows) == len({r["id"] for r in rows})
