"""The TDM Reservation Protocol in real crawls (Scrapy in a subprocess, loopback servers).

A small site on 127.0.0.7 reserves one path in its tdmrep.json, one page by its response
headers and one by its meta tags (served gzipped, as the crawler asks); a fourth page says
nothing. The demo's Ledger reserves its news stories in its tdmrep.json.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers_crawl import captures
from loopback_pair import LoopbackServer

from newsmill.pipeline.app.process import process_keys
from newsmill.pipeline.demo.server import DemoServer
from newsmill.pipeline.publish.tables import parquet_to_table
from newsmill.spiders.runner.crawl import CrawlResult, run_crawl
from newsmill.storage import Store, open_store

HOST = "127.0.0.7"
PROSE = ("<p>The harbour commission met on Tuesday evening to consider the dredging contract for "
         "the outer basin, which has been delayed twice since the spring storms.</p><p>Members "
         "heard from the contractor, from the fishing cooperative and from residents of the "
         "quay, who asked for the work to stop at night during the summer months.</p>")


def _page(title: str, head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"{head}</head><body><article><h1>{title}</h1>{PROSE}</article></body></html>"
            ).encode()


class _Site(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        owner: TdmSite = self.server.owner  # type: ignore[attr-defined]
        owner.paths.append(self.path)
        base = owner.base
        headers: list[tuple[str, str]] = []
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif self.path == "/.well-known/tdmrep.json":
            body, kind = json.dumps([{"location": "/reserved/*", "tdm-reservation": 1,
                                      "tdm-policy": f"{base}/tdm-policy.json"}]).encode(), \
                "application/json"
        elif self.path == "/":
            links = "".join(f'<a href="{p}">{p}</a> ' for p in owner.articles)
            body, kind = f"<html><body>{links}</body></html>".encode(), "text/html"
        elif self.path == "/news/by-header.html":
            body, kind = _page("Commission meets on dredging"), "text/html"
            headers = [("tdm-reservation", "1"), ("tdm-policy", f"{base}/headers-policy")]
        elif self.path == "/news/by-meta.html":
            body = gzip.compress(_page(
                "Quay residents ask for quiet nights",
                '<meta name="tdm-reservation" content="1">'
                f'<meta name="tdm-policy" content="{base}/meta-policy">'))
            kind, headers = "text/html", [("Content-Encoding", "gzip")]
        elif self.path in ("/news/free.html", "/reserved/locked.html"):
            body, kind = _page("Outer basin contract delayed " + self.path[1:5]), "text/html"
        else:
            body, kind = b"not here", "text/plain"
            self.send_response(404)
            self._finish(body, kind, headers)
            return
        self.send_response(200)
        self._finish(body, kind, headers)

    def _finish(self, body: bytes, kind: str, headers: list[tuple[str, str]]) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class TdmSite:
    articles = ("/news/free.html", "/news/by-header.html", "/news/by-meta.html",
                "/reserved/locked.html")

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.server = LoopbackServer((HOST, 0), _Site, self)
        self.base = f"http://{HOST}:{self.server.server_address[1]}"

    def sites_file(self, path: Path, respect: bool) -> Path:
        site = {"name": "tdmsite", "domains": [HOST], "start_urls": [self.base + "/"],
                "article_urls": [r"/(news|reserved)/[a-z-]+\.html$"], "delay": 0,
                "concurrency": 4, "respect_tdm_reservation": respect}
        path.write_text(yaml.safe_dump({"allow_private_networks": ["127.0.0.0/8"],
                                        "sites": [site]}))
        return path


@pytest.fixture(scope="module")
def site() -> Iterator[TdmSite]:
    s = TdmSite()
    thread = threading.Thread(target=s.server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()
    thread.join(timeout=5)


def _crawl(site: TdmSite, tmp: Path, respect: bool) -> tuple[CrawlResult, Store]:
    site.paths.clear()
    store = open_store(str(tmp / "store"))
    result = run_crawl(str(site.sites_file(tmp / "sites.yaml", respect)), None, store.uri,
                       "run-tdm", timeout=60)
    return result, store


def test_tdmrep_is_fetched_once_archived_and_labels_every_record(site: TdmSite,
                                                                  tmp_path: Path) -> None:
    result, store = _crawl(site, tmp_path, respect=False)
    assert site.paths.count("/.well-known/tdmrep.json") == 1
    caps = captures(store, result.raw_keys)
    tdm = [c for c in caps if c.url.endswith("/.well-known/tdmrep.json")]
    assert [(c.kind, c.source, c.status) for c in tdm] == [("page", "tdmrep", 200)]
    locked = next(c for c in caps if c.url.endswith("/reserved/locked.html"))
    assert locked.hints["tdm_reservation"] == 1

    process_keys(store, result.raw_keys, workers=1)
    rows = [r for k in store.list("articles/") for r in parquet_to_table(store.get(k)).to_pylist()]
    rights = {r["url"].removeprefix(site.base): r["rights"] for r in rows}
    assert rights["/reserved/locked.html"]["tdm_reserved"] is True
    assert rights["/reserved/locked.html"]["tdm_policy"] == f"{site.base}/tdm-policy.json"
    assert rights["/news/by-header.html"] == {"license": None, "tdm_reserved": True,
                                              "tdm_policy": f"{site.base}/headers-policy",
                                              "noai": None}
    assert rights["/news/by-meta.html"]["tdm_policy"] == f"{site.base}/meta-policy"
    assert rights["/news/free.html"]["tdm_reserved"] is None


def test_respect_tdm_reservation_skips_reserved_pages_with_a_reason(site: TdmSite,
                                                                    tmp_path: Path) -> None:
    result, store = _crawl(site, tmp_path, respect=True)
    assert "/reserved/locked.html" not in site.paths  # reserved by the file: never requested
    archived = {c.url.removeprefix(site.base) for c in captures(store, result.raw_keys)
                if c.kind == "article"}
    assert archived == {"/news/free.html"}
    assert result.sites["tdmsite"].quarantine_reasons == {"tdm reserved": 3}
    [key] = [k for k in store.list("quarantine/") if "crawl-tdmsite" in k]
    entries = {json.loads(line)["url"].removeprefix(site.base): json.loads(line)["reason"]
               for line in store.get(key).decode().splitlines()}
    assert entries == {
        "/reserved/locked.html": "tdm reserved: /.well-known/tdmrep.json reserves text and data "
                                 f"mining (policy {site.base}/tdm-policy.json)",
        "/news/by-header.html": "tdm reserved: the tdm-reservation header reserves text and "
                                f"data mining (policy {site.base}/headers-policy)",
        "/news/by-meta.html": "tdm reserved: the tdm-reservation meta tag reserves text and "
                              f"data mining (policy {site.base}/meta-policy)",
    }


def test_the_demo_ledger_reserves_its_stories(demo_server: DemoServer, sites_file: Path,
                                              tmp_path: Path) -> None:
    data = yaml.safe_load(sites_file.read_text())
    data["defaults"] = {**(data.get("defaults") or {}), "respect_tdm_reservation": True}
    respectful = tmp_path / "sites.yaml"
    respectful.write_text(yaml.safe_dump(data))
    store = open_store(str(tmp_path / "store"))
    demo_server.set_edition(1)
    result = run_crawl(str(respectful), ["ledger", "gazette"], store.uri, "run-ledger",
                       timeout=120)
    kinds = {(c.site, c.kind) for c in captures(store, result.raw_keys)}
    assert ("gazette", "article") in kinds and ("ledger", "article") not in kinds
    ledger_articles = [a for a in demo_server.catalogue()
                       if a.site == "ledger" and a.edition == 1 and not a.archive]
    assert result.sites["ledger"].quarantine_reasons["tdm reserved"] >= len(ledger_articles) > 0
    assert "tdm reserved" not in result.sites["gazette"].quarantine_reasons
