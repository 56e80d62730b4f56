"""Helpers for the crawler tests: reading the archive back, and a tiny redirecting site.

The demo sites have no redirect that leaves a site, so `HopServer` provides one: a loopback
site whose article URLs redirect off the site's domains and into a network the sites file does
not allow, with a listener on that network to prove nothing reaches it.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback_pair import LoopbackServer, serve_on_two_hosts, stop_servers
from warcio.archiveiterator import ArchiveIterator

from newsmill.pipeline.warc.reader import iter_captures
from newsmill.pipeline.warc.records import Capture
from newsmill.storage import Store


def captures(store: Store, keys: list[str]) -> list[Capture]:
    """Every response record of the given WARC keys, read with the raw contract's reader."""
    out: list[Capture] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, key in enumerate(keys):
            path = os.path.join(tmp, f"{i}.warc.gz")
            store.get_file(key, path)
            with open(path, "rb") as fh:
                out.extend(iter_captures(fh, key))
    return out


def all_raw_keys(store: Store, site: str | None = None) -> list[str]:
    prefix = f"raw/site={site}/" if site else "raw/"
    return [k for k in store.list(prefix) if k.endswith(".warc.gz")]


@dataclass
class Record:
    type: str
    url: str
    status: int | None
    headers: dict[str, str]
    body: bytes  # decoded the way a WARC reader decodes it (Content-Encoding undone)
    warc_headers: dict[str, str]


def records(store: Store, key: str) -> Iterator[Record]:
    """All records of one WARC file, read with warcio alone (no newsmill code)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "file.warc.gz")
        store.get_file(key, path)
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                status = None
                headers: dict[str, str] = {}
                if rec.http_headers is not None:
                    headers = {k.lower(): v for k, v in rec.http_headers.headers}
                    if rec.rec_type == "response":
                        status = int(rec.http_headers.get_statuscode())
                yield Record(
                    type=rec.rec_type,
                    url=rec.rec_headers.get_header("WARC-Target-URI") or "",
                    status=status,
                    headers=headers,
                    body=rec.content_stream().read(),
                    warc_headers=dict(rec.rec_headers.headers),
                )


# --- a site that redirects away ------------------------------------------------------------------


class RouteHandler(BaseHTTPRequestHandler):
    """Answers with `owner.route(path)` and logs (host, path) in `owner.log`."""

    server: LoopbackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        hop = self.server.owner
        with hop.lock:
            hop.log.append((str(self.server.server_address[0]), self.path))
        status, headers, body = hop.route(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HopServer:
    """A news site on 127.0.0.5 whose feed lists three article URLs:

    - /a/offsite  -> 301 to `offsite_target` (a host outside the site's domains)
    - /a/private  -> 301 to http://127.0.0.1:<port>/a/secret (a domain of the site, on a
      network the sites file does not allow; a listener there records any request)
    - /a/ok       -> 200
    and, through DNS, http://localhost:<port>/a/dns (localhost resolves to 127.0.0.1).
    """

    HOST = "127.0.0.5"
    PRIVATE = "127.0.0.1"

    def __init__(self, offsite_target: str) -> None:
        self.offsite_target = offsite_target
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []
        self._servers: list[LoopbackServer] = []
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{self.HOST}:{self.port}"

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>{u}</title><link>{u}</link></item>"
                for u in (
                    f"{self.base}/a/offsite",
                    f"{self.base}/a/private",
                    f"{self.base}/a/ok",
                    f"http://localhost:{self.port}/a/dns",
                )
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        if path == "/a/offsite":
            return 301, {**html, "Location": self.offsite_target}, b"moved"
        if path == "/a/private":
            target = f"http://{self.PRIVATE}:{self.port}/a/secret"
            return 301, {**html, "Location": target}, b"moved"
        if path.startswith("/a/"):
            return 200, html, b"<html><body><p>An article.</p></body></html>"
        return 404, html, b"not found"

    def start(self) -> HopServer:
        # The same port on both hosts; a port already taken on 127.0.0.1 means another try.
        self.port, self._servers = serve_on_two_hosts(self.HOST, self.PRIVATE, RouteHandler, self)
        return self

    def stop(self) -> None:
        stop_servers(self._servers)

    def sites_yaml(self) -> str:
        return f"""\
allow_private_networks: ["{self.HOST}/32"]
defaults: {{delay: 0, concurrency: 4}}
sites:
  - name: hop
    domains: ["{self.HOST}", "{self.PRIVATE}", localhost]
    feeds: ["{self.base}/feed.xml"]
    article_urls: ['/a/']
    max_age_days: null
"""
